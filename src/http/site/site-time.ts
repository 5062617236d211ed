import { MS_PER_DAY } from '../../kernel/index.ts';

/**
 * The site shows and reads times in Korea Standard Time (UTC+9, no daylight saving), whatever
 * the page's language: a holder's "1 March" is the Korean calendar day their card was used.
 */
export const SITE_UTC_OFFSET_MS = 9n * 3_600_000n;
export const SITE_TIME_ZONE_LABEL = 'KST';

const DATE_INPUT = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
/** Dates a holder may type: statements start in 2000 and end before 2100. */
const YEAR_MIN = 2000;
const YEAR_MAX = 2099;

function shifted(ms: bigint): string {
  return new Date(Number(ms + SITE_UTC_OFFSET_MS)).toISOString();
}

/** "2026-03-01" */
export function siteDate(ms: bigint): string {
  return shifted(ms).slice(0, 10);
}

/** "2026-03" */
export function siteMonth(ms: bigint): string {
  return shifted(ms).slice(0, 7);
}

/** "2026-03-01 14:05" */
export function siteDateTime(ms: bigint): string {
  return shifted(ms).slice(0, 16).replace('T', ' ');
}

/**
 * The start of a calendar day typed as YYYY-MM-DD, in KST, as epoch ms; null when it is not a
 * real date (2026-02-30) or outside the years a statement can cover.
 */
export function startOfSiteDay(text: string): bigint | null {
  const match = DATE_INPUT.exec(text);
  if (match === null) return null;
  const [, y = '', m = '', d = ''] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < YEAR_MIN || year > YEAR_MAX || month < 1 || month > 12 || day < 1) return null;
  const utcMs = Date.UTC(year, month - 1, day);
  const check = new Date(utcMs);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return BigInt(utcMs) - SITE_UTC_OFFSET_MS;
}

/** The start of the day after, for an inclusive "to" date. */
export function startOfNextSiteDay(text: string): bigint | null {
  const start = startOfSiteDay(text);
  return start === null ? null : start + MS_PER_DAY;
}
