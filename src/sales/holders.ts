import { fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import type { Locale } from './order-row.ts';
import { cleanName, isEmail, normalizePhone } from './rules.ts';

/**
 * The holder's details kept with a card (FIG. 10: "change user information"): the buyer's at
 * purchase, the recipient's once a gift is claimed. The e-mail address is where receipts,
 * refund news and password-reset codes go. No resident registration number, by design.
 */
export interface Holder {
  readonly cardId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly locale: Locale;
}

export async function holderOf(
  ctx: SalesContext,
  executor: Executor,
  cardId: string,
): Promise<Holder | null> {
  const row = await salesTables(executor)
    .selectFrom('sales_card_holder')
    .selectAll()
    .where('card_id', '=', cardId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    cardId: row.card_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    locale: row.locale === 'ko' ? 'ko' : 'en',
  };
}

export async function upsertHolder(ctx: SalesContext, tx: Executor, holder: Holder): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  await salesTables(tx)
    .insertInto('sales_card_holder')
    .values({
      card_id: holder.cardId,
      name: holder.name,
      email: holder.email,
      phone: holder.phone,
      locale: holder.locale,
      updated_at_ms: nowMs,
    })
    .onConflict((oc) =>
      oc.column('card_id').doUpdateSet({
        name: holder.name,
        email: holder.email,
        phone: holder.phone,
        locale: holder.locale,
        updated_at_ms: nowMs,
      }),
    )
    .execute();
}

/** The holder changes their details (signed in with PIN + password). Checked, or nothing changes. */
export async function updateHolder(
  ctx: SalesContext,
  input: {
    readonly cardId: string;
    readonly name: string;
    readonly email: string;
    readonly phone: string;
    readonly locale: Locale;
  },
): Promise<Outcome<Holder>> {
  const name = cleanName(input.name);
  if (name === null) return fail('name_invalid', 'name');
  const email = input.email.trim();
  if (!isEmail(email)) return fail('email_invalid', 'email');
  let phone: string | null = null;
  if (input.phone.trim() !== '') {
    phone = normalizePhone(input.phone);
    if (phone === null) return fail('phone_invalid', 'phone');
  }
  const holder: Holder = { cardId: input.cardId, name, email, phone, locale: input.locale };
  await writeTransaction(ctx.db, (tx) => upsertHolder(ctx, tx, holder));
  return ok(holder);
}

/** `k•••@example.com`: enough for the holder to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}
