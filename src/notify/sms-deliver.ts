import { AssertionFailure, assert } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { NotifyContext } from './context.ts';
import { pruneWaitingReceipts, recordAcceptedPart, settleSmsFromParts } from './sms-receipt.ts';
import { openSmsText } from './sms-seal.ts';
import { smsTables } from './sms-tables.ts';
import { SMS_SEND_TIMEOUT_MS, type SmsTransport } from './sms-transport.ts';

/** SMS one delivery pass may handle, so a pass always ends. */
export const SMS_PASS_LIMIT_DEFAULT = 50;
export const SMS_PASS_LIMIT_MAX = 500;
/** Sends one pass runs at once (the SMPP window bounds the parts in flight). */
const SMS_PASS_LANES = 8;
/**
 * How long a worker holds an SMS it is sending: longer than a send may take, so two live
 * workers never send one SMS at once. A worker that dies mid-send leaves the SMS due again when
 * the lease lapses; the parts the SMSC had accepted and we had recorded are not sent again.
 */
export const SMS_SEND_LEASE_MS = BigInt(SMS_SEND_TIMEOUT_MS) + 60_000n;
/**
 * Waits after the 1st, 2nd, … failed attempt (an SMSC that is down, a session that cannot
 * bind). After the last, about 3 hours after the first attempt, the SMS is failed.
 */
export const SMS_RETRY_DELAYS_MS: readonly bigint[] = [
  30_000n,
  2n * 60_000n,
  10n * 60_000n,
  30n * 60_000n,
  2n * 3_600_000n,
];
export const SMS_ATTEMPTS_MAX = SMS_RETRY_DELAYS_MS.length + 1;
const ERROR_TEXT_MAX = 500;
const RECEIPT_PRUNE_PER_PASS = 500;

export interface SmsPassReport {
  /** Sends tried (each counted on its SMS). */
  readonly attempted: number;
  /** SMS whose every part the SMSC accepted. */
  readonly submitted: number;
  readonly retrying: number;
  readonly failed: number;
  /** Not sent before their expiry time. */
  readonly expired: number;
  /** Without a transport: SMS due and left queued (nothing is sent or changed). */
  readonly waiting: number;
}

interface Claim {
  readonly id: string;
  readonly to: string;
  readonly text: string;
  readonly concatReference: number;
  readonly acceptedParts: ReadonlyMap<number, string>;
  readonly attempts: bigint;
  readonly leaseUntilMs: bigint;
}

function describeFailure(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : 'send failed';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length <= ERROR_TEXT_MAX ? line : `${line.slice(0, ERROR_TEXT_MAX - 1)}…`;
}

/** When to try again after `attemptsMade` failed attempts, or null to give up. Pure. */
export function nextSmsAttemptAtMs(input: {
  readonly attemptsMade: number;
  readonly nowMs: bigint;
}): bigint | null {
  assert(Number.isSafeInteger(input.attemptsMade) && input.attemptsMade >= 1, 'after an attempt');
  if (input.attemptsMade >= SMS_ATTEMPTS_MAX) return null;
  const delayMs = SMS_RETRY_DELAYS_MS[input.attemptsMade - 1];
  assert(delayMs !== undefined && delayMs > 0n, 'a delay for every retry');
  return input.nowMs + delayMs;
}

type Claimed = Claim | 'failed' | 'expired' | null;

/**
 * Takes the most overdue SMS, in a short transaction of its own, by moving it to `sending`
 * with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serializes
 * claimers). A `sending` SMS whose lease lapsed is due again; when that lost attempt was the
 * last, it is failed. One past its expiry time is expired instead of sent.
 */
async function claimDue(ctx: NotifyContext): Promise<Claimed> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = smsTables(tx);
    const nowMs = ctx.clock.nowMs();
    let query = t
      .selectFrom('notify_sms')
      .selectAll()
      .where('status', 'in', ['queued', 'sending'])
      .where('next_attempt_at_ms', '<=', nowMs)
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(1);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const row = await query.executeTakeFirst();
    if (row === undefined) return null;
    const end = async (status: 'failed' | 'expired', reason: string): Promise<typeof status> => {
      const updated = await t
        .updateTable('notify_sms')
        .set({ status, next_attempt_at_ms: null, last_error: reason, finished_at_ms: nowMs })
        .where('id', '=', row.id)
        .where('status', '=', row.status)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      assert(updated.numUpdatedRows === 1n, 'the claimed row is ours to update');
      return status;
    };
    if (row.expires_at_ms !== null && row.expires_at_ms <= nowMs) {
      return end('expired', 'not sent before its expiry time');
    }
    if (row.status === 'sending' && row.attempts >= BigInt(SMS_ATTEMPTS_MAX)) {
      return end('failed', 'the last attempt did not finish (the worker stopped during the send)');
    }
    let text: string;
    try {
      text = openSmsText(ctx.bodyKey, row.id, { nonce: row.text_nonce, sealed: row.text_sealed });
    } catch (error) {
      if (error instanceof AssertionFailure) throw error;
      return end('failed', 'the text cannot be opened with the current body key');
    }
    const parts = await t
      .selectFrom('notify_sms_part')
      .select(['part_no', 'smsc_message_id'])
      .where('sms_id', '=', row.id)
      .execute();
    const attempts = row.attempts + 1n;
    const leaseUntilMs = nowMs + SMS_SEND_LEASE_MS;
    const updated = await t
      .updateTable('notify_sms')
      .set({ status: 'sending', attempts, next_attempt_at_ms: leaseUntilMs })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the claimed row is ours to update');
    return {
      id: row.id,
      to: row.to_number,
      text,
      concatReference: Number(row.concat_ref),
      acceptedParts: new Map(parts.map((p) => [Number(p.part_no), p.smsc_message_id])),
      attempts,
      leaseUntilMs,
    };
  });
}

type Recorded = 'submitted' | 'retrying' | 'failed' | 'lost';

/** Moves the SMS on after a send, if the claim still holds; otherwise its new holder does. */
async function record(
  ctx: NotifyContext,
  claim: Claim,
  result: { readonly parts: number } | { readonly error: string; readonly permanent: boolean },
): Promise<Recorded> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = smsTables(tx);
    let query = t.selectFrom('notify_sms').selectAll().where('id', '=', claim.id);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    assert(row !== undefined, 'SMS are never deleted');
    if (
      row.status !== 'sending' ||
      row.attempts !== claim.attempts ||
      row.next_attempt_at_ms !== claim.leaseUntilMs
    ) {
      return 'lost';
    }
    const nowMs = ctx.clock.nowMs();
    const guard = t
      .updateTable('notify_sms')
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', row.attempts);
    if ('parts' in result) {
      const updated = await guard
        .set({
          status: 'submitted',
          next_attempt_at_ms: null,
          submitted_at_ms: nowMs,
          last_error: null,
          ...(row.parts_total === null ? { parts_total: BigInt(result.parts) } : {}),
        })
        .executeTakeFirst();
      assert(updated.numUpdatedRows === 1n, 'the SMS moves on exactly once');
      // Receipts that came while it was being sent settle it now.
      await settleSmsFromParts(tx, row.id, nowMs);
      return 'submitted';
    }
    const nextMs = result.permanent
      ? null
      : nextSmsAttemptAtMs({ attemptsMade: Number(row.attempts), nowMs });
    const updated = await guard
      .set({
        status: nextMs === null ? 'failed' : 'queued',
        next_attempt_at_ms: nextMs,
        last_error: result.error,
        ...(nextMs === null ? { finished_at_ms: nowMs } : {}),
      })
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the SMS moves on exactly once');
    return nextMs === null ? 'failed' : 'retrying';
  });
}

/** SMS due now, counted without changing them (at most `limit`). */
async function countDue(ctx: NotifyContext, limit: number): Promise<number> {
  const rows = await smsTables(ctx.db.kysely)
    .selectFrom('notify_sms')
    .select('id')
    .where('status', 'in', ['queued', 'sending'])
    .where('next_attempt_at_ms', '<=', ctx.clock.nowMs())
    .limit(limit)
    .execute();
  return rows.length;
}

/**
 * One delivery pass. With a transport: claims due SMS one at a time (several lanes at once),
 * sends each outside any transaction, records every part as the SMSC accepts it, and records
 * the result; a failed send is retried later (SMS_RETRY_DELAYS_MS), and after SMS_ATTEMPTS_MAX
 * attempts, or when the SMSC refuses the message for good, it is failed. A transport's failure
 * is recorded, never thrown; database errors propagate. With `null` (no SMPP_URL), nothing is
 * sent or changed: the report counts the SMS left waiting. Handles at most `limit` SMS.
 */
export async function deliverDueSms(
  ctx: NotifyContext,
  transport: SmsTransport | null,
  limit: number = SMS_PASS_LIMIT_DEFAULT,
): Promise<SmsPassReport> {
  assert(Number.isSafeInteger(limit) && limit >= 0, 'pass limit is a count');
  assert(limit <= SMS_PASS_LIMIT_MAX, 'pass limit within its maximum');
  const tally = { attempted: 0, submitted: 0, retrying: 0, failed: 0, expired: 0, waiting: 0 };
  if (transport === null) {
    tally.waiting = await countDue(ctx, limit);
    return tally;
  }
  await pruneWaitingReceipts(ctx, RECEIPT_PRUNE_PER_PASS);
  let taken = 0;
  const lane = async (): Promise<void> => {
    while (taken < limit) {
      taken += 1;
      const claim = await claimDue(ctx);
      if (claim === null) return;
      if (claim === 'failed' || claim === 'expired') {
        tally[claim] += 1;
        continue;
      }
      let result:
        { readonly parts: number } | { readonly error: string; readonly permanent: boolean };
      try {
        const sent = await transport.send({
          id: claim.id,
          to: claim.to,
          text: claim.text,
          concatReference: claim.concatReference,
          acceptedParts: claim.acceptedParts,
          onPartAccepted: (accepted) => recordAcceptedPart(ctx, claim.id, accepted),
        });
        result = { parts: sent.parts };
      } catch (error) {
        const permanent =
          typeof error === 'object' &&
          error !== null &&
          (error as { permanent?: unknown }).permanent === true;
        result = { error: describeFailure(error), permanent };
      }
      tally.attempted += 1;
      const recorded = await record(ctx, claim, result);
      if (recorded !== 'lost') tally[recorded] += 1;
    }
  };
  // Every lane ends before the pass does, even when one of them fails.
  const lanes = await Promise.allSettled(
    Array.from({ length: Math.min(SMS_PASS_LANES, limit) }, lane),
  );
  for (const outcome of lanes) if (outcome.status === 'rejected') throw outcome.reason;
  assert(tally.attempted <= limit, 'a pass stays within its limit');
  return tally;
}
