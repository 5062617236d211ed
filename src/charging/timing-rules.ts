import { assert } from '../kernel/index.ts';
import { WEEKDAYS, type Timing, type Weekday } from './types.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Seoul';

/** A moment as the operator's wall clock shows it. */
export interface LocalTime {
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0–1439. */
  readonly minuteOfDay: number;
}

const SHORT_WEEKDAY: Readonly<Record<string, Weekday>> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** Formatters are costly to build; tariffs use one or two time zones, so this stays tiny. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA time zone (`Asia/Seoul`, `UTC`, …). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local weekday and minute of a UTC instant in `timeZone` (daylight saving included). */
export function localTime(atMs: bigint, timeZone: string): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(Number(atMs)));
  let weekday: Weekday | undefined;
  let hour = -1;
  let minute = -1;
  for (const part of parts) {
    if (part.type === 'weekday') weekday = SHORT_WEEKDAY[part.value];
    else if (part.type === 'hour') hour = Number.parseInt(part.value, 10);
    else if (part.type === 'minute') minute = Number.parseInt(part.value, 10);
  }
  assert(weekday !== undefined, 'Intl gave a weekday');
  assert(hour >= 0 && hour < 24 && minute >= 0 && minute < 60, 'Intl gave a 24-hour time');
  return { weekday, minuteOfDay: hour * 60 + minute };
}

/** Does the window hold this local moment? See `Timing` for the wrap-around rule. */
export function timingMatches(timing: Timing, local: LocalTime): boolean {
  if (timing.weekdays !== null && !timing.weekdays.includes(local.weekday)) return false;
  const m = local.minuteOfDay;
  if (timing.startMinute < timing.endMinute) {
    return m >= timing.startMinute && m < timing.endMinute;
  }
  return m >= timing.startMinute || m < timing.endMinute;
}

/** Parses `HH:MM` (00:00–24:00) into minutes of the day, or null. */
export function parseClock(text: string): number | null {
  const m = /^([01][0-9]|2[0-4]):([0-5][0-9])$/.exec(text);
  if (m === null) return null;
  const minutes = Number.parseInt(m[1] ?? '', 10) * 60 + Number.parseInt(m[2] ?? '', 10);
  return minutes <= 1440 ? minutes : null;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function isWeekday(value: string): value is Weekday {
  return (WEEKDAYS as readonly string[]).includes(value);
}
