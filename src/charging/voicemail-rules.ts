import { MS_PER_DAY, MS_PER_SECOND, assert, limits, type Currency } from '../kernel/index.ts';
import { DEFAULT_TIME_ZONE } from './timing-rules.ts';

/**
 * Pure decisions for prepaid voicemail mailboxes: calendar months in the operator's time zone,
 * and what the fee worker does with a mailbox that is due. No I/O; `nowMs` is an argument.
 */

export const MAILBOX_STATES = ['open', 'suspended', 'closed'] as const;
export type MailboxState = (typeof MAILBOX_STATES)[number];

export const MAILBOX_LANGUAGES = ['ko', 'en'] as const;
/** The language of the mailbox's prompts and greeting. */
export type MailboxLanguage = (typeof MAILBOX_LANGUAGES)[number];

export function isMailboxLanguage(value: string): value is MailboxLanguage {
  return (MAILBOX_LANGUAGES as readonly string[]).includes(value);
}

export function isMailboxState(value: string): value is MailboxState {
  return (MAILBOX_STATES as readonly string[]).includes(value);
}

/** How deposits and retrievals are counted for the tariff's `voicemail` rate. */
export type VoicemailUnit = 'second' | 'message';

export interface VoicemailPolicy {
  /** The monthly fee when the operator gives none at opening, per currency (1,100 won). */
  readonly defaultFeeMinor: Readonly<Partial<Record<Currency, bigint>>>;
  /** How long a suspended mailbox waits for its card to pay before it is closed. */
  readonly graceDays: number;
  /** How long the worker waits before trying a suspended mailbox's card again. */
  readonly retryIntervalSeconds: number;
  /**
   * `second`: a deposit or retrieval is charged for its seconds (a per-minute tariff rate);
   * `message`: one unit per message, whatever its length (a per-message rate priced 1/1).
   */
  readonly chargeBy: VoicemailUnit;
  /** Months are calendar months on this wall clock (the operator's, Asia/Seoul). */
  readonly timeZone: string;
}

export const DEFAULT_VOICEMAIL_POLICY: VoicemailPolicy = {
  defaultFeeMinor: { KRW: 1_100n },
  graceDays: 30,
  retryIntervalSeconds: 3_600,
  chargeBy: 'second',
  timeZone: DEFAULT_TIME_ZONE,
};

export function assertVoicemailPolicy(policy: VoicemailPolicy): void {
  assert(
    Number.isSafeInteger(policy.graceDays) && policy.graceDays >= 0 && policy.graceDays <= 366,
    'graceDays is a whole number of days from 0 to 366',
  );
  assert(
    Number.isSafeInteger(policy.retryIntervalSeconds) && policy.retryIntervalSeconds >= 1,
    'retryIntervalSeconds is a whole number ≥ 1',
  );
  assert(policy.chargeBy === 'second' || policy.chargeBy === 'message', 'chargeBy is known');
  for (const [currency, fee] of Object.entries(policy.defaultFeeMinor)) {
    assert(
      fee >= 0n && fee <= limits.cardBalanceMaxMinor[currency as Currency],
      `the default ${currency} fee fits a card`,
    );
  }
  // Throws for a zone the runtime does not know.
  localDateTime(0n, policy.timeZone);
}

/** A wall-clock moment in a time zone, to the millisecond. */
export interface LocalDateTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock of `timeZone` at a UTC instant. */
export function localDateTime(atMs: bigint, timeZone: string): LocalDateTime {
  const ms = Number(atMs);
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number.parseInt(part.value, 10);
  }
  const { year, month, day, hour, minute, second } = fields;
  assert(
    year !== undefined &&
      month !== undefined &&
      day !== undefined &&
      hour !== undefined &&
      minute !== undefined &&
      second !== undefined,
    'Intl gave every date field',
  );
  return { year, month, day, hour, minute, second, millisecond: ((ms % 1000) + 1000) % 1000 };
}

function wallAsUtcMs(t: LocalDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.millisecond);
}

/** The zone's offset from UTC at an instant, in ms (Asia/Seoul: +9 h). */
function offsetMs(atMs: number, timeZone: string): number {
  return wallAsUtcMs(localDateTime(BigInt(atMs), timeZone)) - atMs;
}

/**
 * The UTC instant a wall-clock time names in `timeZone`. Asia/Seoul keeps no daylight saving
 * (since 1988), so every wall time names exactly one instant; in a zone that does, a time in the
 * spring gap moves by the gap and one in the autumn overlap takes the later offset.
 */
export function utcFromLocal(t: LocalDateTime, timeZone: string): bigint {
  const wall = wallAsUtcMs(t);
  const first = wall - offsetMs(wall, timeZone);
  return BigInt(wall - offsetMs(first, timeZone));
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `months` calendar months after `anchorMs`, on the wall clock of `timeZone`: the same day of
 * the month at the same time of day, or the month's last day when it is shorter. Counted from
 * the anchor every time, never from the previous result, so the day does not drift:
 * opened 31 January → 28 (or 29) February → 31 March → 30 April.
 */
export function addCalendarMonths(anchorMs: bigint, months: number, timeZone: string): bigint {
  assert(Number.isSafeInteger(months) && months >= 0, 'months is a whole number ≥ 0');
  const a = localDateTime(anchorMs, timeZone);
  const index = a.year * 12 + (a.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(a.day, daysInMonth(year, month));
  return utcFromLocal({ ...a, year, month, day }, timeZone);
}

/** What the mailbox looks like to the fee decision. */
export interface MailboxDue {
  readonly state: MailboxState;
  /** Months are counted from here: the opening, or the last time a suspended mailbox paid. */
  readonly anchorAtMs: bigint;
  /** Months paid since the anchor (≥ 1: a mailbox exists only once its first month is paid). */
  readonly anchorMonths: number;
  readonly paidUntilMs: bigint;
  readonly nextChargeAtMs: bigint | null;
}

export type FeeStep =
  /** Nothing to do yet (not due, or closed). */
  | { readonly kind: 'wait' }
  /** Take one month's fee for [startMs, paidUntilMs) and keep (or make) the mailbox open. */
  | {
      readonly kind: 'charge';
      readonly periodStartMs: bigint;
      readonly paidUntilMs: bigint;
      readonly anchorAtMs: bigint;
      readonly anchorMonths: number;
    }
  /** The card cannot pay: suspend (or stay suspended) and try again at `retryAtMs`. */
  | { readonly kind: 'suspend'; readonly retryAtMs: bigint }
  /** The grace period is over: close the mailbox, the number is free again. */
  | { readonly kind: 'close' };

/** When a mailbox whose paid time ended at `paidUntilMs` is closed if its card never pays. */
export function graceEndMs(paidUntilMs: bigint, policy: VoicemailPolicy): bigint {
  return paidUntilMs + BigInt(policy.graceDays) * MS_PER_DAY;
}

/** The first month of a mailbox opened (or resumed) at `nowMs`. */
export function firstMonth(nowMs: bigint, policy: VoicemailPolicy): FeeStep & { kind: 'charge' } {
  return {
    kind: 'charge',
    periodStartMs: nowMs,
    paidUntilMs: addCalendarMonths(nowMs, 1, policy.timeZone),
    anchorAtMs: nowMs,
    anchorMonths: 1,
  };
}

/**
 * The worker's decision for one mailbox at `nowMs`, given whether its card can pay one fee now:
 *
 * - open and paid up (`nowMs` before its paid time ends) → wait;
 * - open and due: the card pays → the next month, which starts where the paid time ended (the
 *   mailbox stayed open, so there is no gap); it cannot → suspend, retry later;
 * - suspended: past the grace period (counted from the end of the paid time) → close; before,
 *   the card pays → a new month from now (the suspended days are not charged, and months are
 *   counted from now on); it cannot → stay suspended, retry later.
 *
 * A retry is never set past the end of the grace period, so the close happens on time.
 */
export function feeStep(
  mailbox: MailboxDue,
  nowMs: bigint,
  canPay: boolean,
  policy: VoicemailPolicy,
): FeeStep {
  if (mailbox.state === 'closed') return { kind: 'wait' };
  if (mailbox.nextChargeAtMs !== null && nowMs < mailbox.nextChargeAtMs) return { kind: 'wait' };
  if (mailbox.state === 'open' && nowMs < mailbox.paidUntilMs) return { kind: 'wait' };
  const graceEnd = graceEndMs(mailbox.paidUntilMs, policy);
  if (mailbox.state === 'suspended' && nowMs >= graceEnd) return { kind: 'close' };
  if (!canPay) {
    const retry = nowMs + BigInt(policy.retryIntervalSeconds) * MS_PER_SECOND;
    return { kind: 'suspend', retryAtMs: retry < graceEnd ? retry : graceEnd };
  }
  if (mailbox.state === 'suspended') return firstMonth(nowMs, policy);
  const anchorMonths = mailbox.anchorMonths + 1;
  return {
    kind: 'charge',
    periodStartMs: mailbox.paidUntilMs,
    paidUntilMs: addCalendarMonths(mailbox.anchorAtMs, anchorMonths, policy.timeZone),
    anchorAtMs: mailbox.anchorAtMs,
    anchorMonths,
  };
}

/** The units a deposit or retrieval of `seconds` is charged for under the policy. */
export function voicemailUnits(seconds: number, policy: VoicemailPolicy): number {
  return policy.chargeBy === 'message' ? 1 : seconds;
}
