import { assert } from '../kernel/index.ts';

/**
 * Waits after the 1st, 2nd, … failed attempt. A mail server that is down is usually back
 * within minutes; one that still refuses after the last wait (about 21 hours after the first
 * attempt) is not going to take the mail, and an operator can retry it by hand.
 */
export const EMAIL_RETRY_DELAYS_MS: readonly bigint[] = [
  60_000n, // 1 min
  5n * 60_000n, // 5 min
  30n * 60_000n, // 30 min
  2n * 3_600_000n, // 2 h
  6n * 3_600_000n, // 6 h
  12n * 3_600_000n, // 12 h
];
/** One first attempt plus one retry per delay. */
export const EMAIL_ATTEMPTS_MAX = EMAIL_RETRY_DELAYS_MS.length + 1;

/**
 * When to try again after `attemptsMade` attempts have failed, or null to give up. Pure: the
 * caller passes the time.
 */
export function nextEmailAttemptAtMs(input: {
  readonly attemptsMade: number;
  readonly nowMs: bigint;
}): bigint | null {
  assert(Number.isSafeInteger(input.attemptsMade) && input.attemptsMade >= 1, 'after an attempt');
  if (input.attemptsMade >= EMAIL_ATTEMPTS_MAX) return null;
  const delayMs = EMAIL_RETRY_DELAYS_MS[input.attemptsMade - 1];
  assert(delayMs !== undefined && delayMs > 0n, 'a delay for every retry');
  return input.nowMs + delayMs;
}
