import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { cardByPin, checkPassword, resetPassword } from '../cards/index.ts';
import { fail, isoFromMs, newId, ok, type Outcome } from '../kernel/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { holderOf, maskEmail } from './holders.ts';
import type { Locale } from './order-row.ts';

/** One-time codes: 6 digits, 15 minutes, 5 tries, 3 sent per card per hour. */
export const CODE_TTL_MS = 15n * 60_000n;
export const CODE_ATTEMPTS_MAX = 5n;
export const CODES_PER_HOUR_MAX = 3;

function codeHash(ctx: SalesContext, id: string, code: string): string {
  return createHmac('sha256', ctx.sealKey).update(`otc:${id}:${code}`).digest('base64url');
}

/**
 * "Forgot my password": a one-time code goes to the e-mail address on file for the card. The
 * answer is the same whether or not the PIN is known or has an address (the page says "if …");
 * only `sentTo` (masked) differs, which tells nothing to someone without the PIN.
 */
export async function requestPasswordReset(
  ctx: SalesContext,
  input: { readonly pin: string; readonly locale: Locale },
): Promise<Outcome<{ readonly sentTo: string | null }>> {
  const card = await cardByPin(ctx.cards, input.pin);
  if (!card.ok) {
    if (card.error.code === 'credentials_invalid') return ok({ sentTo: null });
    return card;
  }
  const holder = await holderOf(ctx, ctx.db.kysely, card.value.id);
  if (holder === null) return ok({ sentTo: null });
  const nowMs = ctx.clock.nowMs();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const id = newId('otc');
  const sent = await writeTransaction(ctx.db, async (tx): Promise<boolean> => {
    const recent = await salesTables(tx)
      .selectFrom('sales_one_time_code')
      .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
      .where('card_id', '=', card.value.id)
      .where('purpose', '=', 'password_reset')
      .where('created_at_ms', '>', nowMs - 3_600_000n)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= CODES_PER_HOUR_MAX) return false;
    await salesTables(tx)
      .insertInto('sales_one_time_code')
      .values({
        id,
        card_id: card.value.id,
        purpose: 'password_reset',
        code_hash: codeHash(ctx, id, code),
        expires_at_ms: nowMs + CODE_TTL_MS,
        used_at_ms: null,
        attempts: 0n,
        created_at_ms: nowMs,
      })
      .execute();
    const mailed = await enqueueEmail(ctx.notify, tx, {
      dedupeKey: `otc:${id}`,
      to: holder.email,
      locale: input.locale,
      template: 'one_time_code',
      data: {
        code,
        purpose: 'password_reset',
        cardLast4: card.value.pinLast4,
        expiresInMinutes: String(CODE_TTL_MS / 60_000n),
      },
    });
    if (!mailed.ok) throw new Error(`code e-mail refused: ${mailed.error.code}`);
    return true;
  });
  if (!sent) return fail('rate_limited');
  return ok({ sentTo: maskEmail(holder.email) });
}

/**
 * PIN + the latest code + a new password. A wrong code counts against that code (5 tries); a
 * used or expired code never works again. The password changes only when everything holds.
 */
export async function confirmPasswordReset(
  ctx: SalesContext,
  input: {
    readonly pin: string;
    readonly code: string;
    readonly newPassword: string;
    readonly newPasswordConfirm: string;
    readonly locale: Locale;
  },
): Promise<Outcome<{ readonly last4: string }>> {
  if (!/^[0-9]{6}$/.test(input.code.trim())) return fail('one_time_code_invalid', 'code');
  if (input.newPassword !== input.newPasswordConfirm)
    return fail('password_invalid', 'new_password_confirm');
  const weak = checkPassword(input.newPassword);
  if (weak !== null) return fail(weak, 'new_password');
  const card = await cardByPin(ctx.cards, input.pin);
  if (!card.ok)
    return card.error.code === 'credentials_invalid' ? fail('one_time_code_invalid', 'code') : card;
  const nowMs = ctx.clock.nowMs();
  const checked = await writeTransaction(ctx.db, async (tx): Promise<Outcome<string>> => {
    const row = await salesTables(tx)
      .selectFrom('sales_one_time_code')
      .selectAll()
      .where('card_id', '=', card.value.id)
      .where('purpose', '=', 'password_reset')
      .orderBy('created_at_ms', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row?.used_at_ms !== null || row.expires_at_ms <= nowMs || row.attempts >= CODE_ATTEMPTS_MAX)
      return fail('one_time_code_invalid', 'code');
    const given = Buffer.from(codeHash(ctx, row.id, input.code.trim()));
    const stored = Buffer.from(row.code_hash);
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) {
      await salesTables(tx)
        .updateTable('sales_one_time_code')
        .set({ attempts: row.attempts + 1n })
        .where('id', '=', row.id)
        .execute();
      return fail('one_time_code_invalid', 'code');
    }
    // Used now, conditionally: of two requests racing with one code, only one goes on.
    const used = await salesTables(tx)
      .updateTable('sales_one_time_code')
      .set({ used_at_ms: nowMs })
      .where('id', '=', row.id)
      .where('used_at_ms', 'is', null)
      .executeTakeFirst();
    if (used.numUpdatedRows !== 1n) return fail('one_time_code_invalid', 'code');
    return ok(row.id);
  });
  if (!checked.ok) return checked;
  const reset = await resetPassword(ctx.cards, {
    cardId: card.value.id,
    newPassword: input.newPassword,
  });
  if (!reset.ok) return reset;
  await writeTransaction(ctx.db, async (tx) => {
    const holder = await holderOf(ctx, tx, card.value.id);
    if (holder !== null)
      await enqueueEmail(ctx.notify, tx, {
        dedupeKey: `password_changed:${checked.value}`,
        to: holder.email,
        locale: input.locale,
        template: 'password_changed',
        data: { cardLast4: card.value.pinLast4, at: isoFromMs(nowMs) },
      });
  });
  return ok({ last4: reset.value.pinLast4 });
}
