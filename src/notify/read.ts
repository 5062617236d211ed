import { fail, ok, type Outcome } from '../kernel/index.ts';
import { beforeCursor, type Executor } from '../storage/index.ts';
import { normalizeEmailAddress } from './address.ts';
import { openBody } from './body-seal.ts';
import { notifyTables, type NotifyContext } from './context.ts';
import { emailFromRow, type EmailSummary, type EmailView } from './email-row.ts';
import { isEmailStatus, type EmailStatus } from './status.ts';

/** Largest mailbox page. */
export const EMAIL_PAGE_MAX = 100;
const EMAIL_ID = /^eml_[a-z0-9]{1,40}$/;

export interface EmailPage {
  readonly data: readonly EmailSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * The outbox, newest first, optionally for one address and one status; keyset paging, where
 * the cursor is the id of the last mail on the previous page. Bodies stay sealed.
 */
export async function listEmails(
  _ctx: NotifyContext,
  executor: Executor,
  q: {
    readonly to?: string;
    readonly status?: EmailStatus;
    readonly cursor?: string;
    readonly limit: number;
  },
): Promise<Outcome<EmailPage>> {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > EMAIL_PAGE_MAX) {
    return fail('parameter_invalid', 'limit', `1 to ${EMAIL_PAGE_MAX}`);
  }
  let to: string | null = null;
  if (q.to !== undefined) {
    to = normalizeEmailAddress(q.to);
    if (to === null) return fail('email_invalid', 'to');
  }
  if (q.status !== undefined && !isEmailStatus(q.status))
    return fail('parameter_invalid', 'status');
  const t = notifyTables(executor);
  let query = t
    .selectFrom('notify_email')
    .selectAll()
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (to !== null) query = query.where('to_address', '=', to);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.cursor !== undefined) {
    const cursor = EMAIL_ID.test(q.cursor)
      ? await t
          .selectFrom('notify_email')
          .select(['id', 'created_at_ms'])
          .where('id', '=', q.cursor)
          .executeTakeFirst()
      : undefined;
    if (cursor === undefined) return fail('parameter_invalid', 'cursor');
    query = query.where(beforeCursor('created_at_ms', 'id', cursor));
  }
  const rows = await query.execute();
  const page = rows.slice(0, q.limit).map(emailFromRow);
  const last = page.at(-1);
  return ok({
    data: page,
    nextCursor: rows.length > q.limit && last !== undefined ? last.id : null,
  });
}

/** One mail with its body opened; undefined when there is no such mail. */
export async function getEmail(
  ctx: NotifyContext,
  executor: Executor,
  id: string,
): Promise<EmailView | undefined> {
  if (!EMAIL_ID.test(id)) return undefined;
  const row = await notifyTables(executor)
    .selectFrom('notify_email')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const body = openBody(ctx.bodyKey, row.id, { nonce: row.body_nonce, sealed: row.body_sealed });
  return { ...emailFromRow(row), text: body.text, html: body.html };
}
