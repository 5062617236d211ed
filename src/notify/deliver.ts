import { AssertionFailure, assert, fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { assertBodyKey, openBody, type Body } from './body-seal.ts';
import { notifyTables, type NotifyContext } from './context.ts';
import { emailFromRow, type EmailSummary } from './email-row.ts';
import { EMAIL_ATTEMPTS_MAX, nextEmailAttemptAtMs } from './retry-rules.ts';
import type { EmailTransport } from './transport.ts';
import { SMTP_SEND_TIMEOUT_MS } from './transport.ts';

/** Mails one delivery pass may handle, so a pass always ends. */
export const EMAIL_PASS_LIMIT_DEFAULT = 50;
export const EMAIL_PASS_LIMIT_MAX = 500;
/**
 * How long a worker holds a mail it is sending. Longer than a send can take, so two live
 * workers never send one mail at once; a worker that dies mid-send leaves the mail due again
 * when the lease lapses (the attempt it made counts).
 */
export const EMAIL_SEND_LEASE_MS = BigInt(SMTP_SEND_TIMEOUT_MS) + 60_000n;
const ERROR_TEXT_MAX = 500;

export interface EmailPassReport {
  /** Sends tried (each one counted on its mail). */
  readonly attempted: number;
  readonly sent: number;
  /** Failed sends with another attempt scheduled. */
  readonly retrying: number;
  /** Mails that gave up in this pass. */
  readonly failed: number;
  /** Mails kept for the dev mailbox because there is no SMTP server. */
  readonly held: number;
}

interface Claim {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Attempts including this one. */
  readonly attempts: bigint;
  /** The claim's token: next_attempt_at_ms while this worker holds the mail. */
  readonly leaseUntilMs: bigint;
}

/** `<eml_…@example.com>`, from the sender's domain: one Message-ID per mail, every attempt. */
export function messageIdOf(id: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'onepin.invalid';
  return `<${id}@${domain.toLowerCase()}>`;
}

/** A transport's failure in one line for last_error; it never includes a mail body. */
function describeFailure(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : 'send failed';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length <= ERROR_TEXT_MAX ? line : `${line.slice(0, ERROR_TEXT_MAX - 1)}…`;
}

/**
 * Takes the most overdue due mail, in a short transaction of its own, by moving it to
 * `sending` with a lease. On PostgreSQL the row is read FOR UPDATE SKIP LOCKED, so concurrent
 * workers take different mails instead of queueing on one; SQLite's BEGIN IMMEDIATE
 * serializes claimers, and each sees the previous claim. A `sending` mail whose lease lapsed
 * (its worker died) is due again; when that lost attempt was the last, it is marked failed.
 */
async function claimDue(ctx: NotifyContext): Promise<Claim | 'gave_up' | null> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = notifyTables(tx);
    const nowMs = ctx.clock.nowMs();
    let query = t
      .selectFrom('notify_email')
      .selectAll()
      .where('status', 'in', ['queued', 'sending'])
      .where('next_attempt_at_ms', '<=', nowMs)
      .where('send_after_ms', '<=', nowMs)
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(1);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const row = await query.executeTakeFirst();
    if (row === undefined) return null;
    const giveUp = async (reason: string): Promise<'gave_up'> => {
      const gaveUp = await t
        .updateTable('notify_email')
        .set({ status: 'failed', next_attempt_at_ms: null, last_error: reason })
        .where('id', '=', row.id)
        .where('status', '=', row.status)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      assert(gaveUp.numUpdatedRows === 1n, 'the claimed row is ours to update');
      return 'gave_up';
    };
    if (row.status === 'sending' && row.attempts >= BigInt(EMAIL_ATTEMPTS_MAX)) {
      return giveUp('the last attempt did not finish (the worker stopped during the send)');
    }
    let body: Body;
    try {
      body = openBody(ctx.bodyKey, row.id, { nonce: row.body_nonce, sealed: row.body_sealed });
    } catch (error) {
      if (error instanceof AssertionFailure) throw error;
      // A body that does not authenticate (the body key was replaced) can never be sent; left
      // queued it would come first in every pass and stop the outbox behind it.
      return giveUp('the body cannot be opened with the current body key');
    }
    const attempts = row.attempts + 1n;
    const leaseUntilMs = nowMs + EMAIL_SEND_LEASE_MS;
    const updated = await t
      .updateTable('notify_email')
      .set({ status: 'sending', attempts, next_attempt_at_ms: leaseUntilMs })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the claimed row is ours to update');
    return {
      id: row.id,
      to: row.to_address,
      subject: row.subject,
      text: body.text,
      html: body.html,
      attempts,
      leaseUntilMs,
    };
  });
}

type Recorded = 'sent' | 'retrying' | 'failed' | 'lost';

/**
 * Moves the mail on after a send, if the claim still holds. When the lease lapsed and another
 * worker took the mail, this result is dropped: that worker records its own.
 */
async function record(
  ctx: NotifyContext,
  claim: Claim,
  result: { readonly messageId: string } | { readonly error: string },
): Promise<Recorded> {
  return writeTransaction(ctx.db, async (tx) => {
    const t = notifyTables(tx);
    let query = t.selectFrom('notify_email').selectAll().where('id', '=', claim.id);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    assert(row !== undefined, 'e-mails are never deleted');
    if (
      row.status !== 'sending' ||
      row.attempts !== claim.attempts ||
      row.next_attempt_at_ms !== claim.leaseUntilMs
    ) {
      return 'lost';
    }
    const nowMs = ctx.clock.nowMs();
    const guard = t
      .updateTable('notify_email')
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', row.attempts);
    if ('messageId' in result) {
      const updated = await guard
        .set({
          status: 'sent',
          next_attempt_at_ms: null,
          sent_at_ms: nowMs,
          message_id: result.messageId,
          last_error: null,
        })
        .executeTakeFirst();
      assert(updated.numUpdatedRows === 1n, 'the mail moves on exactly once');
      return 'sent';
    }
    const nextMs = nextEmailAttemptAtMs({ attemptsMade: Number(row.attempts), nowMs });
    const updated = await guard
      .set({
        status: nextMs === null ? 'failed' : 'queued',
        next_attempt_at_ms: nextMs,
        last_error: result.error,
      })
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the mail moves on exactly once');
    return nextMs === null ? 'failed' : 'retrying';
  });
}

/**
 * Without an SMTP server, due mails are kept as `held` for the dev mailbox, up to `limit` of
 * them, in one transaction. Nothing is sent, so nothing counts as an attempt.
 */
async function holdDue(ctx: NotifyContext, limit: number): Promise<number> {
  if (limit === 0) return 0;
  return writeTransaction(ctx.db, async (tx) => {
    const t = notifyTables(tx);
    const nowMs = ctx.clock.nowMs();
    let query = t
      .selectFrom('notify_email')
      .select(['id', 'status', 'attempts'])
      .where('status', 'in', ['queued', 'sending'])
      .where('next_attempt_at_ms', '<=', nowMs)
      .where('send_after_ms', '<=', nowMs)
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(limit);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const rows = await query.execute();
    for (const row of rows) {
      const updated = await t
        .updateTable('notify_email')
        .set({ status: 'held', next_attempt_at_ms: null })
        .where('id', '=', row.id)
        .where('status', '=', row.status)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      assert(updated.numUpdatedRows === 1n, 'the held row is ours to update');
    }
    return rows.length;
  });
}

/**
 * One delivery pass. With a transport: claims due mails one at a time, sends each outside any
 * transaction, and records the result; a failed send is retried later (EMAIL_RETRY_DELAYS_MS)
 * and, after EMAIL_ATTEMPTS_MAX attempts, marked failed. A transport's failure is recorded,
 * never thrown; database errors propagate. With `null` (no SMTP_URL), due mails are held for
 * the dev mailbox. Handles at most `limit` mails.
 */
export async function deliverDueEmails(
  ctx: NotifyContext,
  transport: EmailTransport | null,
  options: { readonly limit?: number } = {},
): Promise<EmailPassReport> {
  const limit = options.limit ?? EMAIL_PASS_LIMIT_DEFAULT;
  assert(Number.isSafeInteger(limit) && limit >= 0, 'pass limit is a count');
  assert(limit <= EMAIL_PASS_LIMIT_MAX, 'pass limit within its maximum');
  // A key of the wrong size is a wiring mistake: stop here, before any mail is judged by it.
  assertBodyKey(ctx.bodyKey);
  const tally = { attempted: 0, sent: 0, retrying: 0, failed: 0, held: 0 };
  if (transport === null) {
    tally.held = await holdDue(ctx, limit);
    return tally;
  }
  let handled = 0;
  for (; handled < limit; handled += 1) {
    const claim = await claimDue(ctx);
    if (claim === null) break;
    if (claim === 'gave_up') {
      tally.failed += 1;
      continue;
    }
    let result: { readonly messageId: string } | { readonly error: string };
    try {
      const sent = await transport.send({
        from: ctx.from,
        to: claim.to,
        subject: claim.subject,
        text: claim.text,
        html: claim.html,
        messageId: messageIdOf(claim.id, ctx.from),
      });
      result = { messageId: sent.messageId };
    } catch (error) {
      result = { error: describeFailure(error) };
    }
    tally.attempted += 1;
    const recorded = await record(ctx, claim, result);
    if (recorded !== 'lost') tally[recorded] += 1;
  }
  assert(handled <= limit && tally.attempted <= handled, 'a pass stays within its limit');
  return tally;
}

/**
 * An operator's "send it again": a failed or held mail (or a queued one waiting for a retry)
 * is queued with a fresh count of attempts, due now (or at its send-after time). A sent mail
 * is not re-sent (enqueue a new one), and one being sent is left to its worker.
 */
export async function retryEmail(ctx: NotifyContext, id: string): Promise<Outcome<EmailSummary>> {
  if (typeof id !== 'string' || !/^eml_[a-z0-9]{1,40}$/.test(id)) {
    return fail('email_not_found', 'id');
  }
  return writeTransaction(ctx.db, async (tx) => {
    const t = notifyTables(tx);
    let query = t.selectFrom('notify_email').selectAll().where('id', '=', id);
    if (ctx.db.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (row === undefined) return fail('email_not_found', 'id');
    if (row.status === 'sent' || row.status === 'sending') {
      return fail('email_state_invalid', 'id', `the e-mail is ${row.status}`);
    }
    const nowMs = ctx.clock.nowMs();
    const dueMs = row.send_after_ms > nowMs ? row.send_after_ms : nowMs;
    const updated = await t
      .updateTable('notify_email')
      .set({ status: 'queued', attempts: 0n, next_attempt_at_ms: dueMs, last_error: null })
      .where('id', '=', id)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    assert(updated.numUpdatedRows === 1n, 'the retried row is ours to update');
    const back = await t
      .selectFrom('notify_email')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    assert(back?.status === 'queued' && back.next_attempt_at_ms === dueMs, 'the retry reads back');
    return ok(emailFromRow(back));
  });
}
