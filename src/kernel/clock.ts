/**
 * Time enters the system only through a Clock, so pure decisions take `nowMs` as an argument
 * and tests can move time.
 */
export interface Clock {
  nowMs(): bigint;
}

export const systemClock: Clock = {
  nowMs: () => BigInt(Date.now()),
};

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #nowMs: bigint;
  constructor(startMs: bigint = 1_767_225_600_000n /* 2026-01-01T00:00:00Z */) {
    this.#nowMs = startMs;
  }
  nowMs(): bigint {
    return this.#nowMs;
  }
  advance(ms: bigint): void {
    this.#nowMs += ms;
  }
  set(ms: bigint): void {
    this.#nowMs = ms;
  }
}

export const MS_PER_SECOND = 1_000n;
export const MS_PER_DAY = 86_400_000n;

export function isoFromMs(ms: bigint): string {
  return new Date(Number(ms)).toISOString();
}
