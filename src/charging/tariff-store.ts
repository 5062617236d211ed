import { assert, isCurrency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { chargingTables } from './tables.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { isWeekday } from './timing-rules.ts';
import {
  isService,
  type Destination,
  type RatingPlan,
  type TariffDraft,
  type Weekday,
} from './types.ts';

const ANY = '*any';

export interface TariffSource {
  readonly sourceName: string;
  readonly sourceSha256: string;
  readonly importedAtMs: bigint;
}

export interface TariffVersionInfo extends TariffSource {
  readonly version: number;
}

/** The newest stored version, or null before the first import. */
export async function latestTariffVersion(executor: Executor): Promise<number | null> {
  const row = await chargingTables(executor)
    .selectFrom('charging_tariff')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  const version = row?.version;
  return version === undefined || version === null ? null : Number(version);
}

export async function tariffVersionInfo(
  executor: Executor,
  version: number,
): Promise<TariffVersionInfo | null> {
  const row = await chargingTables(executor)
    .selectFrom('charging_tariff')
    .select(['version', 'source_name', 'source_sha256', 'imported_at_ms'])
    .where('version', '=', BigInt(version))
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    version: Number(row.version),
    sourceName: row.source_name,
    sourceSha256: row.source_sha256,
    importedAtMs: row.imported_at_ms,
  };
}

async function insertChunked<R>(
  rows: readonly R[],
  insert: (chunk: R[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHARGING_LIMITS.insertRowsMax) {
    await insert(rows.slice(i, i + CHARGING_LIMITS.insertRowsMax));
  }
}

/** Writes a validated tariff as `version`, inside the caller's write transaction. */
export async function saveTariff(
  tx: Executor,
  version: number,
  draft: TariffDraft,
  source: TariffSource,
): Promise<void> {
  const t = chargingTables(tx);
  const v = BigInt(version);
  await t
    .insertInto('charging_tariff')
    .values({
      version: v,
      currency: draft.currency,
      time_zone: draft.timeZone,
      country_code: draft.numbering.countryCode,
      national_prefix: draft.numbering.nationalPrefix,
      international_prefixes: draft.numbering.internationalPrefixes.join(';'),
      source_name: source.sourceName,
      source_sha256: source.sourceSha256,
      imported_at_ms: source.importedAtMs,
    })
    .execute();
  await insertChunked(draft.destinations, (chunk) =>
    t
      .insertInto('charging_destination')
      .values(chunk.map((d) => ({ tariff_version: v, id: d.id, name: d.name })))
      .execute(),
  );
  await insertChunked(
    draft.destinations.flatMap((d) => d.prefixes.map((prefix) => ({ prefix, id: d.id }))),
    (chunk) =>
      t
        .insertInto('charging_prefix')
        .values(chunk.map((p) => ({ tariff_version: v, prefix: p.prefix, destination_id: p.id })))
        .execute(),
  );
  await insertChunked(draft.rates, (chunk) =>
    t
      .insertInto('charging_rate')
      .values(
        chunk.map((r) => ({
          tariff_version: v,
          id: r.id,
          connection_fee_minor: r.connectionFeeMinor,
          first_block_seconds: BigInt(r.firstBlockSeconds),
          increment_seconds: BigInt(r.incrementSeconds),
          price_minor: r.priceMinor,
          unit_seconds: BigInt(r.unitSeconds),
          minimum_cost_minor: r.minimumCostMinor,
          disconnect_fee_minor: r.disconnectFeeMinor,
        })),
      )
      .execute(),
  );
  await insertChunked(draft.timings, (chunk) =>
    t
      .insertInto('charging_timing')
      .values(
        chunk.map((timing) => ({
          tariff_version: v,
          id: timing.id,
          weekdays: timing.weekdays === null ? ANY : timing.weekdays.join(';'),
          start_minute: BigInt(timing.startMinute),
          end_minute: BigInt(timing.endMinute),
        })),
      )
      .execute(),
  );
  await insertChunked(
    draft.plans.flatMap((p) => p.entries.map((e) => ({ planId: p.id, ...e }))),
    (chunk) =>
      t
        .insertInto('charging_plan_entry')
        .values(
          chunk.map((e) => ({
            tariff_version: v,
            plan_id: e.planId,
            destination_id: e.destinationId,
            rate_id: e.rateId,
            timing_id: e.timingId,
            weight: BigInt(e.weight),
          })),
        )
        .execute(),
  );
  await insertChunked(draft.activations, (chunk) =>
    t
      .insertInto('charging_plan_activation')
      .values(
        chunk.map((a) => ({
          tariff_version: v,
          service: a.service,
          activates_at_ms: a.activatesAtMs,
          plan_id: a.planId,
        })),
      )
      .execute(),
  );
}

/** Reads a stored version back into the form the import produced (ordered by id). */
export async function readTariff(executor: Executor, version: number): Promise<TariffDraft | null> {
  const t = chargingTables(executor);
  const v = BigInt(version);
  const head = await t
    .selectFrom('charging_tariff')
    .selectAll()
    .where('version', '=', v)
    .executeTakeFirst();
  if (head === undefined) return null;
  assert(isCurrency(head.currency), 'stored tariff currency is known');

  const destinationRows = await t
    .selectFrom('charging_destination')
    .select(['id', 'name'])
    .where('tariff_version', '=', v)
    .orderBy('id')
    .execute();
  const prefixRows = await t
    .selectFrom('charging_prefix')
    .select(['prefix', 'destination_id'])
    .where('tariff_version', '=', v)
    .orderBy('prefix')
    .execute();
  const prefixesOf = new Map<string, string[]>();
  for (const p of prefixRows) {
    const list = prefixesOf.get(p.destination_id) ?? [];
    list.push(p.prefix);
    prefixesOf.set(p.destination_id, list);
  }
  const destinations = destinationRows.map((d): Destination => ({
    id: d.id,
    name: d.name,
    prefixes: prefixesOf.get(d.id) ?? [],
  }));

  const rates = (
    await t
      .selectFrom('charging_rate')
      .selectAll()
      .where('tariff_version', '=', v)
      .orderBy('id')
      .execute()
  ).map((r) => ({
    id: r.id,
    connectionFeeMinor: r.connection_fee_minor,
    firstBlockSeconds: Number(r.first_block_seconds),
    incrementSeconds: Number(r.increment_seconds),
    priceMinor: r.price_minor,
    unitSeconds: Number(r.unit_seconds),
    minimumCostMinor: r.minimum_cost_minor,
    disconnectFeeMinor: r.disconnect_fee_minor,
  }));

  const timings = (
    await t
      .selectFrom('charging_timing')
      .selectAll()
      .where('tariff_version', '=', v)
      .orderBy('id')
      .execute()
  ).map((row) => ({
    id: row.id,
    weekdays: row.weekdays === ANY ? null : row.weekdays.split(';').map(storedWeekday),
    startMinute: Number(row.start_minute),
    endMinute: Number(row.end_minute),
  }));

  const entryRows = await t
    .selectFrom('charging_plan_entry')
    .selectAll()
    .where('tariff_version', '=', v)
    .orderBy('plan_id')
    .orderBy('destination_id')
    .orderBy('weight', 'desc')
    .execute();
  const plans = new Map<string, RatingPlan['entries'][number][]>();
  for (const e of entryRows) {
    const list = plans.get(e.plan_id) ?? [];
    list.push({
      destinationId: e.destination_id,
      rateId: e.rate_id,
      timingId: e.timing_id,
      weight: Number(e.weight),
    });
    plans.set(e.plan_id, list);
  }

  const activations = (
    await t
      .selectFrom('charging_plan_activation')
      .selectAll()
      .where('tariff_version', '=', v)
      .orderBy('service')
      .orderBy('activates_at_ms')
      .execute()
  ).map((a) => {
    assert(isService(a.service), 'stored service is known');
    return { service: a.service, activatesAtMs: a.activates_at_ms, planId: a.plan_id };
  });

  return {
    currency: head.currency,
    timeZone: head.time_zone,
    numbering: {
      countryCode: head.country_code,
      nationalPrefix: head.national_prefix,
      internationalPrefixes:
        head.international_prefixes === '' ? [] : head.international_prefixes.split(';'),
    },
    destinations,
    rates,
    timings,
    plans: [...plans].map(([id, entries]) => ({ id, entries })),
    activations,
  };
}

function storedWeekday(value: string): Weekday {
  assert(isWeekday(value), `stored weekday ${value} is known`);
  return value;
}
