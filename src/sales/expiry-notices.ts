import { cardsExpiringBetween, type ExpiringCard } from '../cards/index.ts';
import { MS_PER_DAY, assert, formatMoney, isCurrency } from '../kernel/index.ts';
import { availableBalance } from '../ledger/index.ts';
import { enqueueEmail, enqueueSms } from '../notify/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { holderOf, type Holder } from './holders.ts';

/** Days before expiry at which holders are told: the first at 30 days, the last at 7. */
export const DEFAULT_NOTICE_WINDOWS_DAYS: readonly number[] = [30, 7];
/** Cards read per page while looking for notices to send. */
const PAGE = 200;
/** Notices sent per call at most; the next pass sends the rest. */
const SENDS_MAX = 500;
/** Pages read per call at most, so a pass always ends. */
const PAGES_MAX = 100;
const SEOUL_OFFSET_MS = 9n * 3_600_000n;

export type NoticeStatus = 'sent' | 'would_send' | 'already_sent' | 'no_contact';

export interface NoticeLine {
  readonly cardId: string;
  readonly windowDays: number;
  readonly expiresAtMs: bigint;
  readonly currency: string;
  readonly balanceMinor: bigint;
  readonly status: NoticeStatus;
  readonly locale: 'ko' | 'en' | null;
  /** Whether an SMS goes (went) too: a phone is known for the holder. */
  readonly sms: boolean;
}

export interface NoticeReport {
  readonly nowMs: bigint;
  readonly simulate: boolean;
  readonly lines: readonly NoticeLine[];
  /** Notices written in this call (0 when simulating). */
  readonly sent: number;
}

/** `2026-12-31 09:00 KST`. Asia/Seoul is UTC+9 all year. */
export function seoulDateTime(ms: bigint): string {
  const iso = new Date(Number(ms + SEOUL_OFFSET_MS)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} KST`;
}

/** The notice window a card falls in: the smallest window that still contains its expiry. */
export function noticeWindow(
  windowsDays: readonly number[],
  nowMs: bigint,
  expiresAtMs: bigint,
): number | null {
  const left = expiresAtMs - nowMs;
  if (left <= 0n) return null;
  const fitting = windowsDays.filter((w) => left <= BigInt(w) * MS_PER_DAY);
  return fitting.length === 0 ? null : Math.min(...fitting);
}

/** The holder's phone as E.164: stored numbers are E.164 or Korean domestic (`010…`). */
export function smsNumber(phone: string | null): string | null {
  if (phone === null) return null;
  if (/^\+[1-9][0-9]{5,14}$/.test(phone)) return phone;
  if (/^0[1-9][0-9]{7,9}$/.test(phone)) return `+82${phone.slice(1)}`;
  return null;
}

function smsText(locale: 'ko' | 'en', last4: string, balance: string, expiresAt: string): string {
  return locale === 'ko'
    ? `[원핀] 카드(끝자리 ${last4}) 잔액 ${balance}이 ${expiresAt}에 소멸됩니다. 기간 안에 사용해 주세요.`
    : `OnePIN: ${balance} on your card ending ${last4} expires ${expiresAt}. Use it before then.`;
}

function daysLeft(nowMs: bigint, expiresAtMs: bigint): bigint {
  return (expiresAtMs - nowMs + MS_PER_DAY - 1n) / MS_PER_DAY;
}

/** A card's notice: one row per (card, window, expiry date), with its e-mail and SMS. */
async function sendOne(
  ctx: SalesContext,
  card: ExpiringCard,
  holder: Holder,
  windowDays: number,
  nowMs: bigint,
): Promise<NoticeLine | null> {
  return writeTransaction(ctx.db, async (tx) => {
    const account = await ctx.ledger.getAccount(tx, card.accountId);
    assert(account !== undefined, 'a sold card has an account');
    const balanceMinor = availableBalance(account);
    if (balanceMinor <= 0n) return null;
    const phone = smsNumber(holder.phone);
    const inserted = await salesTables(tx)
      .insertInto('sales_expiry_notice')
      .values({
        card_id: card.cardId,
        window_days: BigInt(windowDays),
        expires_at_ms: card.expiresAtMs,
        currency: card.currency,
        balance_minor: balanceMinor,
        locale: holder.locale,
        email_id: null,
        sms_id: null,
        sent_at_ms: nowMs,
      })
      .onConflict((oc) => oc.columns(['card_id', 'window_days', 'expires_at_ms']).doNothing())
      .executeTakeFirst();
    const line = {
      cardId: card.cardId,
      windowDays,
      expiresAtMs: card.expiresAtMs,
      currency: card.currency,
      balanceMinor,
      locale: holder.locale,
      sms: phone !== null,
    };
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) {
      return { ...line, status: 'already_sent' as const };
    }
    assert(isCurrency(card.currency), 'stored currency is known');
    const balance = formatMoney(balanceMinor, card.currency);
    const expiresAt = seoulDateTime(card.expiresAtMs);
    const key = `card_expiring:${card.cardId}:${windowDays}:${card.expiresAtMs}`;
    const email = await enqueueEmail(ctx.notify, tx, {
      dedupeKey: key,
      to: holder.email,
      locale: holder.locale,
      template: 'card_expiring',
      data: {
        cardLast4: card.pinLast4,
        balance,
        expiresAt,
        daysLeft: daysLeft(nowMs, card.expiresAtMs).toString(),
        siteUrl: `${ctx.publicUrl}/`,
      },
    });
    assert(email.ok, `expiry notice e-mail for ${card.cardId} enqueued`);
    let smsId: string | null = null;
    if (phone !== null) {
      const sms = await enqueueSms(ctx.notify, tx, {
        to: phone,
        text: smsText(holder.locale, card.pinLast4, balance, expiresAt),
        purpose: 'card_expiring',
        reference: key,
        expiresAtMs: card.expiresAtMs,
      });
      // A number the SMS outbox refuses only loses the SMS; the e-mail still goes.
      if (sms.ok) smsId = sms.value.id;
    }
    await salesTables(tx)
      .updateTable('sales_expiry_notice')
      .set({ email_id: email.value.id, sms_id: smsId })
      .where('card_id', '=', card.cardId)
      .where('window_days', '=', BigInt(windowDays))
      .where('expires_at_ms', '=', card.expiresAtMs)
      .execute();
    return { ...line, sms: smsId !== null, status: 'sent' as const };
  });
}

/**
 * Tells holders that a card's balance expires soon: for sold and active cards with a balance,
 * one notice per card in the smallest window (of `windowsDays`) that contains its expiry, by
 * e-mail in the holder's language and by SMS when a phone is known. A notice row, the e-mail
 * and the SMS are written in one transaction, and the row's key (card, window, expiry date)
 * makes a re-run, a crash followed by a re-run, or a second worker send nothing twice. With
 * `simulate`, nothing is written: the lines say what would be sent.
 */
export async function sendExpiryNotices(
  ctx: SalesContext,
  options: {
    readonly nowMs?: bigint;
    readonly simulate?: boolean;
    readonly windowsDays?: readonly number[];
  } = {},
): Promise<NoticeReport> {
  const nowMs = options.nowMs ?? ctx.clock.nowMs();
  const simulate = options.simulate ?? false;
  const windows = options.windowsDays ?? DEFAULT_NOTICE_WINDOWS_DAYS;
  assert(
    windows.length > 0 && windows.every((w) => Number.isInteger(w) && w > 0 && w <= 366),
    'notice windows are whole days from 1 to 366',
  );
  const horizon = nowMs + BigInt(Math.max(...windows)) * MS_PER_DAY;
  const lines: NoticeLine[] = [];
  let sent = 0;
  let after: { expiresAtMs: bigint; cardId: string } | null = null;
  for (let page = 0; page < PAGES_MAX && sent < SENDS_MAX; page += 1) {
    const cards = await cardsExpiringBetween(ctx.db.kysely, nowMs, horizon, PAGE, after);
    for (const card of cards) {
      if (sent >= SENDS_MAX) break;
      const windowDays = noticeWindow(windows, nowMs, card.expiresAtMs);
      if (windowDays === null) continue;
      // Reads before any transaction: on SQLite the root handle is the only connection.
      const account = await ctx.ledger.getAccount(ctx.db.kysely, card.accountId);
      const balanceMinor = account === undefined ? 0n : availableBalance(account);
      if (balanceMinor <= 0n) continue;
      const done = await salesTables(ctx.db.kysely)
        .selectFrom('sales_expiry_notice')
        .select('card_id')
        .where('card_id', '=', card.cardId)
        .where('window_days', '=', BigInt(windowDays))
        .where('expires_at_ms', '=', card.expiresAtMs)
        .executeTakeFirst();
      const holder = await holderOf(ctx, ctx.db.kysely, card.cardId);
      const base = {
        cardId: card.cardId,
        windowDays,
        expiresAtMs: card.expiresAtMs,
        currency: card.currency,
        balanceMinor,
        locale: holder?.locale ?? null,
        sms: smsNumber(holder?.phone ?? null) !== null,
      };
      if (done !== undefined) {
        lines.push({ ...base, status: 'already_sent' });
      } else if (holder === null) {
        lines.push({ ...base, status: 'no_contact' });
      } else if (simulate) {
        lines.push({ ...base, status: 'would_send' });
      } else {
        const line = await sendOne(ctx, card, holder, windowDays, nowMs);
        if (line !== null) {
          lines.push(line);
          if (line.status === 'sent') sent += 1;
        }
      }
    }
    const last = cards.at(-1);
    if (last === undefined || cards.length < PAGE) break;
    after = { expiresAtMs: last.expiresAtMs, cardId: last.cardId };
  }
  return { nowMs, simulate, lines, sent };
}
