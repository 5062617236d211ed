import type { TariffDraft } from './types.ts';

export interface TariffCounts {
  readonly destinations: number;
  readonly prefixes: number;
  readonly rates: number;
  readonly timings: number;
  readonly plans: number;
  readonly planEntries: number;
  readonly activations: number;
}

export interface KindChanges {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

/** What an import would change, per kind, against the version in force. */
export interface TariffChanges {
  /** Names of the settings whose value differs (currency, time_zone, …). */
  readonly settings: readonly string[];
  readonly destinations: KindChanges;
  readonly prefixes: KindChanges;
  readonly rates: KindChanges;
  readonly timings: KindChanges;
  readonly planEntries: KindChanges;
  readonly activations: KindChanges;
}

export function countTariff(draft: TariffDraft): TariffCounts {
  return {
    destinations: draft.destinations.length,
    prefixes: draft.destinations.reduce((n, d) => n + d.prefixes.length, 0),
    rates: draft.rates.length,
    timings: draft.timings.length,
    plans: draft.plans.length,
    planEntries: draft.plans.reduce((n, p) => n + p.entries.length, 0),
    activations: draft.activations.length,
  };
}

/** Each kind as key → canonical text of what the key stands for. */
function keyed(
  draft: TariffDraft | null,
): Record<Exclude<keyof TariffChanges, 'settings'>, Map<string, string>> {
  const out = {
    destinations: new Map<string, string>(),
    prefixes: new Map<string, string>(),
    rates: new Map<string, string>(),
    timings: new Map<string, string>(),
    planEntries: new Map<string, string>(),
    activations: new Map<string, string>(),
  };
  if (draft === null) return out;
  for (const d of draft.destinations) {
    out.destinations.set(d.id, d.name);
    for (const p of d.prefixes) out.prefixes.set(p, d.id);
  }
  for (const r of draft.rates) {
    out.rates.set(
      r.id,
      [
        r.connectionFeeMinor,
        r.firstBlockSeconds,
        r.incrementSeconds,
        r.priceMinor,
        r.unitSeconds,
        r.minimumCostMinor,
        r.disconnectFeeMinor,
      ].join(','),
    );
  }
  for (const t of draft.timings) {
    out.timings.set(t.id, [t.weekdays?.join(';') ?? '*any', t.startMinute, t.endMinute].join(','));
  }
  for (const p of draft.plans) {
    for (const e of p.entries) {
      out.planEntries.set(
        [p.id, e.destinationId, e.timingId].join('\u0000'),
        `${e.rateId},${e.weight}`,
      );
    }
  }
  for (const a of draft.activations) {
    out.activations.set(`${a.service}\u0000${a.activatesAtMs}`, a.planId);
  }
  return out;
}

function compare(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): KindChanges {
  let added = 0;
  let changed = 0;
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) added += 1;
    else if (old !== value) changed += 1;
  }
  let removed = 0;
  for (const key of before.keys()) if (!after.has(key)) removed += 1;
  return { added, removed, changed };
}

export function diffTariffs(before: TariffDraft | null, after: TariffDraft): TariffChanges {
  const b = keyed(before);
  const a = keyed(after);
  const settingsOf = (d: TariffDraft | null): Record<string, string | undefined> => ({
    currency: d?.currency,
    time_zone: d?.timeZone,
    country_code: d?.numbering.countryCode,
    national_prefix: d?.numbering.nationalPrefix,
    international_prefixes: d?.numbering.internationalPrefixes.join(';'),
  });
  const old = settingsOf(before);
  const settings = Object.entries(settingsOf(after))
    .filter(([name, value]) => old[name] !== value)
    .map(([name]) => name);
  return {
    settings,
    destinations: compare(b.destinations, a.destinations),
    prefixes: compare(b.prefixes, a.prefixes),
    rates: compare(b.rates, a.rates),
    timings: compare(b.timings, a.timings),
    planEntries: compare(b.planEntries, a.planEntries),
    activations: compare(b.activations, a.activations),
  };
}

export function isUnchanged(changes: TariffChanges): boolean {
  if (changes.settings.length > 0) return false;
  return [
    changes.destinations,
    changes.prefixes,
    changes.rates,
    changes.timings,
    changes.planEntries,
    changes.activations,
  ].every((k) => k.added === 0 && k.removed === 0 && k.changed === 0);
}
