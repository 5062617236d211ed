import { performance } from 'node:perf_hooks';
import { MS_PER_DAY, assert, fail, isoFromMs, newId, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { getAssociate } from './associates.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { signWebhook } from './secrets.ts';
import type { WebhookAttemptTable, WebhookDeliveryTable } from './tables.ts';

/**
 * Waits after the 1st, 2nd, … failed attempt; the last one repeats. With the 3-day window this
 * makes 11 attempts: at 0, 5 s, 5 min, 35 min, 2.6 h, 7.6 h, 17.6 h, 27.6 h, 41.6 h, 61.6 h
 * and a final one exactly 3 days after the first.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly bigint[] = [
  5_000n,
  5n * 60_000n,
  30n * 60_000n,
  2n * 3_600_000n,
  5n * 3_600_000n,
  10n * 3_600_000n,
  10n * 3_600_000n,
  14n * 3_600_000n,
  20n * 3_600_000n,
];
/** No attempt is scheduled later than this after a delivery's first attempt. */
export const WEBHOOK_RETRY_WINDOW_MS = 3n * MS_PER_DAY;
/** A backstop under the window (a clock that jumps back cannot make a delivery retry forever). */
export const WEBHOOK_ATTEMPTS_MAX = 20;
export const WEBHOOK_TIMEOUT_DEFAULT_MS = 10_000;
export const WEBHOOK_TIMEOUT_MAX_MS = 30_000;
/** Attempts one delivery pass may make, and how many requests it has in flight at once. */
export const WEBHOOK_PASS_LIMIT_DEFAULT = 100;
export const WEBHOOK_PASS_LIMIT_MAX = 1_000;
export const WEBHOOK_CONCURRENCY_MAX = 8;
/** A claim outlives the request's timeout by this much before another worker may take it. */
const LEASE_MARGIN_MS = 60_000n;
const ERROR_TEXT_MAX = 500;
const PAGE_MAX = 100;

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event's delivery to one URL: retried until it succeeds or its window closes. */
export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly associateId: string;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** When the next attempt is due (or, while one is in flight, when its claim lapses). */
  readonly nextAttemptAtMs: bigint | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly deliveredAtMs: bigint | null;
  readonly createdAtMs: bigint;
}

export interface WebhookAttempt {
  readonly attempt: number;
  readonly atMs: bigint;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface DeliveryJson {
  readonly id: string;
  readonly object: 'webhook_delivery';
  readonly event: string;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly next_attempt_at: string | null;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
  readonly created: string;
}

export interface AttemptJson {
  readonly attempt: number;
  readonly at: string;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly duration_ms: number;
}

export interface WebhookPassReport {
  /** Requests sent (each one is a row in the attempt log). */
  readonly attempted: number;
  readonly succeeded: number;
  /** Failed attempts with another one scheduled. */
  readonly retrying: number;
  /** Deliveries that gave up in this pass. */
  readonly failed: number;
}

interface Scope {
  readonly associateId: string;
  readonly livemode: boolean;
}

function statusOf(text: string): DeliveryStatus {
  assert(text === 'pending' || text === 'succeeded' || text === 'failed', 'known delivery status');
  return text;
}

function deliveryFromRow(row: WebhookDeliveryTable): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    associateId: row.associate_id,
    url: row.url,
    status: statusOf(row.status),
    attempts: Number(row.attempts),
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    deliveredAtMs: row.delivered_at_ms,
    createdAtMs: row.created_at_ms,
  };
}

function attemptFromRow(row: WebhookAttemptTable): WebhookAttempt {
  return {
    attempt: Number(row.attempt),
    atMs: row.at_ms,
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    durationMs: Number(row.duration_ms),
  };
}

export function deliveryJson(d: WebhookDelivery): DeliveryJson {
  return {
    id: d.id,
    object: 'webhook_delivery',
    event: d.eventId,
    url: d.url,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAtMs === null ? null : isoFromMs(d.nextAttemptAtMs),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    delivered_at: d.deliveredAtMs === null ? null : isoFromMs(d.deliveredAtMs),
    created: isoFromMs(d.createdAtMs),
  };
}

export function attemptJson(a: WebhookAttempt): AttemptJson {
  return {
    attempt: a.attempt,
    at: isoFromMs(a.atMs),
    status_code: a.statusCode,
    error: a.error,
    duration_ms: a.durationMs,
  };
}

/**
 * When to try again after `attemptsMade` failed attempts, or null to give up. Pure: the caller
 * passes the time. The last retry is pulled in to the end of the window rather than dropped, so
 * a receiver that is down for almost three days still gets the event.
 */
export function nextAttemptAtMs(input: {
  readonly attemptsMade: number;
  readonly firstAttemptAtMs: bigint;
  readonly nowMs: bigint;
}): bigint | null {
  assert(input.attemptsMade >= 1, 'called after an attempt');
  if (input.attemptsMade >= WEBHOOK_ATTEMPTS_MAX) return null;
  const deadlineMs = input.firstAttemptAtMs + WEBHOOK_RETRY_WINDOW_MS;
  if (input.nowMs >= deadlineMs) return null;
  const last = WEBHOOK_RETRY_DELAYS_MS.length - 1;
  const delayMs = WEBHOOK_RETRY_DELAYS_MS[Math.min(input.attemptsMade - 1, last)];
  assert(delayMs !== undefined && delayMs > 0n, 'a retry delay for every attempt');
  const nextMs = input.nowMs + delayMs;
  return nextMs < deadlineMs ? nextMs : deadlineMs;
}

// ---------------------------------------------------------------------------------------------
// Reading the log

/** A delivery with its attempts, oldest first; undefined when it is not the caller's. */
export async function getDelivery(
  executor: Executor,
  scope: Scope,
  id: string,
): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] } | undefined> {
  const t = paymentTables(executor);
  const row = await t
    .selectFrom('webhook_delivery as d')
    .innerJoin('webhook_event as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .where('d.id', '=', id)
    .where('d.associate_id', '=', scope.associateId)
    .where('e.livemode', '=', scope.livemode ? 1n : 0n)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const attempts = await t
    .selectFrom('webhook_attempt')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempt')
    .limit(WEBHOOK_ATTEMPTS_MAX)
    .execute();
  return { delivery: deliveryFromRow(row), attempts: attempts.map(attemptFromRow) };
}

/** The caller's deliveries, newest first, optionally for one event; cursor pagination. */
export async function listDeliveries(
  executor: Executor,
  scope: Scope,
  q: { readonly limit: number; readonly startingAfter?: string; readonly eventId?: string },
): Promise<Outcome<{ data: WebhookDelivery[]; hasMore: boolean }>> {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > PAGE_MAX)
    return fail('parameter_invalid', 'limit');
  const t = paymentTables(executor);
  let query = t
    .selectFrom('webhook_delivery as d')
    .innerJoin('webhook_event as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .where('d.associate_id', '=', scope.associateId)
    .where('e.livemode', '=', scope.livemode ? 1n : 0n)
    .orderBy('d.created_at_ms', 'desc')
    .orderBy('d.id', 'desc')
    .limit(q.limit + 1);
  if (q.eventId !== undefined) query = query.where('d.event_id', '=', q.eventId);
  if (q.startingAfter !== undefined) {
    const cursor = await t
      .selectFrom('webhook_delivery')
      .select(['id', 'created_at_ms'])
      .where('id', '=', q.startingAfter)
      .where('associate_id', '=', scope.associateId)
      .executeTakeFirst();
    if (cursor === undefined) return fail('parameter_invalid', 'starting_after');
    query = query.where((eb) =>
      eb.or([
        eb('d.created_at_ms', '<', cursor.created_at_ms),
        eb.and([eb('d.created_at_ms', '=', cursor.created_at_ms), eb('d.id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await query.execute();
  return ok({ data: rows.slice(0, q.limit).map(deliveryFromRow), hasMore: rows.length > q.limit });
}

// ---------------------------------------------------------------------------------------------
// Manual redelivery

/**
 * Sends an event again, in the caller's transaction: a new delivery to the associate's current
 * webhook URL, due now, with its own attempt log and retry window. The event (and so the
 * `webhook-id` header) is the same, so a receiver that deduplicates by id stays correct. A new
 * row rather than a reset of the old one: the old log stays as it was, and a reset could race
 * an attempt that is in flight.
 */
export async function redeliverEvent(
  ctx: PaymentsContext,
  tx: Executor,
  scope: Scope,
  eventId: string,
): Promise<Outcome<WebhookDelivery>> {
  const t = paymentTables(tx);
  const event = await t
    .selectFrom('webhook_event')
    .select('id')
    .where('id', '=', eventId)
    .where('associate_id', '=', scope.associateId)
    .where('livemode', '=', scope.livemode ? 1n : 0n)
    .executeTakeFirst();
  if (event === undefined) return fail('event_not_found', 'id');
  const associate = await getAssociate(tx, scope.associateId);
  if (associate === undefined || associate.webhookUrl === null) {
    return fail('parameter_invalid', 'webhook_url', 'no webhook URL is set for this associate');
  }
  const nowMs = ctx.clock.nowMs();
  const row: WebhookDeliveryTable = {
    id: newId('whd'),
    event_id: event.id,
    associate_id: scope.associateId,
    url: associate.webhookUrl,
    status: 'pending',
    attempts: 0n,
    next_attempt_at_ms: nowMs,
    last_status_code: null,
    last_error: null,
    delivered_at_ms: null,
    created_at_ms: nowMs,
  };
  await t.insertInto('webhook_delivery').values(row).execute();
  const back = await t
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirst();
  assert(back?.status === 'pending' && back.next_attempt_at_ms === nowMs, 'redelivery reads back');
  return ok(deliveryFromRow(back));
}

// ---------------------------------------------------------------------------------------------
// The delivery pass

interface Claim {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly associateId: string;
  readonly url: string;
  /** Attempts made before this one. */
  readonly attemptsBefore: bigint;
  readonly createdAtMs: bigint;
  /** The claim's token: the row's next_attempt_at_ms while this worker holds it. */
  readonly leaseUntilMs: bigint;
  readonly atMs: bigint;
  readonly payload: string;
}

interface SendResult {
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/**
 * Takes the most overdue pending delivery by pushing its due time past the request's timeout,
 * in a short transaction of its own: another worker skips it until the claim lapses (a worker
 * that died mid-request). On PostgreSQL the row is read with FOR UPDATE SKIP LOCKED so that
 * concurrent claimers take different rows instead of queueing on one; SQLite's BEGIN IMMEDIATE
 * serializes claimers, and each sees the previous claim.
 */
async function claimDue(ctx: PaymentsContext, leaseMs: bigint): Promise<Claim | null> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = paymentTables(tx);
    const nowMs = ctx.clock.nowMs();
    let query = t
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at_ms', '<=', nowMs)
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(1);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const row = await query.executeTakeFirst();
    if (row === undefined) return null;
    const event = await t
      .selectFrom('webhook_event')
      .select('payload')
      .where('id', '=', row.event_id)
      .executeTakeFirst();
    assert(event !== undefined, 'a delivery’s event exists (foreign key)');
    const leaseUntilMs = nowMs + leaseMs;
    const updated = await t
      .updateTable('webhook_delivery')
      .set({ next_attempt_at_ms: leaseUntilMs })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the claimed row is ours to update');
    return {
      deliveryId: row.id,
      eventId: row.event_id,
      associateId: row.associate_id,
      url: row.url,
      attemptsBefore: row.attempts,
      createdAtMs: row.created_at_ms,
      leaseUntilMs,
      atMs: nowMs,
      payload: event.payload,
    };
  });
}

function clip(text: string): string {
  return text.length <= ERROR_TEXT_MAX ? text : `${text.slice(0, ERROR_TEXT_MAX - 1)}…`;
}

/** A receiver's failure in words for the log; never includes the payload or the secret. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `timeout: no answer within ${timeoutMs} ms`;
    const cause = (error as { cause?: unknown }).cause;
    if (typeof cause === 'object' && cause !== null) {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'string') return clip(`connection failed: ${code}`);
      if (cause instanceof Error) return clip(`connection failed: ${cause.message}`);
    }
    return clip(`request failed: ${error.message}`);
  }
  return 'request failed';
}

/**
 * POSTs the stored payload, byte for byte, outside any transaction. Redirects are not followed
 * (a 3xx is a failure), the answer's body is discarded unread, and every failure of the
 * receiver becomes a result rather than an exception.
 */
async function send(
  ctx: PaymentsContext,
  claim: Claim,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<SendResult> {
  const timestampS = Math.floor(Number(claim.atMs) / 1000);
  const signature = signWebhook(ctx, claim.associateId, {
    id: claim.eventId,
    timestampS,
    body: claim.payload,
  });
  const startedAt = performance.now();
  const elapsed = (): number => Math.max(0, Math.round(performance.now() - startedAt));
  try {
    const response = await fetchImpl(claim.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'OnePIN-Webhooks/1',
        'webhook-id': claim.eventId,
        'webhook-timestamp': String(timestampS),
        'webhook-signature': signature,
      },
      body: claim.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    const statusCode = response.status > 0 ? response.status : null;
    const fine = statusCode !== null && statusCode >= 200 && statusCode < 300;
    return {
      statusCode,
      error: fine ? null : `HTTP ${statusCode ?? 'redirect'}`,
      durationMs: elapsed(),
    };
  } catch (error) {
    return { statusCode: null, error: describeFailure(error, timeoutMs), durationMs: elapsed() };
  }
}

type Recorded = DeliveryStatus | 'lost';

/**
 * Logs the attempt and moves the delivery on, if the claim still holds: when it lapsed and
 * another worker took the row (or the row changed), this result is dropped, since that worker
 * will log its own attempt under the same number.
 */
async function record(ctx: PaymentsContext, claim: Claim, result: SendResult): Promise<Recorded> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = paymentTables(tx);
    let query = t.selectFrom('webhook_delivery').selectAll().where('id', '=', claim.deliveryId);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    assert(row !== undefined, 'deliveries are never deleted');
    if (
      row.status !== 'pending' ||
      row.attempts !== claim.attemptsBefore ||
      row.next_attempt_at_ms !== claim.leaseUntilMs
    ) {
      return 'lost';
    }
    const attempt = row.attempts + 1n;
    const nowMs = ctx.clock.nowMs();
    const first =
      attempt === 1n
        ? undefined
        : await t
            .selectFrom('webhook_attempt')
            .select('at_ms')
            .where('delivery_id', '=', row.id)
            .where('attempt', '=', 1n)
            .executeTakeFirst();
    const firstAttemptAtMs = attempt === 1n ? claim.atMs : (first?.at_ms ?? row.created_at_ms);
    await t
      .insertInto('webhook_attempt')
      .values({
        delivery_id: row.id,
        attempt,
        at_ms: claim.atMs,
        status_code: result.statusCode === null ? null : BigInt(result.statusCode),
        error: result.error,
        duration_ms: BigInt(result.durationMs),
      })
      .execute();
    const succeeded = result.error === null;
    const nextMs = succeeded
      ? null
      : nextAttemptAtMs({ attemptsMade: Number(attempt), firstAttemptAtMs, nowMs });
    const status: DeliveryStatus = succeeded ? 'succeeded' : nextMs === null ? 'failed' : 'pending';
    const updated = await t
      .updateTable('webhook_delivery')
      .set({
        status,
        attempts: attempt,
        next_attempt_at_ms: nextMs,
        last_status_code: result.statusCode === null ? null : BigInt(result.statusCode),
        last_error: result.error,
        delivered_at_ms: succeeded ? nowMs : null,
      })
      .where('id', '=', row.id)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the delivery moves on exactly once');
    return status;
  });
}

/**
 * One delivery pass: claims due deliveries one at a time in up to `concurrency` lanes, sends
 * each outside any transaction, and records the result. Makes at most `limit` attempts, so a
 * pass always ends; a receiver's failure (refused, 5xx, timeout) is logged and rescheduled,
 * never thrown. Database errors do propagate, after every lane has stopped.
 */
export async function deliverDueWebhooks(
  ctx: PaymentsContext,
  options: {
    readonly limit?: number;
    readonly fetchImpl?: typeof fetch;
    readonly timeoutMs?: number;
    readonly concurrency?: number;
  } = {},
): Promise<WebhookPassReport> {
  const limit = options.limit ?? WEBHOOK_PASS_LIMIT_DEFAULT;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_DEFAULT_MS;
  const concurrency = Math.min(options.concurrency ?? WEBHOOK_CONCURRENCY_MAX, limit);
  assert(Number.isSafeInteger(limit) && limit >= 0, 'pass limit is a count');
  assert(limit <= WEBHOOK_PASS_LIMIT_MAX, 'pass limit within its maximum');
  assert(Number.isSafeInteger(timeoutMs) && timeoutMs > 0, 'timeout is positive');
  assert(timeoutMs <= WEBHOOK_TIMEOUT_MAX_MS, 'timeout within its maximum');
  assert(concurrency >= 0 && concurrency <= WEBHOOK_CONCURRENCY_MAX, 'concurrency bounded');
  const fetchImpl = options.fetchImpl ?? fetch;
  const leaseMs = BigInt(timeoutMs) + LEASE_MARGIN_MS;

  let budget = limit;
  const tally = { attempted: 0, succeeded: 0, retrying: 0, failed: 0 };
  const lane = async (): Promise<void> => {
    while (budget > 0) {
      budget -= 1;
      const claim = await claimDue(ctx, leaseMs);
      if (claim === null) return;
      const result = await send(ctx, claim, fetchImpl, timeoutMs);
      const recorded = await record(ctx, claim, result);
      tally.attempted += 1;
      if (recorded === 'succeeded') tally.succeeded += 1;
      else if (recorded === 'pending') tally.retrying += 1;
      else if (recorded === 'failed') tally.failed += 1;
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: concurrency }, lane));
  for (const settled of lanes) if (settled.status === 'rejected') throw settled.reason;
  assert(tally.attempted <= limit, 'a pass stays within its limit');
  return tally;
}
