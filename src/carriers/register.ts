import { activateCard, cardByPin, renewActivationSecret } from '../cards/index.ts';
import { fail, ok, type Outcome } from '../kernel/index.ts';
import { enqueueSms } from '../notify/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { carrierId, carrierTables, type CarriersContext } from './context.ts';
import { normalizePhone, phonePrefix, smsLimitDecision } from './rules.ts';

/** The text of the registration code SMS. */
export function codeSmsText(code: string): string {
  return `[OnePIN] 인증번호 ${code} (10분) / code ${code}`;
}

async function countSince(
  tx: Executor,
  column: 'phone' | 'prefix' | 'ip',
  value: string,
  sinceMs: bigint,
): Promise<number> {
  const row = await carrierTables(tx)
    .selectFrom('carrier_code_request')
    .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
    .where(column, '=', value)
    .where('created_at_ms', '>', sinceMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Step 1 of registering a carrier-sold card: PIN + phone. A code goes by SMS to that phone only
 * when it is the number the carrier reported the sale for and the card still waits for its
 * password; otherwise `carrier_registration_refused` (the same answer for an unknown PIN, another
 * phone or a card already registered). The SMS limits (per number, per 6-digit prefix, per IP,
 * per hour) are checked first: over any, `sms_limit_exceeded` and nothing is sent.
 */
export async function requestRegistrationCode(
  ctx: CarriersContext,
  input: { readonly pin: string; readonly phone: string; readonly ip: string },
): Promise<Outcome<{ readonly smsId: string; readonly expiresAtMs: bigint }>> {
  const phone = normalizePhone(input.phone);
  if (phone === null) return fail('phone_invalid', 'phone');
  const ip = input.ip.slice(0, 64);
  const nowMs = ctx.clock.nowMs();
  const sinceMs = nowMs - ctx.smsLimits.windowMs;
  const prefix = phonePrefix(phone);
  const over = await writeTransaction(ctx.db, async (tx) =>
    smsLimitDecision(
      {
        number: await countSince(tx, 'phone', phone, sinceMs),
        prefix: await countSince(tx, 'prefix', prefix, sinceMs),
        ip: await countSince(tx, 'ip', ip, sinceMs),
      },
      ctx.smsLimits,
    ),
  );
  if (over !== null) return fail('sms_limit_exceeded', over === 'number' ? 'phone' : over);
  const card = await cardByPin(ctx.cards, input.pin);
  if (!card.ok) return fail('carrier_registration_refused');
  const sale = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier_sale')
    .selectAll()
    .where('card_id', '=', card.value.id)
    .executeTakeFirst();
  if (sale?.state !== 'loaded' || sale.phone !== phone || card.value.state !== 'sold')
    return fail('carrier_registration_refused');
  const expiresAtMs = nowMs + ctx.codeTtlMs;
  const id = carrierId('ccr');
  return writeTransaction(ctx.db, async (tx) => {
    // Counted again inside the write: two requests racing past the first check cannot both send.
    const again = smsLimitDecision(
      {
        number: await countSince(tx, 'phone', phone, sinceMs),
        prefix: await countSince(tx, 'prefix', prefix, sinceMs),
        ip: await countSince(tx, 'ip', ip, sinceMs),
      },
      ctx.smsLimits,
    );
    if (again !== null) return fail('sms_limit_exceeded', again === 'number' ? 'phone' : again);
    const secret = await renewActivationSecret(ctx.cards, tx, {
      cardId: card.value.id,
      kind: 'otp',
      expiresAtMs,
    });
    if (!secret.ok) return secret;
    const sms = await enqueueSms(ctx.notify, tx, {
      to: phone,
      text: codeSmsText(secret.value.secret),
      purpose: 'one_time_code',
      reference: `carrier_register:${id}`,
      expiresAtMs,
    });
    if (!sms.ok) return sms;
    await carrierTables(tx)
      .insertInto('carrier_code_request')
      .values({
        id,
        card_id: card.value.id,
        phone,
        prefix,
        ip,
        sms_id: sms.value.id,
        created_at_ms: nowMs,
      })
      .execute();
    return ok({ smsId: sms.value.id, expiresAtMs });
  });
}

/**
 * Step 2: PIN + the code from the SMS + a new password → the card is active. The code is the
 * card's activation secret: it works once, expires, and wrong codes count toward the card's
 * lockout (src/cards/activation.ts).
 */
export async function completeRegistration(
  ctx: CarriersContext,
  input: { readonly pin: string; readonly code: string; readonly password: string },
): Promise<Outcome<{ readonly cardId: string; readonly pinLast4: string }>> {
  const activated = await activateCard(ctx.cards, {
    pin: input.pin,
    activationSecret: input.code.trim(),
    password: input.password,
  });
  if (!activated.ok) return activated;
  await carrierTables(ctx.db.kysely)
    .updateTable('carrier_sale')
    .set({ state: 'registered', registered_at_ms: ctx.clock.nowMs() })
    .where('card_id', '=', activated.value.id)
    .where('state', '=', 'loaded')
    .execute();
  return ok({ cardId: activated.value.id, pinLast4: activated.value.pinLast4 });
}
