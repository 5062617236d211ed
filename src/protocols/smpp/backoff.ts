/**
 * Waits, as pure functions of the count of failures so far and a random number in [0, 1):
 * capped exponential backoff with jitter. The jitter takes the wait down by up to half, so many
 * clients that lost the same SMSC do not come back in step.
 */
export interface BackoffPolicy {
  /** The first wait. */
  readonly initialMs: number;
  /** No wait is longer. */
  readonly maxMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };
export const THROTTLE_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * The wait after the `failures`-th failure in a row (1 = the first): `initialMs · 2^(n−1)`,
 * capped at `maxMs`, then reduced by `random · 50 %`. Always at least 1 ms.
 */
export function backoffMs(policy: BackoffPolicy, failures: number, random: number): number {
  if (!Number.isSafeInteger(failures) || failures < 1) throw new RangeError('failures ≥ 1');
  if (!(random >= 0 && random < 1)) throw new RangeError('random in [0, 1)');
  const exponent = Math.min(failures - 1, 30);
  const full = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.max(1, Math.round(full * (1 - random / 2)));
}
