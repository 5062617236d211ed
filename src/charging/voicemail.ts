import { lockCard, spendFromCard, type Card } from '../cards/index.ts';
import {
  derivedId,
  fail,
  limits,
  newId,
  ok,
  type Currency,
  type Outcome,
} from '../kernel/index.ts';
import { systemAccountId } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { debitEvent } from './charging-events.ts';
import type { SessionsContext } from './context.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { normalizeNumber } from './number-rules.ts';
import type { ChargingAnswer } from './session-answer.ts';
import { availableOf, cardRefusal, subscriberCard, type Subscriber } from './sessions.ts';
import { KOREA_NUMBERING } from './types.ts';
import {
  DEFAULT_VOICEMAIL_POLICY,
  assertVoicemailPolicy,
  feeStep,
  firstMonth,
  graceEndMs,
  isMailboxLanguage,
  isMailboxState,
  voicemailUnits,
  type FeeStep,
  type MailboxLanguage,
  type MailboxState,
  type VoicemailPolicy,
} from './voicemail-rules.ts';
import { voicemailTables, type VoicemailMailboxTable } from './voicemail-tables.ts';

/**
 * Prepaid voicemail: a holder's mailbox on their phone number, paid from their card. Opening
 * takes the first month at once; the worker takes each next month when the paid time ends
 * (suspending the mailbox when the card cannot pay, closing it when the grace period ends);
 * deposits and retrievals are charged as `voicemail` events of the tariff.
 */

/** The charging context, with the operator's voicemail policy when it is not the default. */
export type VoicemailContext = SessionsContext & { readonly voicemail?: Partial<VoicemailPolicy> };

/** Ledger code of the monthly fee (card → service revenue). */
export const VOICEMAIL_FEE_CODE = 'voicemail_fee';

/** Origins of the events a mailbox charges: client session ids are unique per origin. */
export const VOICEMAIL_ORIGINS = {
  deposit: 'voicemail-deposit',
  retrieval: 'voicemail-retrieval',
} as const;

export interface Mailbox {
  readonly id: string;
  readonly cardId: string;
  /** E.164 digits of the holder's phone, without `+`. */
  readonly number: string;
  readonly language: MailboxLanguage;
  readonly feeMinor: bigint;
  readonly currency: Currency;
  readonly state: MailboxState;
  readonly openedAtMs: bigint;
  /** The paid time ends here; the next fee is due then. */
  readonly paidUntilMs: bigint;
  /** When the worker looks at it next (the fee, or a retry while suspended); null once closed. */
  readonly nextChargeAtMs: bigint | null;
  /** Failed attempts since the last fee taken. */
  readonly failedCharges: number;
  /** When a suspended mailbox is closed if its card still cannot pay; null unless suspended. */
  readonly closesAtMs: bigint | null;
  readonly monthsCharged: number;
  readonly chargedMinor: bigint;
  readonly suspendedAtMs: bigint | null;
  readonly closedAtMs: bigint | null;
  readonly closeReason: string | null;
}

export function voicemailPolicyOf(ctx: VoicemailContext): VoicemailPolicy {
  if (ctx.voicemail === undefined) return DEFAULT_VOICEMAIL_POLICY;
  const policy = { ...DEFAULT_VOICEMAIL_POLICY, ...ctx.voicemail };
  assertVoicemailPolicy(policy);
  return policy;
}

function mailboxOf(row: VoicemailMailboxTable, policy: VoicemailPolicy): Mailbox {
  return {
    id: row.id,
    cardId: row.card_id,
    number: row.number,
    language: row.language,
    feeMinor: row.fee_minor,
    currency: row.currency as Currency,
    state: row.state,
    openedAtMs: row.opened_at_ms,
    paidUntilMs: row.paid_until_ms,
    nextChargeAtMs: row.next_charge_at_ms,
    failedCharges: Number(row.failed_charges),
    closesAtMs: row.state === 'suspended' ? graceEndMs(row.paid_until_ms, policy) : null,
    monthsCharged: Number(row.months_charged),
    chargedMinor: row.charged_minor,
    suspendedAtMs: row.suspended_at_ms,
    closedAtMs: row.closed_at_ms,
    closeReason: row.close_reason,
  };
}

const MAILBOX_ID = /^vm_[0-9a-z]{22}$/;

async function loadMailbox(
  ctx: SessionsContext,
  executor: Executor,
  id: string,
  lock: boolean,
): Promise<VoicemailMailboxTable | undefined> {
  if (!MAILBOX_ID.test(id)) return undefined;
  let query = voicemailTables(executor)
    .selectFrom('voicemail_mailbox')
    .selectAll()
    .where('id', '=', id);
  if (lock && ctx.db.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

async function saveMailbox(tx: Executor, row: VoicemailMailboxTable): Promise<void> {
  const { id, ...rest } = row;
  await voicemailTables(tx)
    .updateTable('voicemail_mailbox')
    .set(rest)
    .where('id', '=', id)
    .execute();
}

/**
 * Takes one month's fee for the period starting at `periodStartMs`. The transfer id is made
 * from the mailbox and the period, so a second worker (or a rerun) taking the same month meets
 * the first transfer instead of charging again. The caller has checked that the card can pay.
 */
async function takeFee(
  ctx: SessionsContext,
  tx: Executor,
  row: VoicemailMailboxTable,
  periodStartMs: bigint,
): Promise<void> {
  if (row.fee_minor === 0n) return;
  const spent = await spendFromCard(ctx.cards, tx, {
    cardId: row.card_id,
    creditAccountId: systemAccountId(row.currency as Currency, 'service_revenue'),
    amountMinor: row.fee_minor,
    currency: row.currency,
    transferId: derivedId('vmf', `${row.id}.${periodStartMs}`),
    code: VOICEMAIL_FEE_CODE,
    reference: row.id,
  });
  // The card row is locked and its balance was checked: a refusal here is a defect.
  if (!spent.ok) throw new Error(`voicemail: the fee was refused (${spent.error.code})`);
}

/** Why the card cannot pay `feeMinor` now, or null when it can. */
async function payRefusal(
  ctx: SessionsContext,
  tx: Executor,
  card: Card,
  feeMinor: bigint,
  nowMs: bigint,
): Promise<Outcome<never> | null> {
  const refused = cardRefusal(card, nowMs);
  if (refused !== null) return refused;
  if (feeMinor === 0n || card.accountId === null) return null;
  const available = await availableOf(ctx, tx, card.accountId);
  return available >= feeMinor
    ? null
    : fail('credit_limit_reached', undefined, 'the balance does not cover the monthly fee');
}

function charged(
  row: VoicemailMailboxTable,
  step: FeeStep & { kind: 'charge' },
): VoicemailMailboxTable {
  return {
    ...row,
    state: 'open',
    anchor_at_ms: step.anchorAtMs,
    anchor_months: BigInt(step.anchorMonths),
    paid_until_ms: step.paidUntilMs,
    next_charge_at_ms: step.paidUntilMs,
    failed_charges: 0n,
    months_charged: row.months_charged + 1n,
    charged_minor: row.charged_minor + row.fee_minor,
  };
}

export interface OpenMailboxInput {
  readonly subscriber: Subscriber;
  /** The holder's phone number, as dialled (`010-1234-5678`) or in E.164 with `+`. */
  readonly number: string;
  /** The monthly fee; absent = the policy's default for the card's currency. */
  readonly feeMinor?: bigint;
  readonly language?: MailboxLanguage;
}

/**
 * Opens a mailbox on a phone number, paid from the card: the first month's fee is taken at
 * once, and the mailbox exists only if it was (`credit_limit_reached` otherwise, and nothing
 * is stored). One mailbox per number among those not closed (`mailbox_exists`).
 */
export async function openMailbox(
  ctx: VoicemailContext,
  input: OpenMailboxInput,
): Promise<Outcome<Mailbox>> {
  const policy = voicemailPolicyOf(ctx);
  const number = normalizeNumber(input.number, KOREA_NUMBERING);
  if (!number.ok) return number;
  const language = input.language ?? 'ko';
  if (!isMailboxLanguage(language)) return fail('parameter_invalid', 'language', 'ko or en');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Mailbox>> => {
    const card = await subscriberCard(ctx, tx, input.subscriber);
    if (!card.ok) return card;
    const refused = cardRefusal(card.value, nowMs);
    if (refused !== null) return refused;
    const currency = card.value.currency;
    const feeMinor = input.feeMinor ?? policy.defaultFeeMinor[currency];
    if (feeMinor === undefined) {
      return fail('parameter_invalid', 'fee', `there is no default fee in ${currency}: give one`);
    }
    if (feeMinor < 0n || feeMinor > limits.cardBalanceMaxMinor[currency]) {
      return fail(
        'parameter_invalid',
        'fee',
        `a whole number of minor units from 0 to ${limits.cardBalanceMaxMinor[currency]}`,
      );
    }
    const taken = await voicemailTables(tx)
      .selectFrom('voicemail_mailbox')
      .select('id')
      .where('number', '=', number.value)
      .where('state', '<>', 'closed')
      .executeTakeFirst();
    if (taken !== undefined) {
      return fail('mailbox_exists', 'number', `mailbox ${taken.id} holds +${number.value}`);
    }
    const cannot = await payRefusal(ctx, tx, card.value, feeMinor, nowMs);
    if (cannot !== null) return cannot;
    const first = firstMonth(nowMs, policy);
    const fresh: VoicemailMailboxTable = {
      id: newId('vm'),
      card_id: card.value.id,
      number: number.value,
      language,
      fee_minor: feeMinor,
      currency,
      state: 'open',
      opened_at_ms: nowMs,
      anchor_at_ms: first.anchorAtMs,
      anchor_months: BigInt(first.anchorMonths),
      paid_until_ms: first.paidUntilMs,
      next_charge_at_ms: first.paidUntilMs,
      failed_charges: 0n,
      months_charged: 1n,
      charged_minor: feeMinor,
      suspended_at_ms: null,
      closed_at_ms: null,
      close_reason: null,
    };
    // Inserted before the fee so that a concurrent open of the same number meets the unique
    // index (and, retried, the row) rather than charging a second card.
    await voicemailTables(tx).insertInto('voicemail_mailbox').values(fresh).execute();
    await takeFee(ctx, tx, fresh, first.periodStartMs);
    return ok(mailboxOf(fresh, policy));
  });
}

export interface MailboxFeeReport {
  /** Monthly fees taken (including those that reopened a suspended mailbox). */
  readonly charged: number;
  /** Of those, suspended mailboxes the card paid for again. */
  readonly reopened: number;
  /** Mailboxes whose card could not pay (newly suspended, or still suspended after a retry). */
  readonly suspended: number;
  /** Suspended mailboxes closed because the grace period ended. */
  readonly closed: number;
}

type PassOutcome = 'charged' | 'reopened' | 'suspended' | 'closed' | 'none';

/** Applies the fee decision to one mailbox, under its card's lock. */
async function feePass(
  ctx: SessionsContext,
  policy: VoicemailPolicy,
  mailboxId: string,
  nowMs: bigint,
): Promise<PassOutcome> {
  return writeTransaction(ctx.db, async (tx): Promise<PassOutcome> => {
    const peek = await loadMailbox(ctx, tx, mailboxId, false);
    if (peek === undefined) return 'none';
    // Lock order as everywhere in charging: the card first, then our own row.
    const card = await lockCard(ctx.cards, tx, peek.card_id);
    if (!card.ok) throw new Error(`voicemail: mailbox ${peek.id} names no card`);
    const row = await loadMailbox(ctx, tx, mailboxId, true);
    if (row === undefined) return 'none';
    const cannot = await payRefusal(ctx, tx, card.value, row.fee_minor, nowMs);
    const step = feeStep(
      {
        state: row.state,
        anchorAtMs: row.anchor_at_ms,
        anchorMonths: Number(row.anchor_months),
        paidUntilMs: row.paid_until_ms,
        nextChargeAtMs: row.next_charge_at_ms,
      },
      nowMs,
      cannot === null,
      policy,
    );
    switch (step.kind) {
      case 'wait':
        return 'none';
      case 'charge':
        await takeFee(ctx, tx, row, step.periodStartMs);
        await saveMailbox(tx, charged(row, step));
        return row.state === 'suspended' ? 'reopened' : 'charged';
      case 'suspend':
        await saveMailbox(tx, {
          ...row,
          state: 'suspended',
          suspended_at_ms: row.state === 'suspended' ? row.suspended_at_ms : nowMs,
          next_charge_at_ms: step.retryAtMs,
          failed_charges: row.failed_charges + 1n,
        });
        return 'suspended';
      case 'close':
        await saveMailbox(tx, {
          ...row,
          state: 'closed',
          next_charge_at_ms: null,
          closed_at_ms: nowMs,
          close_reason: 'unpaid',
        });
        return 'closed';
    }
  });
}

/**
 * The worker's step: every mailbox whose fee (or retry) is due, up to `limit`, is charged one
 * month, suspended, or closed (see `feeStep`). Safe to run twice and from two workers at once:
 * each mailbox is decided again under its card's lock, and a month's transfer id is fixed.
 */
export async function chargeDueMailboxFees(
  ctx: VoicemailContext,
  limit: number,
): Promise<MailboxFeeReport> {
  const policy = voicemailPolicyOf(ctx);
  const nowMs = ctx.clock.nowMs();
  const due = await voicemailTables(ctx.db.kysely)
    .selectFrom('voicemail_mailbox')
    .select('id')
    .where('next_charge_at_ms', '<=', nowMs)
    .orderBy('next_charge_at_ms')
    .limit(limit)
    .execute();
  const report = { charged: 0, reopened: 0, suspended: 0, closed: 0 };
  for (const { id } of due) {
    const outcome = await feePass(ctx, policy, id, nowMs);
    if (outcome === 'reopened') {
      report.charged += 1;
      report.reopened += 1;
    } else if (outcome !== 'none') report[outcome] += 1;
  }
  return report;
}

/**
 * After a recharge: takes a month's fee from now and reopens a suspended mailbox (the suspended
 * days are not charged). An open mailbox is returned as it is; a closed one, or one whose grace
 * period has ended, cannot be resumed (`mailbox_closed`). A card that still cannot pay gets its
 * refusal (`credit_limit_reached`, `card_locked`, …) and nothing changes.
 */
export async function resumeMailbox(
  ctx: VoicemailContext,
  mailboxId: string,
): Promise<Outcome<Mailbox>> {
  const policy = voicemailPolicyOf(ctx);
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Mailbox>> => {
    const peek = await loadMailbox(ctx, tx, mailboxId, false);
    if (peek === undefined) return fail('mailbox_not_found', 'mailbox');
    const card = await lockCard(ctx.cards, tx, peek.card_id);
    if (!card.ok) return fail('subscriber_unknown', 'subscriber');
    const row = await loadMailbox(ctx, tx, mailboxId, true);
    if (row === undefined) return fail('mailbox_not_found', 'mailbox');
    if (row.state === 'open') return ok(mailboxOf(row, policy));
    if (row.state === 'closed') return fail('mailbox_closed', 'mailbox');
    const cannot = await payRefusal(ctx, tx, card.value, row.fee_minor, nowMs);
    // The retry time does not hold back a holder who has just recharged.
    const step = feeStep(
      {
        state: row.state,
        anchorAtMs: row.anchor_at_ms,
        anchorMonths: Number(row.anchor_months),
        paidUntilMs: row.paid_until_ms,
        nextChargeAtMs: null,
      },
      nowMs,
      cannot === null,
      policy,
    );
    if (step.kind === 'close') {
      return fail('mailbox_closed', 'mailbox', 'the grace period for the unpaid fee has ended');
    }
    if (step.kind !== 'charge') return cannot ?? fail('credit_limit_reached');
    await takeFee(ctx, tx, row, step.periodStartMs);
    const reopened = charged(row, step);
    await saveMailbox(tx, reopened);
    return ok(mailboxOf(reopened, policy));
  });
}

/**
 * Closes a mailbox now (the holder or the operator asks): its number is free again, nothing more
 * is charged, and the month already paid is not refunded. Closing a closed mailbox answers it
 * as it is.
 */
export async function closeMailbox(
  ctx: VoicemailContext,
  input: { readonly mailboxId: string; readonly by: 'holder' | 'operator' },
): Promise<Outcome<Mailbox>> {
  const policy = voicemailPolicyOf(ctx);
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Mailbox>> => {
    const peek = await loadMailbox(ctx, tx, input.mailboxId, false);
    if (peek === undefined) return fail('mailbox_not_found', 'mailbox');
    // The card's lock orders this against a fee being taken for the same mailbox.
    await lockCard(ctx.cards, tx, peek.card_id);
    const row = await loadMailbox(ctx, tx, input.mailboxId, true);
    if (row === undefined) return fail('mailbox_not_found', 'mailbox');
    if (row.state === 'closed') return ok(mailboxOf(row, policy));
    const closed: VoicemailMailboxTable = {
      ...row,
      state: 'closed',
      next_charge_at_ms: null,
      closed_at_ms: nowMs,
      close_reason: input.by,
    };
    await saveMailbox(tx, closed);
    return ok(mailboxOf(closed, policy));
  });
}

export async function getMailbox(
  ctx: VoicemailContext,
  mailboxId: string,
): Promise<Outcome<Mailbox>> {
  const row = await loadMailbox(ctx, ctx.db.kysely, mailboxId, false);
  return row === undefined
    ? fail('mailbox_not_found', 'mailbox')
    : ok(mailboxOf(row, voicemailPolicyOf(ctx)));
}

export interface MailboxQuery {
  readonly cardId?: string;
  readonly state?: MailboxState;
  /** E.164 digits or a number as dialled. */
  readonly number?: string;
  /** At most this many, newest first (default 50, at most 500). */
  readonly limit?: number;
}

export async function listMailboxes(
  ctx: VoicemailContext,
  query: MailboxQuery = {},
): Promise<Outcome<Mailbox[]>> {
  const limit = query.limit ?? limits.pageSizeDefault;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > limits.pageSizeMax) {
    return fail('parameter_invalid', 'limit', `a whole number from 1 to ${limits.pageSizeMax}`);
  }
  if (query.state !== undefined && !isMailboxState(query.state)) {
    return fail('parameter_invalid', 'state', 'open, suspended or closed');
  }
  let select = voicemailTables(ctx.db.kysely).selectFrom('voicemail_mailbox').selectAll();
  if (query.cardId !== undefined) select = select.where('card_id', '=', query.cardId);
  if (query.state !== undefined) select = select.where('state', '=', query.state);
  if (query.number !== undefined) {
    const number = normalizeNumber(query.number, KOREA_NUMBERING);
    if (!number.ok) return number;
    select = select.where('number', '=', number.value);
  }
  const rows = await select.orderBy('opened_at_ms', 'desc').orderBy('id').limit(limit).execute();
  const policy = voicemailPolicyOf(ctx);
  return ok(rows.map((row) => mailboxOf(row, policy)));
}

/**
 * The card behind an open mailbox, for a voicemail charging session on it (deposit or retrieval
 * time charged as it goes): `startSession(ctx, { subscriber: { cardId }, service: 'voicemail',
 * … })`. Refused with `mailbox_suspended` or `mailbox_closed` when the mailbox is not open.
 */
export async function mailboxSubscriber(
  ctx: VoicemailContext,
  mailboxId: string,
): Promise<Outcome<{ readonly cardId: string; readonly number: string }>> {
  const row = await loadMailbox(ctx, ctx.db.kysely, mailboxId, false);
  if (row === undefined) return fail('mailbox_not_found', 'mailbox');
  if (row.state === 'suspended') return fail('mailbox_suspended', 'mailbox');
  if (row.state === 'closed') return fail('mailbox_closed', 'mailbox');
  return ok({ cardId: row.card_id, number: row.number });
}

export interface VoicemailUseInput {
  readonly mailboxId: string;
  /** The call's id at the voicemail platform (its Call-SID): a retry with it is not charged again. */
  readonly clientSessionId: string;
  /** How long the message is (deposit) or how long the holder listened (retrieval). */
  readonly seconds: number;
}

async function voicemailEvent(
  ctx: VoicemailContext,
  input: VoicemailUseInput,
  origin: string,
): Promise<Outcome<ChargingAnswer>> {
  const max = CHARGING_LIMITS.billableSecondsMax;
  if (!Number.isSafeInteger(input.seconds) || input.seconds < 1 || input.seconds > max) {
    return fail('parameter_invalid', 'seconds', `a whole number from 1 to ${max}`);
  }
  const subscriber = await mailboxSubscriber(ctx, input.mailboxId);
  if (!subscriber.ok) return subscriber;
  return debitEvent(ctx, {
    origin,
    clientSessionId: input.clientSessionId,
    requestNumber: 0,
    subscriber: { cardId: subscriber.value.cardId },
    service: 'voicemail',
    units: voicemailUnits(input.seconds, voicemailPolicyOf(ctx)),
  });
}

/**
 * A message left in the mailbox, charged to the mailbox's card as a `voicemail` event: its
 * seconds at the tariff's voicemail rate, or one unit per message when the policy charges by
 * message. All or nothing (`credit_limit_reached`); refused while the mailbox is not open.
 */
export function voicemailDeposit(
  ctx: VoicemailContext,
  input: VoicemailUseInput,
): Promise<Outcome<ChargingAnswer>> {
  return voicemailEvent(ctx, input, VOICEMAIL_ORIGINS.deposit);
}

/** The holder listening to their messages: charged like a deposit, under its own origin. */
export function voicemailRetrieval(
  ctx: VoicemailContext,
  input: VoicemailUseInput,
): Promise<Outcome<ChargingAnswer>> {
  return voicemailEvent(ctx, input, VOICEMAIL_ORIGINS.retrieval);
}
