import type { CsvRecord } from './csv.ts';
import { parseIsoInstant } from './iso-time.ts';
import { CHARGING_LIMITS } from './limits.ts';
import {
  readId,
  readMoney,
  readPrefix,
  readWeekdays,
  readWhole,
  type FieldReport,
} from './tariff-fields.ts';
import { SETTINGS, isSettingName, type SettingName } from './tariff-settings.ts';
import { parseClock } from './timing-rules.ts';
import {
  SERVICES,
  isService,
  type PlanActivation,
  type PlanEntry,
  type Rate,
  type Timing,
} from './types.ts';

/**
 * The combined tariff file: one CSV, one record a line, the first field naming the record's
 * kind (CGRateS keeps one file per kind; one file is easier to hand to a CLI and to version).
 * The columns of each kind are fixed; docs/charging.md "Tariff CSV" is the reference. The last
 * column of `destination` and `rate` may be left out.
 */
export const TARIFF_COLUMNS = {
  setting: ['kind', 'name', 'value'],
  destination: ['kind', 'destination_id', 'prefix', 'destination_name'],
  rate: [
    'kind',
    'rate_id',
    'connection_fee_minor',
    'first_block_seconds',
    'increment_seconds',
    'price_minor',
    'unit_seconds',
    'minimum_cost_minor',
    'disconnect_fee_minor',
  ],
  timing: ['kind', 'timing_id', 'weekdays', 'start', 'end'],
  plan: ['kind', 'plan_id', 'destination_id', 'rate_id', 'timing_id', 'weight'],
  activation: ['kind', 'service', 'activates_at', 'plan_id'],
} as const;

type Kind = keyof typeof TARIFF_COLUMNS;
const OPTIONAL_LAST: readonly Kind[] = ['destination', 'rate'];

const DESTINATION_NAME_CHARS_MAX = 100;

export interface Lined<T> {
  readonly line: number;
  readonly value: T;
}

/** What the good records of a file said, before references between them are checked. */
export interface TariffRecords {
  readonly settings: Map<SettingName, Lined<string>>;
  readonly destinations: Map<string, { line: number; name: string | null; prefixes: string[] }>;
  readonly prefixOwner: Map<string, string>;
  readonly rates: Map<string, Lined<Rate>>;
  readonly timings: Map<string, Lined<Timing>>;
  readonly entries: Lined<PlanEntry & { readonly planId: string }>[];
  readonly activations: Lined<PlanActivation>[];
  /**
   * `kind:id` of destinations, rates and timings whose own line was bad, and plans named on
   * any plan line: references to them are not reported again (one mistake, one error).
   */
  readonly brokenIds: Set<string>;
  readonly namedPlans: Set<string>;
}

export function newTariffRecords(): TariffRecords {
  return {
    settings: new Map(),
    destinations: new Map(),
    prefixOwner: new Map(),
    rates: new Map(),
    timings: new Map(),
    entries: [],
    activations: [],
    brokenIds: new Set(),
    namedPlans: new Set(),
  };
}

/** Reads one CSV record into `records`, reporting each bad field against the record's line. */
export function readRecord(
  records: TariffRecords,
  record: CsvRecord,
  reportAt: (line: number, field: string, reason: string) => void,
): void {
  const { line, fields } = record;
  const report: FieldReport = (field, reason) => reportAt(line, field, reason);
  const kind = (fields[0] ?? '').trim();
  if (!Object.hasOwn(TARIFF_COLUMNS, kind)) {
    report('kind', `unknown kind "${kind}" (expected ${Object.keys(TARIFF_COLUMNS).join(', ')})`);
    return;
  }
  const k = kind as Kind;
  const columns = TARIFF_COLUMNS[k];
  const countOk =
    fields.length === columns.length ||
    (OPTIONAL_LAST.includes(k) && fields.length === columns.length - 1);
  if (!countOk) {
    report(
      'record',
      `a ${k} record has ${columns.length} fields (${columns.join(',')}), this one has ${fields.length}`,
    );
    return;
  }
  const f = fields.map((field) => field.trim());
  const at = (i: number): string => f[i] ?? '';
  switch (k) {
    case 'setting':
      readSetting(records, line, report, at);
      return;
    case 'destination':
      readDestination(records, line, report, at);
      return;
    case 'rate':
      readRate(records, line, report, at);
      return;
    case 'timing':
      readTiming(records, line, report, at);
      return;
    case 'plan':
      readPlan(records, line, report, at);
      return;
    case 'activation':
      readActivation(records, line, report, at);
      return;
  }
}

type Field = (index: number) => string;

function readSetting(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const name = at(1);
  if (!isSettingName(name)) {
    report('name', `unknown setting "${name}" (expected ${SETTINGS.join(', ')})`);
    return;
  }
  const earlier = r.settings.get(name);
  if (earlier !== undefined) {
    report('name', `${name} is already set on line ${earlier.line}`);
    return;
  }
  r.settings.set(name, { line, value: at(2) });
}

function readDestination(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const destinationId = readId(report, 'destination_id', at(1));
  const prefix = readPrefix(report, at(2));
  const name = at(3);
  if (name.length > DESTINATION_NAME_CHARS_MAX) {
    report('destination_name', `is longer than ${DESTINATION_NAME_CHARS_MAX} characters`);
    return;
  }
  if (destinationId !== null && prefix === null) r.brokenIds.add(`destination:${destinationId}`);
  if (destinationId === null || prefix === null) return;
  const owner = r.prefixOwner.get(prefix);
  if (owner !== undefined) {
    report('prefix', `${at(2)} is already in destination ${owner}`);
    return;
  }
  const existing = r.destinations.get(destinationId);
  if (existing !== undefined && existing.name !== null && name !== '' && existing.name !== name) {
    report(
      'destination_name',
      `differs from "${existing.name}" given earlier for ${destinationId}`,
    );
    return;
  }
  r.prefixOwner.set(prefix, destinationId);
  if (existing === undefined) {
    r.destinations.set(destinationId, {
      line,
      name: name === '' ? null : name,
      prefixes: [prefix],
    });
  } else {
    existing.prefixes.push(prefix);
    if (existing.name === null && name !== '') existing.name = name;
  }
}

function readRate(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const rateId = readId(report, 'rate_id', at(1));
  const blockMax = CHARGING_LIMITS.blockSecondsMax;
  const rate = {
    connectionFeeMinor: readMoney(report, 'connection_fee_minor', at(2)),
    firstBlockSeconds: readWhole(report, 'first_block_seconds', at(3), 1, blockMax),
    incrementSeconds: readWhole(report, 'increment_seconds', at(4), 1, blockMax),
    priceMinor: readMoney(report, 'price_minor', at(5)),
    unitSeconds: readWhole(report, 'unit_seconds', at(6), 1, CHARGING_LIMITS.unitSecondsMax),
    minimumCostMinor: readMoney(report, 'minimum_cost_minor', at(7)),
    disconnectFeeMinor: readMoney(report, 'disconnect_fee_minor', at(8), { optional: true }),
  };
  if (rateId === null) return;
  const earlier = r.rates.get(rateId);
  if (earlier !== undefined) {
    report('rate_id', `${rateId} is already defined on line ${earlier.line}`);
    return;
  }
  const {
    connectionFeeMinor,
    firstBlockSeconds,
    incrementSeconds,
    priceMinor,
    unitSeconds,
    minimumCostMinor,
    disconnectFeeMinor,
  } = rate;
  if (
    connectionFeeMinor === null ||
    firstBlockSeconds === null ||
    incrementSeconds === null ||
    priceMinor === null ||
    unitSeconds === null ||
    minimumCostMinor === null ||
    disconnectFeeMinor === null
  ) {
    r.brokenIds.add(`rate:${rateId}`);
    return;
  }
  r.rates.set(rateId, {
    line,
    value: {
      id: rateId,
      connectionFeeMinor,
      firstBlockSeconds,
      incrementSeconds,
      priceMinor,
      unitSeconds,
      minimumCostMinor,
      disconnectFeeMinor,
    },
  });
}

function readTiming(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const timingId = readId(report, 'timing_id', at(1));
  const weekdays = readWeekdays(report, at(2));
  const start = parseClock(at(3));
  const startMinute = start !== null && start < 1440 ? start : null;
  if (startMinute === null) report('start', 'must be a time HH:MM from 00:00 to 23:59');
  const end = parseClock(at(4));
  let endMinute = end !== null && end > 0 ? end : null;
  if (endMinute === null) {
    report('end', 'must be a time HH:MM from 00:01 to 24:00');
  } else if (endMinute === startMinute) {
    report('end', 'equals the start: the window would be empty');
    endMinute = null;
  }
  if (timingId === null) return;
  const earlier = r.timings.get(timingId);
  if (earlier !== undefined) {
    report('timing_id', `${timingId} is already defined on line ${earlier.line}`);
    return;
  }
  if (weekdays === null || startMinute === null || endMinute === null) {
    r.brokenIds.add(`timing:${timingId}`);
    return;
  }
  r.timings.set(timingId, {
    line,
    value: { id: timingId, weekdays: weekdays.days, startMinute, endMinute },
  });
}

function readPlan(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const planId = readId(report, 'plan_id', at(1));
  const destinationId = readId(report, 'destination_id', at(2));
  const rateId = readId(report, 'rate_id', at(3));
  const timingId = readId(report, 'timing_id', at(4));
  const weight = readWhole(report, 'weight', at(5), 0, CHARGING_LIMITS.weightMax);
  if (planId !== null) r.namedPlans.add(planId);
  if (planId === null || destinationId === null || rateId === null || timingId === null) return;
  if (weight === null) return;
  r.entries.push({ line, value: { planId, destinationId, rateId, timingId, weight } });
}

function readActivation(r: TariffRecords, line: number, report: FieldReport, at: Field): void {
  const service = at(1);
  if (!isService(service)) report('service', `must be one of ${SERVICES.join(', ')}`);
  const activatesAtMs = parseIsoInstant(at(2));
  if (activatesAtMs === null) {
    report(
      'activates_at',
      'must be an ISO 8601 time with an offset, like 2026-03-01T00:00:00+09:00',
    );
  }
  const planId = readId(report, 'plan_id', at(3));
  if (!isService(service) || activatesAtMs === null || planId === null) return;
  r.activations.push({ line, value: { service, activatesAtMs, planId } });
}
