import { randomInt } from 'node:crypto';
import { MS_PER_DAY, assert, fail, newId, ok, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import type { NotifyContext } from './context.ts';
import { openSmsText, sealSmsText } from './sms-seal.ts';
import { smsTables, type NotifySmsTable } from './sms-tables.ts';

/** E.164: `+`, a country code not starting with 0, 6 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{5,14}$/;
const PURPOSE = /^[a-z][a-z0-9_]{0,39}$/;
/** Printable ASCII without spaces, e.g. `sale:cs_123`. */
const REFERENCE = /^[\x21-\x7e]{1,200}$/;
/** Characters (code points) of one SMS text: at most 24 UCS-2 parts, 11 GSM parts. */
export const SMS_TEXT_CHARS_MAX = 800;
/** The furthest an expiry may be. */
export const SMS_EXPIRY_MAX_MS = 30n * MS_PER_DAY;

export interface EnqueueSmsInput {
  /** E.164 (`+821012345678`). */
  readonly to: string;
  readonly text: string;
  /** What it is for: lowercase letters, digits and `_` (`carrier_pin`, `one_time_code`). */
  readonly purpose: string;
  /** One SMS per (purpose, reference), ever: a sale retried after a crash does not text twice. */
  readonly reference: string;
  /** Not sent after this time (a one-time code that would come too late); absent: no limit. */
  readonly expiresAtMs?: bigint;
}

export interface SmsEnqueued {
  readonly id: string;
  /** False when the (purpose, reference) was already used: nothing was added. */
  readonly created: boolean;
}

/** A problem with the text, or null: 1–800 characters, no control characters but line breaks. */
function textProblem(text: string): string | null {
  if (text.length === 0) return 'the text is empty';
  if (Array.from(text).length > SMS_TEXT_CHARS_MAX) {
    return `at most ${SMS_TEXT_CHARS_MAX} characters`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    return 'control characters other than line breaks';
  }
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) {
    return 'a lone surrogate';
  }
  return null;
}

/**
 * Puts an SMS in the outbox, in the caller's transaction, so the SMS exists exactly when the
 * sale (or code) that caused it commits. The text is sealed before it is written. The same
 * (purpose, reference) again with the same number and text answers with the first SMS's id and
 * changes nothing; with another number or text it is refused (a caller's bug that would
 * otherwise lose a message).
 */
export async function enqueueSms(
  ctx: NotifyContext,
  executor: Executor,
  input: EnqueueSmsInput,
): Promise<Outcome<SmsEnqueued>> {
  if (typeof input.to !== 'string' || !E164.test(input.to)) return fail('phone_invalid', 'to');
  if (typeof input.text !== 'string') return fail('parameter_invalid', 'text');
  const problem = textProblem(input.text);
  if (problem !== null) return fail('parameter_invalid', 'text', problem);
  if (typeof input.purpose !== 'string' || !PURPOSE.test(input.purpose)) {
    return fail('parameter_invalid', 'purpose', 'lowercase letters, digits and _, 1–40');
  }
  if (typeof input.reference !== 'string' || !REFERENCE.test(input.reference)) {
    return fail('parameter_invalid', 'reference', 'printable, no spaces, 1–200 characters');
  }
  const nowMs = ctx.clock.nowMs();
  const expiresAtMs = input.expiresAtMs ?? null;
  if (
    expiresAtMs !== null &&
    (typeof expiresAtMs !== 'bigint' ||
      expiresAtMs <= nowMs ||
      expiresAtMs > nowMs + SMS_EXPIRY_MAX_MS)
  ) {
    return fail('parameter_invalid', 'expiresAtMs', 'in the future, at most 30 days away');
  }

  const t = smsTables(executor);
  const existing = await t
    .selectFrom('notify_sms')
    .select(['id', 'to_number', 'text_nonce', 'text_sealed'])
    .where('purpose', '=', input.purpose)
    .where('reference', '=', input.reference)
    .executeTakeFirst();
  if (existing !== undefined) {
    let sameText = false;
    try {
      sameText =
        openSmsText(ctx.bodyKey, existing.id, {
          nonce: existing.text_nonce,
          sealed: existing.text_sealed,
        }) === input.text;
    } catch {
      sameText = false;
    }
    if (existing.to_number !== input.to || !sameText) {
      return fail(
        'idempotency_conflict',
        'reference',
        'this purpose and reference were used for another number or text',
      );
    }
    return ok({ id: existing.id, created: false });
  }

  const id = newId('sms');
  const sealed = sealSmsText(ctx.bodyKey, id, input.text);
  const row: NotifySmsTable = {
    id,
    purpose: input.purpose,
    reference: input.reference,
    to_number: input.to,
    text_nonce: sealed.nonce,
    text_sealed: sealed.sealed,
    concat_ref: BigInt(randomInt(0, 256)),
    parts_total: null,
    status: 'queued',
    attempts: 0n,
    next_attempt_at_ms: nowMs,
    last_error: null,
    expires_at_ms: expiresAtMs,
    created_at_ms: nowMs,
    submitted_at_ms: null,
    finished_at_ms: null,
  };
  // A concurrent enqueue of the same key fails this insert on the unique constraint; the
  // caller's writeTransaction retries and then finds the committed row above.
  await t.insertInto('notify_sms').values(row).execute();
  const back = await t
    .selectFrom('notify_sms')
    .select(['status', 'next_attempt_at_ms'])
    .where('id', '=', id)
    .executeTakeFirst();
  assert(back?.status === 'queued' && back.next_attempt_at_ms === nowMs, 'the SMS reads back');
  return ok({ id, created: true });
}
