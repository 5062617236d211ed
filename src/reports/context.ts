import type { Clock } from '../kernel/index.ts';
import type { Database } from '../storage/index.ts';

/** What the finance reports need: the database (read only) and the clock for "now". */
export interface ReportsContext {
  readonly db: Database;
  readonly clock: Clock;
}

/** A SUM or COUNT as the driver returns it (PostgreSQL: numeric text; SQLite: a number). */
export function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  throw new TypeError(`not a number from the database: ${typeof value}`);
}

/** Adds `amount` to the total kept under `key`. */
export function addTo(map: Map<string, bigint>, key: string, amount: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

export const SEOUL_OFFSET_MS = 9n * 3_600_000n;

/** `2026-12` for an instant, in Asia/Seoul (UTC+9 all year). */
export function seoulMonth(ms: bigint): string {
  return new Date(Number(ms + SEOUL_OFFSET_MS)).toISOString().slice(0, 7);
}

/** `2026-12-31` for an instant, in Asia/Seoul. */
export function seoulDate(ms: bigint): string {
  return new Date(Number(ms + SEOUL_OFFSET_MS)).toISOString().slice(0, 10);
}
