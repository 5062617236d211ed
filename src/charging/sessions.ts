import { lockCard, spendFromCard, type Card } from '../cards/index.ts';
import {
  MS_PER_SECOND,
  assert,
  derivedId,
  fail,
  newId,
  ok,
  type Currency,
  type Outcome,
} from '../kernel/index.ts';
import {
  TransferFlags,
  availableBalance,
  isApplied,
  systemAccountId,
  type TransferResult,
} from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { isExpired } from '../cards/index.ts';
import type { SessionsContext } from './context.ts';
import { costOf } from './cost-rules.ts';
import { grantSeconds } from './grant-rules.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { loadTariff } from './load-tariff.ts';
import { rate, type Rating } from './rating-rules.ts';
import {
  rateFromJson,
  rateToJson,
  recallAnswer,
  rememberAnswer,
  requestDigest,
  type ChargingAnswer,
  type ChargingStatus,
  type RatingSummary,
} from './session-answer.ts';
import { HOLD_MARGIN_MS } from './session-policy.ts';
import { sessionTables, type ChargingSessionTable } from './session-tables.ts';
import { cardOfToken } from './subscriber-tokens.ts';
import { isService, type Rate } from './types.ts';

/** Who a request is about: a subscriber token (Diameter, the API) or a card id (in-process). */
export type Subscriber = { readonly token: string } | { readonly cardId: string };

/** Where a session comes from and its id there: together the key requests are matched on. */
export interface SessionKey {
  /** `diameter`, `ivr`, `http:<associate id>`: client session ids are unique per origin. */
  readonly origin: string;
  readonly clientSessionId: string;
}

export interface StartInput extends SessionKey {
  readonly requestNumber: number;
  readonly subscriber: Subscriber;
  readonly service: string;
  /** The called number as the switch sent it. */
  readonly number: string;
  /** Seconds asked for; null or 0 = the policy's default. */
  readonly requestedSeconds: number | null;
}

export interface ReportInput extends SessionKey {
  readonly requestNumber: number;
  /** Seconds used since the last report (may exceed what was granted). */
  readonly usedSeconds: number;
  /**
   * Update only. A number (0 = the default) asks for a new grant; null means the request
   * carried no Requested-Service-Unit: commit the used units and grant nothing (RFC 8506 §8.16).
   */
  readonly requestedSeconds?: number | null;
}

const CLIENT_SESSION_ID_MAX = 256;

export function clientKeyOf(key: SessionKey): string {
  return `${key.origin}|${key.clientSessionId}`;
}

export function checkKey(key: SessionKey, requestNumber: number): Outcome<null> {
  if (key.clientSessionId.length === 0 || key.clientSessionId.length > CLIENT_SESSION_ID_MAX) {
    return fail('parameter_invalid', 'session_id', `1 to ${CLIENT_SESSION_ID_MAX} characters`);
  }
  if (!Number.isSafeInteger(requestNumber) || requestNumber < 0 || requestNumber > 0xffffffff) {
    return fail('parameter_invalid', 'request_number', 'a whole number from 0 to 4294967295');
  }
  return ok(null);
}

function checkSeconds(value: number | null | undefined, param: string): Outcome<null> {
  if (value === null || value === undefined) return ok(null);
  if (!Number.isSafeInteger(value) || value < 0 || value > CHARGING_LIMITS.billableSecondsMax) {
    return fail(
      'parameter_invalid',
      param,
      `a whole number from 0 to ${CHARGING_LIMITS.billableSecondsMax}`,
    );
  }
  return ok(null);
}

/** Why a card cannot be charged now, or null when it can (Diameter 4010 for all of them). */
export function cardRefusal(card: Card, nowMs: bigint): Outcome<never> | null {
  if (card.state === 'locked') return fail('card_locked');
  if (card.state !== 'active' || card.accountId === null) return fail('card_not_active');
  if (isExpired(card.expiresAtMs, nowMs)) return fail('card_expired');
  return null;
}

/** The card behind a subscriber, locked for this transaction; `subscriber_unknown` if none. */
export async function subscriberCard(
  ctx: SessionsContext,
  tx: Executor,
  subscriber: Subscriber,
): Promise<Outcome<Card>> {
  const cardId =
    'token' in subscriber ? await cardOfToken(ctx, tx, subscriber.token) : subscriber.cardId;
  if (cardId === null) return fail('subscriber_unknown', 'subscriber');
  const card = await lockCard(ctx.cards, tx, cardId);
  return card.ok ? card : fail('subscriber_unknown', 'subscriber');
}

export async function availableOf(
  ctx: SessionsContext,
  tx: Executor,
  accountId: string,
): Promise<bigint> {
  const account = await ctx.ledger.getAccount(tx, accountId);
  assert(account !== undefined, 'an active card has its account');
  return availableBalance(account);
}

/** Rates a request with the tariff in force now. Reads outside any transaction (SQLite). */
export async function rateNow(
  ctx: SessionsContext,
  service: string,
  number: string | undefined,
  atMs: bigint,
): Promise<Outcome<Rating>> {
  if (!isService(service)) {
    return fail('parameter_invalid', 'service', 'call, voicemail, sms or content');
  }
  const tariff = await loadTariff(ctx, { service, atMs });
  if (!tariff.ok) return tariff;
  return rate(tariff.value, { service, atMs, ...(number === undefined ? {} : { number }) });
}

export function ratingSummary(row: ChargingSessionTable): RatingSummary {
  return {
    service: row.service,
    e164: row.e164,
    prefix: row.prefix,
    destinationId: row.destination_id,
    destinationName: row.destination_name,
    rateId: row.rate_id,
    tariffVersion: Number(row.tariff_version),
  };
}

/** A new session row (or event row) from a rating, before anything is charged. */
export function newSessionRow(input: {
  readonly id: string;
  readonly key: SessionKey;
  readonly kind: 'session' | 'event';
  readonly card: Card;
  readonly called: string;
  readonly rating: Rating;
  readonly balanceMinor: bigint;
  readonly nowMs: bigint;
}): ChargingSessionTable {
  const { card, rating } = input;
  assert(card.accountId !== null, 'a charged card has its account');
  return {
    id: input.id,
    client_key: clientKeyOf(input.key),
    client_session_id: input.key.clientSessionId,
    origin: input.key.origin,
    kind: input.kind,
    card_id: card.id,
    account_id: card.accountId,
    currency: card.currency,
    service: rating.service,
    called: input.called,
    e164: rating.e164,
    prefix: rating.prefix,
    destination_id: rating.destinationId,
    destination_name: rating.destinationName,
    tariff_version: BigInt(rating.tariffVersion),
    rate_id: rating.rate.id,
    rate_json: rateToJson(rating.rate),
    state: 'open',
    next_request_number: 0n,
    hold_seq: 0n,
    hold_id: null,
    hold_minor: 0n,
    granted_seconds: 0n,
    used_seconds: 0n,
    cost_minor: 0n,
    collected_minor: 0n,
    uncollected_minor: 0n,
    refunded_minor: 0n,
    balance_before_minor: input.balanceMinor,
    balance_after_minor: null,
    started_at_ms: input.nowMs,
    last_request_at_ms: input.nowMs,
    timer_at_ms: null,
    ended_at_ms: null,
    end_reason: null,
  };
}

export function answerOf(
  row: ChargingSessionTable,
  request: {
    readonly type: ChargingAnswer['requestType'];
    readonly number: number;
    readonly status: ChargingStatus;
    readonly grantedSeconds: number | null;
    readonly finalUnit: boolean;
    readonly validityTimeSeconds: number | null;
    readonly chargedMinor: bigint;
    readonly balanceMinor: bigint;
  },
): ChargingAnswer {
  return {
    sessionId: row.id,
    clientSessionId: row.client_session_id,
    requestType: request.type,
    requestNumber: request.number,
    status: request.status,
    state: row.state,
    grantedSeconds: request.grantedSeconds,
    finalUnit: request.finalUnit,
    validityTimeSeconds: request.validityTimeSeconds,
    chargedMinor: request.chargedMinor,
    reservedMinor: row.hold_minor,
    usedSeconds: Number(row.used_seconds),
    costMinor: row.cost_minor,
    uncollectedMinor: row.uncollected_minor,
    refundedMinor: row.refunded_minor,
    balanceMinor: request.balanceMinor,
    currency: row.currency as Currency,
    rating: ratingSummary(row),
    replayed: false,
  };
}

/** A ledger refusal where none can happen (the card row is locked): a defect, so roll back. */
function mustApply(result: TransferResult | undefined, what: string): void {
  if (result === undefined || !isApplied(result)) {
    throw new Error(`charging: the ledger refused ${what} (${result ?? 'no result'})`);
  }
}

/** Reserves `amountMinor` for a session's grant: a pending transfer card → service revenue. */
async function reserve(
  ctx: SessionsContext,
  tx: Executor,
  row: ChargingSessionTable,
  amountMinor: bigint,
): Promise<{ holdId: string | null; seq: bigint }> {
  if (amountMinor === 0n) return { holdId: null, seq: row.hold_seq };
  const seq = row.hold_seq + 1n;
  const holdId = `${row.id}.h${seq}`;
  const spent = await spendFromCard(ctx.cards, tx, {
    cardId: row.card_id,
    creditAccountId: systemAccountId(row.currency as Currency, 'service_revenue'),
    amountMinor,
    currency: row.currency,
    transferId: holdId,
    code: 'reservation',
    reference: row.id,
    holdTimeoutMs: BigInt(ctx.policy.sessionTimeoutSeconds) * MS_PER_SECOND + HOLD_MARGIN_MS,
  });
  if (!spent.ok) throw new Error(`charging: reservation refused (${spent.error.code})`);
  return { holdId, seq };
}

/**
 * Ends the session's current reservation: posts `postMinor` of it (the rest is released), or
 * releases all of it. A hold the ledger already expired is left as it is. Returns what was posted.
 */
async function settleHold(
  ctx: SessionsContext,
  tx: Executor,
  row: ChargingSessionTable,
  postMinor: bigint,
  nowMs: bigint,
): Promise<bigint> {
  if (row.hold_id === null) return 0n;
  const hold = await ctx.ledger.getPending(tx, row.hold_id);
  if (hold?.status !== 'pending') return 0n;
  const timedOut = hold.expiresAtMs !== 0n && nowMs >= hold.expiresAtMs;
  const amount = postMinor < hold.amountMinor ? postMinor : hold.amountMinor;
  if (timedOut) {
    const [expired] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: `${row.hold_id}.e`,
          pendingId: row.hold_id,
          code: 'reservation_expiry',
          flags: TransferFlags.expirePending,
          reference: row.id,
        },
      ],
      nowMs,
    );
    mustApply(expired, 'the expiry of a reservation');
    return 0n;
  }
  const [result] = await ctx.ledger.transfer(
    tx,
    [
      amount > 0n
        ? {
            id: `${row.hold_id}.p`,
            pendingId: row.hold_id,
            amountMinor: amount,
            code: row.service,
            flags: TransferFlags.postPending,
            reference: row.id,
          }
        : {
            id: `${row.hold_id}.v`,
            pendingId: row.hold_id,
            code: 'reservation_release',
            flags: TransferFlags.voidPending,
            reference: row.id,
          },
    ],
    nowMs,
  );
  mustApply(result, 'settling a reservation');
  return amount;
}

/**
 * Commits `usedSeconds` more of the session: the cost of the call so far minus what was already
 * charged, taken first from the reservation (whose rest is released) and, when the client used
 * more than it was granted, directly from the card as far as the balance goes. What the card
 * cannot cover is recorded as uncollected. Returns the updated row and what was charged.
 */
async function commitUsage(
  ctx: SessionsContext,
  tx: Executor,
  row: ChargingSessionTable,
  usedSeconds: number,
  requestNumber: number,
  nowMs: bigint,
): Promise<{ row: ChargingSessionTable; chargedMinor: bigint }> {
  const rateOfRow: Rate = rateFromJson(row.rate_json);
  const totalSeconds = Math.min(
    Number(row.used_seconds) + usedSeconds,
    CHARGING_LIMITS.billableSecondsMax,
  );
  const costMinor = costOf(rateOfRow, totalSeconds);
  const deltaMinor = costMinor - row.cost_minor;
  assert(deltaMinor >= 0n, 'the cost of a call never falls as it goes on');
  const posted = await settleHold(ctx, tx, row, deltaMinor, nowMs);
  let collected = posted;
  const excess = deltaMinor - posted;
  if (excess > 0n) {
    const available = await availableOf(ctx, tx, row.account_id);
    const take = excess < available ? excess : available;
    if (take > 0n) {
      const debited = await spendFromCard(ctx.cards, tx, {
        cardId: row.card_id,
        creditAccountId: systemAccountId(row.currency as Currency, 'service_revenue'),
        amountMinor: take,
        currency: row.currency,
        transferId: derivedId('ovr', `${row.id}.${requestNumber}`),
        code: row.service,
        reference: row.id,
      });
      // A card locked or expired during the call still owes its used units (RFC 8506 §5.1.2);
      // the ledger cannot take them from it, so they are recorded as uncollected.
      if (debited.ok) collected += take;
    }
  }
  return {
    chargedMinor: collected,
    row: {
      ...row,
      used_seconds: BigInt(totalSeconds),
      cost_minor: costMinor,
      collected_minor: row.collected_minor + collected,
      uncollected_minor: row.uncollected_minor + (deltaMinor - collected),
      hold_id: null,
      hold_minor: 0n,
      granted_seconds: 0n,
    },
  };
}

export async function saveRow(tx: Executor, row: ChargingSessionTable): Promise<void> {
  const { id, ...rest } = row;
  const result = await sessionTables(tx)
    .updateTable('charging_session')
    .set(rest)
    .where('id', '=', id)
    .executeTakeFirst();
  assert(result.numUpdatedRows === 1n, 'the session row exists');
}

export async function loadSession(
  ctx: SessionsContext,
  tx: Executor,
  clientKey: string,
  lock: boolean,
): Promise<ChargingSessionTable | undefined> {
  let query = sessionTables(tx)
    .selectFrom('charging_session')
    .selectAll()
    .where('client_key', '=', clientKey);
  if (lock && ctx.db.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The session for a key with its card locked first (lock order: card, then session). */
export async function lockedSession(
  ctx: SessionsContext,
  tx: Executor,
  clientKey: string,
): Promise<Outcome<{ row: ChargingSessionTable; card: Card }>> {
  const peek = await loadSession(ctx, tx, clientKey, false);
  if (peek === undefined) return fail('session_not_found', 'session_id');
  const card = await lockCard(ctx.cards, tx, peek.card_id);
  assert(card.ok, 'a session names an existing card');
  const row = await loadSession(ctx, tx, clientKey, true);
  assert(row !== undefined, 'a session row is never deleted');
  return ok({ row, card: card.value });
}

function timerFrom(ctx: SessionsContext, nowMs: bigint): bigint {
  return nowMs + BigInt(ctx.policy.sessionTimeoutSeconds) * MS_PER_SECOND;
}

/**
 * Initial request (CCR-I): rates the call at its start, grants min(requested, affordable, cap)
 * where affordable counts the connection fee, the minimum and the whole first block, reserves
 * the grant's cost, and starts the session timer. `credit_limit_reached` when nothing is
 * affordable (and nothing changes).
 */
export async function startSession(
  ctx: SessionsContext,
  input: StartInput,
): Promise<Outcome<ChargingAnswer>> {
  const checked = checkKey(input, input.requestNumber);
  if (!checked.ok) return checked;
  const seconds = checkSeconds(input.requestedSeconds, 'requested_seconds');
  if (!seconds.ok) return seconds;
  const clientKey = clientKeyOf(input);
  const digest = requestDigest({
    type: 'initial',
    subscriber: 'token' in input.subscriber ? input.subscriber.token : input.subscriber.cardId,
    service: input.service,
    number: input.number,
    requested: input.requestedSeconds ?? 0,
  });
  const seen = await recallAnswer(ctx.db.kysely, clientKey, input.requestNumber, digest);
  if (seen !== null) return seen;
  const nowMs = ctx.clock.nowMs();
  const rating = await rateNow(ctx, input.service, input.number, nowMs);
  if (!rating.ok) return rating;
  const requested =
    input.requestedSeconds === null || input.requestedSeconds === 0
      ? ctx.policy.defaultRequestSeconds
      : input.requestedSeconds;
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
    assert(card.value.accountId !== null, 'an active card has its account');
    const balanceMinor = await availableOf(ctx, tx, card.value.accountId);
    const grant = grantSeconds({
      rate: rating.value.rate,
      balanceMinor,
      requestedSeconds: requested,
      capSeconds: ctx.policy.grantCapSeconds,
      alreadyCommittedSeconds: 0,
    });
    if (grant.grantedSeconds === 0) {
      return fail('credit_limit_reached', undefined, 'the balance does not cover the first block');
    }
    const fresh = newSessionRow({
      id: newId('cs'),
      key: input,
      kind: 'session',
      card: card.value,
      called: input.number,
      rating: rating.value,
      balanceMinor,
      nowMs,
    });
    await sessionTables(tx).insertInto('charging_session').values(fresh).execute();
    const held = await reserve(ctx, tx, fresh, grant.reserveMinor);
    const row: ChargingSessionTable = {
      ...fresh,
      hold_id: held.holdId,
      hold_seq: held.seq,
      hold_minor: grant.reserveMinor,
      granted_seconds: BigInt(grant.grantedSeconds),
      next_request_number: BigInt(input.requestNumber) + 1n,
      timer_at_ms: timerFrom(ctx, nowMs),
    };
    await saveRow(tx, row);
    const answer = answerOf(row, {
      type: 'initial',
      number: input.requestNumber,
      status: 'ok',
      grantedSeconds: grant.grantedSeconds,
      finalUnit: grant.finalUnit,
      validityTimeSeconds: ctx.policy.validityTimeSeconds,
      chargedMinor: 0n,
      balanceMinor: balanceMinor - grant.reserveMinor,
    });
    await rememberAnswer(tx, clientKey, digest, answer, nowMs);
    return ok(answer);
  });
}

/**
 * Update (CCR-U) and terminate (CCR-T): commit the used units (even beyond the grant), then
 * either grant again (update with a request), grant nothing (update without one), or close the
 * session and release what is left (terminate). A session past its timer is closed first and
 * answered `session_not_found`.
 */
async function report(
  ctx: SessionsContext,
  input: ReportInput,
  type: 'update' | 'terminate',
): Promise<Outcome<ChargingAnswer>> {
  const checked = checkKey(input, input.requestNumber);
  if (!checked.ok) return checked;
  const used = checkSeconds(input.usedSeconds, 'used_seconds');
  if (!used.ok) return used;
  const requestedCheck = checkSeconds(input.requestedSeconds, 'requested_seconds');
  if (!requestedCheck.ok) return requestedCheck;
  const clientKey = clientKeyOf(input);
  const digest = requestDigest({
    type,
    used: input.usedSeconds,
    requested: type === 'terminate' ? null : (input.requestedSeconds ?? null),
  });
  const seen = await recallAnswer(ctx.db.kysely, clientKey, input.requestNumber, digest);
  if (seen !== null) return seen;
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<ChargingAnswer>> => {
    const found = await lockedSession(ctx, tx, clientKey);
    // Read again under the card's lock: a concurrent duplicate may have just been answered.
    const again = await recallAnswer(tx, clientKey, input.requestNumber, digest);
    if (again !== null) return again;
    if (!found.ok) return found;
    const { card } = found.value;
    let row = found.value.row;
    if (row.kind !== 'session')
      return fail('session_not_found', 'session_id', 'an event, not a session');
    if (row.state === 'open' && row.timer_at_ms !== null && nowMs >= row.timer_at_ms) {
      await expireRow(ctx, tx, row, nowMs);
      return fail('session_not_found', 'session_id', 'the session timer ran out');
    }
    if (row.state !== 'open')
      return fail('session_not_found', 'session_id', `the session is ${row.state}`);
    if (BigInt(input.requestNumber) < row.next_request_number) {
      return fail(
        'request_number_invalid',
        'request_number',
        `request ${input.requestNumber} is older than the last one answered`,
      );
    }
    const committed = await commitUsage(
      ctx,
      tx,
      row,
      input.usedSeconds,
      input.requestNumber,
      nowMs,
    );
    row = {
      ...committed.row,
      next_request_number: BigInt(input.requestNumber) + 1n,
      last_request_at_ms: nowMs,
    };
    let status: ChargingStatus = 'ok';
    let grantedSeconds: number | null = null;
    let finalUnit = false;
    const refused = cardRefusal(card, nowMs);
    const closing = type === 'terminate' || refused !== null;
    if (!closing && input.requestedSeconds !== null && input.requestedSeconds !== undefined) {
      const requested =
        input.requestedSeconds === 0 ? ctx.policy.defaultRequestSeconds : input.requestedSeconds;
      const grant = grantSeconds({
        rate: rateFromJson(row.rate_json),
        balanceMinor: await availableOf(ctx, tx, row.account_id),
        requestedSeconds: requested,
        capSeconds: ctx.policy.grantCapSeconds,
        alreadyCommittedSeconds: Number(row.used_seconds),
      });
      const held = await reserve(ctx, tx, row, grant.reserveMinor);
      row = {
        ...row,
        hold_id: held.holdId,
        hold_seq: held.seq,
        hold_minor: grant.reserveMinor,
        granted_seconds: BigInt(grant.grantedSeconds),
      };
      grantedSeconds = grant.grantedSeconds;
      finalUnit = grant.finalUnit;
      if (grant.grantedSeconds === 0) status = 'credit_limit_reached';
    }
    const balanceMinor = await availableOf(ctx, tx, row.account_id);
    row = closing
      ? {
          ...row,
          state: 'closed',
          timer_at_ms: null,
          ended_at_ms: nowMs,
          balance_after_minor: balanceMinor,
          end_reason: type === 'terminate' ? 'terminated' : 'service_denied',
        }
      : { ...row, timer_at_ms: timerFrom(ctx, nowMs) };
    if (refused !== null && type === 'update') status = 'service_denied';
    await saveRow(tx, row);
    const answer = answerOf(row, {
      type,
      number: input.requestNumber,
      status,
      grantedSeconds,
      finalUnit,
      validityTimeSeconds:
        grantedSeconds === null || closing ? null : ctx.policy.validityTimeSeconds,
      chargedMinor: committed.chargedMinor,
      balanceMinor,
    });
    await rememberAnswer(tx, clientKey, digest, answer, nowMs);
    return ok(answer);
  });
}

export function updateSession(
  ctx: SessionsContext,
  input: ReportInput,
): Promise<Outcome<ChargingAnswer>> {
  return report(ctx, input, 'update');
}

export function terminateSession(
  ctx: SessionsContext,
  input: ReportInput,
): Promise<Outcome<ChargingAnswer>> {
  return report(ctx, { ...input, requestedSeconds: null }, 'terminate');
}

/** Closes a silent session: its reservation is released, nothing more is charged. */
async function expireRow(
  ctx: SessionsContext,
  tx: Executor,
  row: ChargingSessionTable,
  nowMs: bigint,
): Promise<void> {
  await settleHold(ctx, tx, row, 0n, nowMs);
  await saveRow(tx, {
    ...row,
    state: 'expired',
    hold_id: null,
    hold_minor: 0n,
    granted_seconds: 0n,
    timer_at_ms: null,
    ended_at_ms: nowMs,
    end_reason: 'timer',
    balance_after_minor: await availableOf(ctx, tx, row.account_id),
  });
}

/**
 * The session timer (Tcc): open sessions with no request for `sessionTimeoutSeconds` release
 * their reservations and end as `expired`. Run by the worker; returns how many ended.
 */
export async function expireSilentSessions(ctx: SessionsContext, limit: number): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  const due = await sessionTables(ctx.db.kysely)
    .selectFrom('charging_session')
    .select('client_key')
    .where('state', '=', 'open')
    .where('timer_at_ms', '<=', nowMs)
    .orderBy('timer_at_ms')
    .limit(limit)
    .execute();
  let expired = 0;
  for (const { client_key: clientKey } of due) {
    const done = await writeTransaction(ctx.db, async (tx) => {
      const found = await lockedSession(ctx, tx, clientKey);
      if (!found.ok) return false;
      const { row } = found.value;
      if (row.state !== 'open' || row.timer_at_ms === null || row.timer_at_ms > nowMs) return false;
      await expireRow(ctx, tx, row, nowMs);
      return true;
    });
    if (done) expired += 1;
  }
  return expired;
}
