import { MS_PER_DAY, assert, fail, newId, ok, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { normalizeEmailAddress } from './address.ts';
import { sealBody } from './body-seal.ts';
import { notifyTables, type NotifyContext } from './context.ts';
import { renderEmail } from './render.ts';
import type { NotifyEmailTable } from './tables.ts';
import {
  checkEmailData,
  isLocale,
  isTemplateName,
  type EmailData,
  type Locale,
  type TemplateName,
} from './templates.ts';

/** Printable ASCII without spaces, e.g. `order:ord_123:receipt`. */
const DEDUPE_KEY = /^[\x21-\x7e]{1,200}$/;
export const DEDUPE_KEY_CHARS_MAX = 200;
/** The furthest a mail may be deferred (a gift's delivery date is at most 90 days away). */
export const SEND_AFTER_MAX_MS = 400n * MS_PER_DAY;

export interface EnqueueEmailInput<K extends TemplateName> {
  /** One mail per key, ever: an order retried after a crash does not mail twice. */
  readonly dedupeKey: string;
  readonly to: string;
  readonly locale: Locale;
  readonly template: K;
  readonly data: EmailData[K];
  /** Not before this time (a gift's delivery date); now when absent. */
  readonly sendAfterMs?: bigint;
}

export interface Enqueued {
  readonly id: string;
  /** False when the dedupe key was already used: nothing was added. */
  readonly created: boolean;
}

/**
 * Puts an e-mail in the outbox, in the caller's transaction, so the mail exists exactly when
 * the order (or recharge, or refund step) that caused it commits. The template is rendered
 * now, with the data as it is now, and the bodies are sealed before they are written; the
 * delivery pass sends them later. A dedupe key already used for the same address and template
 * answers with the first mail's id and changes nothing; used for a different address or
 * template it is refused, since that is a caller's bug that would otherwise lose a mail.
 */
export async function enqueueEmail<K extends TemplateName>(
  ctx: NotifyContext,
  executor: Executor,
  input: EnqueueEmailInput<K>,
): Promise<Outcome<Enqueued>> {
  if (typeof input.dedupeKey !== 'string' || !DEDUPE_KEY.test(input.dedupeKey)) {
    return fail('parameter_invalid', 'dedupeKey', 'printable, no spaces, 1–200 characters');
  }
  const to = typeof input.to === 'string' ? normalizeEmailAddress(input.to) : null;
  if (to === null) return fail('email_invalid', 'to');
  if (typeof input.locale !== 'string' || !isLocale(input.locale)) {
    return fail('parameter_invalid', 'locale', 'ko or en');
  }
  if (typeof input.template !== 'string' || !isTemplateName(input.template)) {
    return fail('parameter_invalid', 'template');
  }
  const data = checkEmailData(input.template, input.data);
  if (!data.ok) return data;
  const nowMs = ctx.clock.nowMs();
  const sendAfterMs = input.sendAfterMs ?? nowMs;
  if (
    typeof sendAfterMs !== 'bigint' ||
    sendAfterMs < 0n ||
    sendAfterMs > nowMs + SEND_AFTER_MAX_MS
  ) {
    return fail('parameter_invalid', 'sendAfterMs', 'at most 400 days from now');
  }

  const t = notifyTables(executor);
  const existing = await t
    .selectFrom('notify_email')
    .select(['id', 'to_address', 'template'])
    .where('dedupe_key', '=', input.dedupeKey)
    .executeTakeFirst();
  if (existing !== undefined) {
    if (existing.to_address !== to || existing.template !== input.template) {
      return fail(
        'idempotency_conflict',
        'dedupeKey',
        'this dedupe key was used for another address or template',
      );
    }
    return ok({ id: existing.id, created: false });
  }

  const rendered = renderEmail({
    template: input.template,
    locale: input.locale,
    data: data.value,
    publicUrl: ctx.publicUrl,
  });
  const id = newId('eml');
  const sealed = sealBody(ctx.bodyKey, id, { text: rendered.text, html: rendered.html });
  // A deferred mail is due at its send-after time, so the delivery pass's due index skips it
  // until then instead of reading it on every pass.
  const dueMs = sendAfterMs > nowMs ? sendAfterMs : nowMs;
  const row: NotifyEmailTable = {
    id,
    dedupe_key: input.dedupeKey,
    to_address: to,
    locale: input.locale,
    template: input.template,
    subject: rendered.subject,
    body_nonce: sealed.nonce,
    body_sealed: sealed.sealed,
    status: 'queued',
    attempts: 0n,
    next_attempt_at_ms: dueMs,
    last_error: null,
    send_after_ms: sendAfterMs,
    created_at_ms: nowMs,
    sent_at_ms: null,
    message_id: null,
  };
  // A concurrent enqueue of the same key fails this insert on the unique constraint; the
  // caller's writeTransaction retries and then finds the committed row above.
  await t.insertInto('notify_email').values(row).execute();
  const back = await t
    .selectFrom('notify_email')
    .select(['status', 'dedupe_key', 'next_attempt_at_ms'])
    .where('id', '=', id)
    .executeTakeFirst();
  assert(
    back?.status === 'queued' &&
      back.dedupe_key === input.dedupeKey &&
      back.next_attempt_at_ms === dueMs,
    'the queued e-mail reads back',
  );
  return ok({ id, created: true });
}
