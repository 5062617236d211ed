/**
 * The charging module's named limits. They live here rather than in the kernel because only
 * rating and tariff import use them; `assertChargingLimits` checks the related ones agree.
 */
import { assert, limits } from '../kernel/index.ts';

export const CHARGING_LIMITS = {
  /** E.164 allows at most 15 digits (country code included). */
  e164DigitsMax: 15,
  /** Shorter than this after normalization is not a number we can route (82 + a 3-digit code). */
  e164DigitsMin: 5,
  /** Characters a dialled string may have before normalization (separators included). */
  dialledCharsMax: 32,
  /** Longest prefix a destination may hold: a whole E.164 number. */
  prefixDigitsMax: 15,
  /** Longest duration we rate or grant in one go (a day); grants are far smaller. */
  billableSecondsMax: 86_400,
  /** Longest first block or increment a rate may have (an hour). */
  blockSecondsMax: 3_600,
  /** Largest rate unit (a day): prices are per `unitSeconds`. */
  unitSecondsMax: 86_400,
  /** Highest weight a rating-plan entry may carry. */
  weightMax: 1_000_000,
  /** Tariff file bounds: bytes, records, and how many bad lines one report lists. */
  importBytesMax: 64 * 1024 * 1024,
  importRecordsMax: 1_000_000,
  importErrorsMax: 1_000,
  /** A CSV field longer than this is refused (ids, names, times are short). */
  csvFieldCharsMax: 200,
  /** Rows per INSERT statement when storing a tariff (PostgreSQL allows 65,535 parameters). */
  insertRowsMax: 500,
  /** Tariff versions kept decoded in memory per process (each may hold 100k prefixes). */
  tariffCacheMax: 2,
} as const;

/** Related limits must agree; called by tests and may be called at start-up. */
export function assertChargingLimits(): void {
  const l = CHARGING_LIMITS;
  assert(l.e164DigitsMin < l.e164DigitsMax, 'e164 min below max');
  assert(l.prefixDigitsMax <= l.e164DigitsMax, 'a prefix fits in a number');
  assert(l.blockSecondsMax <= l.billableSecondsMax, 'a block fits in a billable duration');
  assert(l.insertRowsMax * 10 < 32_766, 'an insert stays under the SQLite parameter limit');
  assert(BigInt(l.billableSecondsMax) < limits.amountMaxMinor, 'seconds fit exact integers');
  assert(l.tariffCacheMax >= 1, 'the cache holds the current tariff');
}
