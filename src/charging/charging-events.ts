import { spendFromCard } from '../cards/index.ts';
import { fail, newId, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { isApplied, systemAccountId } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { SessionsContext } from './context.ts';
import { costOf, maxAffordableSeconds } from './cost-rules.ts';
import { CHARGING_LIMITS } from './limits.ts';
import {
  rateFromJson,
  recallAnswer,
  rememberAnswer,
  requestDigest,
  type ChargingAnswer,
} from './session-answer.ts';
import { sessionTables, type ChargingSessionTable } from './session-tables.ts';
import {
  answerOf,
  availableOf,
  cardRefusal,
  checkKey,
  clientKeyOf,
  loadSession,
  lockedSession,
  newSessionRow,
  rateNow,
  saveRow,
  subscriberCard,
  type SessionKey,
  type Subscriber,
} from './sessions.ts';

export interface DebitInput extends SessionKey {
  readonly requestNumber: number;
  readonly subscriber: Subscriber;
  /** voicemail, sms, content (or call, for a fixed-length event). */
  readonly service: string;
  /** The number the event is about; absent for a voicemail message or a content item. */
  readonly number?: string;
  /** Seconds (voicemail, call) or units (sms, content). */
  readonly units: number;
}

function checkUnits(units: number): Outcome<null> {
  if (!Number.isSafeInteger(units) || units < 1 || units > CHARGING_LIMITS.billableSecondsMax) {
    return fail(
      'parameter_invalid',
      'units',
      `a whole number from 1 to ${CHARGING_LIMITS.billableSecondsMax}`,
    );
  }
  return ok(null);
}

/**
 * An immediate event charge (IEC, RFC 8506 DIRECT_DEBITING): a voicemail message, an SMS, a
 * content item. Rated now and debited at once, in full or not at all (`credit_limit_reached`).
 * The event is kept as a closed usage record; a duplicate is answered from memory.
 */
export async function debitEvent(
  ctx: SessionsContext,
  input: DebitInput,
): Promise<Outcome<ChargingAnswer>> {
  const key = checkKey(input, input.requestNumber);
  if (!key.ok) return key;
  const units = checkUnits(input.units);
  if (!units.ok) return units;
  const clientKey = clientKeyOf(input);
  const digest = requestDigest({
    type: 'debit',
    subscriber: 'token' in input.subscriber ? input.subscriber.token : input.subscriber.cardId,
    service: input.service,
    number: input.number ?? null,
    units: input.units,
  });
  const seen = await recallAnswer(ctx.db.kysely, clientKey, input.requestNumber, digest);
  if (seen !== null) return seen;
  const nowMs = ctx.clock.nowMs();
  const rating = await rateNow(ctx, input.service, input.number, nowMs);
  if (!rating.ok) return rating;
  const costMinor = costOf(rating.value.rate, input.units);
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<ChargingAnswer>> => {
    const card = await subscriberCard(ctx, tx, input.subscriber);
    // Read again under the card's lock: a concurrent duplicate may have just been answered.
    const again = await recallAnswer(tx, clientKey, input.requestNumber, digest);
    if (again !== null) return again;
    if (!card.ok) return card;
    const refused = cardRefusal(card.value, nowMs);
    if (refused !== null) return refused;
    if ((await loadSession(ctx, tx, clientKey, false)) !== undefined) {
      return fail('session_exists', 'session_id');
    }
    if (card.value.currency !== rating.value.currency)
      return fail('currency_mismatch', 'subscriber');
    const accountId = card.value.accountId;
    if (accountId === null) return fail('card_not_active');
    const balanceMinor = await availableOf(ctx, tx, accountId);
    if (costMinor > balanceMinor) {
      return fail('credit_limit_reached', undefined, 'the balance does not cover the event');
    }
    const fresh = newSessionRow({
      id: newId('cs'),
      key: input,
      kind: 'event',
      card: card.value,
      called: input.number ?? '',
      rating: rating.value,
      balanceMinor,
      nowMs,
    });
    await sessionTables(tx).insertInto('charging_session').values(fresh).execute();
    if (costMinor > 0n) {
      const spent = await spendFromCard(ctx.cards, tx, {
        cardId: card.value.id,
        creditAccountId: systemAccountId(card.value.currency, 'service_revenue'),
        amountMinor: costMinor,
        currency: card.value.currency,
        transferId: `${fresh.id}.d`,
        code: rating.value.service,
        reference: fresh.id,
      });
      if (!spent.ok) throw new Error(`charging: event debit refused (${spent.error.code})`);
    }
    const row: ChargingSessionTable = {
      ...fresh,
      state: 'closed',
      next_request_number: BigInt(input.requestNumber) + 1n,
      used_seconds: BigInt(input.units),
      cost_minor: costMinor,
      collected_minor: costMinor,
      balance_after_minor: balanceMinor - costMinor,
      ended_at_ms: nowMs,
      end_reason: 'event',
    };
    await saveRow(tx, row);
    const answer = answerOf(row, {
      type: 'event',
      number: input.requestNumber,
      status: 'ok',
      grantedSeconds: input.units,
      finalUnit: false,
      validityTimeSeconds: null,
      chargedMinor: costMinor,
      balanceMinor: balanceMinor - costMinor,
    });
    await rememberAnswer(tx, clientKey, digest, answer, nowMs);
    return ok(answer);
  });
}

export interface RefundInput extends SessionKey {
  /** A later number of the same client session as the charge being refunded. */
  readonly requestNumber: number;
  /** Seconds or units to give back, at the charge's own rate; absent = all of what was taken. */
  readonly units?: number;
}

/**
 * Gives back (part of) an earlier charge (RFC 8506 REFUND_ACCOUNT): the session or event with
 * the same client session id is refunded at its own rate, never more than was collected from
 * the card less earlier refunds. Idempotent by (session, request number), as clients resend
 * refunds until answered.
 */
export async function refundCharge(
  ctx: SessionsContext,
  input: RefundInput,
): Promise<Outcome<ChargingAnswer>> {
  const key = checkKey(input, input.requestNumber);
  if (!key.ok) return key;
  if (input.units !== undefined) {
    const units = checkUnits(input.units);
    if (!units.ok) return units;
  }
  const clientKey = clientKeyOf(input);
  const digest = requestDigest({ type: 'refund', units: input.units ?? null });
  const seen = await recallAnswer(ctx.db.kysely, clientKey, input.requestNumber, digest);
  if (seen !== null) return seen;
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<ChargingAnswer>> => {
    const found = await lockedSession(ctx, tx, clientKey);
    // Read again under the card's lock: a concurrent duplicate may have just been answered.
    const again = await recallAnswer(tx, clientKey, input.requestNumber, digest);
    if (again !== null) return again;
    if (!found.ok) return found;
    const { row } = found.value;
    if (row.state === 'open') {
      return fail(
        'session_state_invalid',
        'session_id',
        'the session is still open: terminate it first',
      );
    }
    if (BigInt(input.requestNumber) < row.next_request_number) {
      return fail('request_number_invalid', 'request_number', 'older than the last one answered');
    }
    const refundable = row.collected_minor - row.refunded_minor;
    const asked =
      input.units === undefined ? refundable : costOf(rateFromJson(row.rate_json), input.units);
    if (asked > refundable) {
      return fail('refund_exceeds_charge', 'units', `at most ${refundable} can be given back`);
    }
    if (asked > 0n) {
      const [result] = await ctx.ledger.transfer(
        tx,
        [
          {
            id: `${row.id}.r${input.requestNumber}`,
            debitAccountId: systemAccountId(row.currency as Currency, 'service_revenue'),
            creditAccountId: row.account_id,
            amountMinor: asked,
            currency: row.currency,
            code: 'charging_refund',
            reference: row.id,
          },
        ],
        nowMs,
      );
      if (result === undefined || !isApplied(result)) {
        throw new Error(`charging: refund refused by the ledger (${result ?? 'no result'})`);
      }
    }
    const balanceMinor = await availableOf(ctx, tx, row.account_id);
    const updated: ChargingSessionTable = {
      ...row,
      refunded_minor: row.refunded_minor + asked,
      next_request_number: BigInt(input.requestNumber) + 1n,
      last_request_at_ms: nowMs,
      balance_after_minor: balanceMinor,
    };
    await saveRow(tx, updated);
    const answer = answerOf(updated, {
      type: 'event',
      number: input.requestNumber,
      status: 'ok',
      grantedSeconds: null,
      finalUnit: false,
      validityTimeSeconds: null,
      chargedMinor: -asked,
      balanceMinor,
    });
    await rememberAnswer(tx, clientKey, digest, answer, nowMs);
    return ok(answer);
  });
}

export interface BalanceAnswer {
  readonly cardId: string;
  readonly currency: Currency;
  readonly balanceMinor: bigint;
  /** Whether the balance covers `units` of the service to the number (or is above 0). */
  readonly enoughCredit: boolean;
  /** For a call: the longest call the balance pays for now (after fees and the first block). */
  readonly maxSeconds: number | null;
  readonly costMinor: bigint | null;
}

/**
 * CHECK_BALANCE: is there enough credit (for `units` of a service to a number, when given)?
 * Reserves nothing and changes nothing.
 */
export async function checkBalance(
  ctx: SessionsContext,
  input: {
    readonly subscriber: Subscriber;
    readonly service?: string;
    readonly number?: string;
    readonly units?: number;
  },
): Promise<Outcome<BalanceAnswer>> {
  const nowMs = ctx.clock.nowMs();
  if (input.units !== undefined) {
    const units = checkUnits(input.units);
    if (!units.ok) return units;
  }
  const rating =
    input.service === undefined ? null : await rateNow(ctx, input.service, input.number, nowMs);
  if (rating !== null && !rating.ok) return rating;
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<BalanceAnswer>> => {
    const card = await subscriberCard(ctx, tx, input.subscriber);
    if (!card.ok) return card;
    const refused = cardRefusal(card.value, nowMs);
    if (refused !== null) return refused;
    const accountId = card.value.accountId;
    if (accountId === null) return fail('card_not_active');
    const balanceMinor = await availableOf(ctx, tx, accountId);
    const costMinor =
      rating === null
        ? null
        : costOf(rating.value.rate, input.units ?? rating.value.rate.firstBlockSeconds);
    return ok({
      cardId: card.value.id,
      currency: card.value.currency,
      balanceMinor,
      enoughCredit: costMinor === null ? balanceMinor > 0n : costMinor <= balanceMinor,
      maxSeconds: rating === null ? null : maxAffordableSeconds(rating.value.rate, balanceMinor),
      costMinor,
    });
  });
}
