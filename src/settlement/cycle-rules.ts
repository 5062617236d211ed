import { MS_PER_DAY, assert } from '../kernel/index.ts';

/**
 * Settlement cycles, in Korean time. Asia/Seoul is UTC+9 all year (no daylight saving since
 * 1988), so a fixed offset is exact for every date a settlement can cover. A daily cycle ends
 * at local midnight; a weekly cycle ends on Monday at 00:00 local time. Pure.
 */
export const SEOUL_OFFSET_MS = 9n * 3_600_000n;

export const CYCLES = ['daily', 'weekly'] as const;
export type Cycle = (typeof CYCLES)[number];

export function isCycle(value: unknown): value is Cycle {
  return value === 'daily' || value === 'weekly';
}

export const CYCLE_LENGTH_MS: Readonly<Record<Cycle, bigint>> = {
  daily: MS_PER_DAY,
  weekly: 7n * MS_PER_DAY,
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** The local (Seoul) day number since 1970-01-01 of an instant. */
function localDay(ms: bigint): bigint {
  return floorDiv(ms + SEOUL_OFFSET_MS, MS_PER_DAY);
}

/** The instant local midnight starts a local day. */
function dayStartMs(day: bigint): bigint {
  return day * MS_PER_DAY - SEOUL_OFFSET_MS;
}

/** Monday = 0 … Sunday = 6. Day 0 (1970-01-01) was a Thursday. */
export function localWeekday(ms: bigint): number {
  return Number((((localDay(ms) + 3n) % 7n) + 7n) % 7n);
}

/** The end (exclusive) of the cycle that contains the instant. */
export function cycleEndOf(cycle: Cycle, ms: bigint): bigint {
  const day = localDay(ms);
  if (cycle === 'daily') return dayStartMs(day + 1n);
  const monday = day - BigInt(localWeekday(ms));
  return dayStartMs(monday + 7n);
}

export function cycleStartOf(cycle: Cycle, endMs: bigint): bigint {
  return endMs - CYCLE_LENGTH_MS[cycle];
}

/** Whether the instant is where a cycle ends (local midnight; for weekly, Monday's). */
export function isCycleBoundary(cycle: Cycle, ms: bigint): boolean {
  return cycleEndOf(cycle, ms - 1n) === ms;
}

/** The latest cycle end at or before the instant. */
export function lastBoundaryAtOrBefore(cycle: Cycle, ms: bigint): bigint {
  const end = cycleEndOf(cycle, ms);
  return end === ms ? end : end - CYCLE_LENGTH_MS[cycle];
}

/** `YYYY-MM-DD` of the local date of an instant. */
export function localDate(ms: bigint): string {
  const shifted = new Date(Number(ms + SEOUL_OFFSET_MS));
  return shifted.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM` local time, for statements. */
export function localDateTime(ms: bigint): string {
  const shifted = new Date(Number(ms + SEOUL_OFFSET_MS));
  const iso = shifted.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Local midnight starting the given `YYYY-MM-DD`, or null when it is not a real date. */
export function localMidnight(date: string): bigint | null {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(date);
  if (m === null) return null;
  const [, y, mo, d] = m;
  assert(y !== undefined && mo !== undefined && d !== undefined, 'three groups');
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== date) return null;
  return BigInt(utc) - SEOUL_OFFSET_MS;
}
