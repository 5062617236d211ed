import { assert } from './assert.ts';

/**
 * Every loop, queue, page and attempt has a named limit, kept here so related limits can be
 * checked against each other at start-up.
 */
export const limits = {
  /** Largest amount one transfer may carry: JSON numbers stay exact below 2^53. */
  amountMaxMinor: 9_007_199_254_740_991n,
  /** Account totals live in signed 64-bit columns. */
  totalMaxMinor: 9_223_372_036_854_775_807n,
  /** Transfers one ledger batch may hold (one database transaction). */
  batchSizeMax: 8_190,
  /** Retries of a whole transaction after a deadlock, serialization failure or busy database. */
  transactionRetriesMax: 12,
  /** Longest hold a pending transfer may ask for: 30 days. */
  holdTimeoutMaxMs: 30n * 86_400_000n,
  /** Failed password attempts before a card locks, counted across every channel. */
  pinAttemptsMax: 5,
  /** Every refused PIN + password check takes at least this long, so timing tells nothing. */
  authFailureFloorMs: 60,
  /** Cards one issuance run may create. */
  issueCountMax: 1_000_000,
  /** Cards inserted per database transaction during issuance. */
  issueChunkSize: 2_000,
  /** Statement and list pages. */
  pageSizeDefault: 50,
  pageSizeMax: 500,
  /** Largest balance a card may hold, per currency, in minor units (2,000,000 won). */
  cardBalanceMaxMinor: {
    KRW: 2_000_000n,
    JPY: 200_000n,
    USD: 200_000n,
    EUR: 200_000n,
    CNY: 1_000_000n,
    GBP: 200_000n,
  },
  /** Largest single recharge, per currency, in minor units (1,000,000 won). */
  rechargeMaxMinor: {
    KRW: 1_000_000n,
    JPY: 100_000n,
    USD: 100_000n,
    EUR: 100_000n,
    CNY: 500_000n,
    GBP: 100_000n,
  },
  /** Activation secrets (claim links, one-time codes) live this long. */
  activationSecretTtlMs: 7n * 86_400_000n,
  /** Keys a key file may hold (each lookup tries every key). */
  pinKeysMax: 8,
  /** Length limits for caller-supplied identifiers and references. */
  idLengthMax: 64,
  referenceLengthMax: 128,
  /** Expired holds and cards handled per worker pass. */
  expiryBatchMax: 500,
  /** Worker poll interval. */
  workerIntervalMs: 1_000,
} as const;

/** Related limits must agree; called once at start-up. */
export function assertLimits(): void {
  assert(limits.amountMaxMinor < limits.totalMaxMinor, 'amount max below total max');
  assert(limits.pageSizeDefault <= limits.pageSizeMax, 'page default within max');
  assert(limits.issueChunkSize <= limits.issueCountMax, 'issue chunk within count');
  for (const currency of Object.keys(
    limits.rechargeMaxMinor,
  ) as (keyof typeof limits.rechargeMaxMinor)[]) {
    assert(
      limits.rechargeMaxMinor[currency] <= limits.cardBalanceMaxMinor[currency],
      `${currency}: recharge max within balance max`,
    );
  }
  assert(limits.pinAttemptsMax > 0 && limits.pinAttemptsMax < 100, 'sane attempts limit');
  assert(limits.batchSizeMax > 0 && limits.batchSizeMax <= 8_190, 'batch fits one transaction');
}
