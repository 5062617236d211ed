import { randomBytes } from 'node:crypto';
import { assert, fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard, type Card } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';
import {
  LOCK_REASON_ATTEMPTS,
  findByPin,
  holdRefusal,
  pinKeyChains,
  recordKeyChain,
} from './credentials.ts';
import { activationHash, currentPinKey, passwordHash, pinHashUnder } from './keys.ts';
import { checkPassword } from './password-rules.ts';
import { generatePin, normalizePin, pinLast4 } from './pin.ts';
import { newActivationSecret, type ActivationKind } from './sell.ts';

/**
 * What a holder can have done to their card once they proved who they are by some other means
 * than the PIN + password (a one-time code to the buyer's e-mail, the order that bought it, a
 * signed-in session): a fresh activation secret, a new password, a new PIN. The callers (sales)
 * do the proving; these functions only change the card.
 */

/**
 * A new activation secret for a sold card (the old one stops working): a gift delivered later
 * than the sale's secret would last gets a claim link that lives from its delivery.
 */
export async function renewActivationSecret(
  ctx: CardsContext,
  tx: Executor,
  input: {
    readonly cardId: string;
    readonly kind: ActivationKind;
    readonly expiresAtMs: bigint;
  },
): Promise<Outcome<{ readonly secret: string; readonly expiresAtMs: bigint }>> {
  const row = await loadCardRow(ctx, tx, { id: input.cardId });
  if (row === undefined) return fail('card_not_found', 'card');
  if (row.state !== 'sold') return fail('card_state_invalid', 'card');
  if (input.expiresAtMs <= ctx.clock.nowMs()) return fail('parameter_invalid', 'expires_at');
  const secret = newActivationSecret(input.kind);
  await cardTables(tx)
    .updateTable('card')
    .set({
      activation_kind: input.kind,
      activation_hash: activationHash(ctx.keys, row.id, secret),
      activation_expires_at_ms: input.expiresAtMs,
    })
    .where('id', '=', row.id)
    .where('state', '=', 'sold')
    .execute();
  return ok({ secret, expiresAtMs: input.expiresAtMs });
}

/**
 * Sets a new password without the old one, after the caller verified a one-time code sent to
 * the buyer's address. Clears the failed-attempt counter. A card locked by too many attempts
 * becomes usable again (the code proves the holder); a card locked by staff stays locked.
 */
export async function resetPassword(
  ctx: CardsContext,
  input: { readonly cardId: string; readonly newPassword: string },
): Promise<Outcome<Card>> {
  const weak = checkPassword(input.newPassword);
  if (weak !== null) return fail(weak, 'new_password');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadCardRow(ctx, tx, { id: input.cardId });
    if (row === undefined) return fail('card_not_found', 'card');
    const lockedByAttempts = row.state === 'locked' && row.state_reason === LOCK_REASON_ATTEMPTS;
    if (row.state !== 'active' && row.state !== 'suspended' && !lockedByAttempts)
      return fail('card_state_invalid', 'card');
    const hash = passwordHash(ctx.keys, row.id, input.newPassword);
    if (lockedByAttempts) {
      const to = await transitionCard(tx, row, 'unlock', 'password reset by the holder', nowMs, {
        password_hash: hash,
        failed_attempts: 0n,
      });
      if (to === null) return fail('card_state_invalid', 'card');
    } else {
      await cardTables(tx)
        .updateTable('card')
        .set({ password_hash: hash, failed_attempts: 0n })
        .where('id', '=', row.id)
        .execute();
    }
    const after = await loadCardRow(ctx, tx, { id: row.id });
    return after === undefined ? fail('card_not_found') : ok(cardFromRow(after));
  });
}

/**
 * Re-keys a card whose PIN was exposed: a new PIN from the CSPRNG replaces the old hash, so the
 * old PIN opens nothing from now on; the card id, its ledger account and so its balance stay.
 * Returns the new PIN, the only time it exists in the clear.
 */
export async function rekeyCard(
  ctx: CardsContext,
  input: { readonly cardId: string },
): Promise<Outcome<{ readonly card: Card; readonly pin: string; readonly oldLast4: string }>> {
  const key = currentPinKey(ctx.keys);
  const pin = generatePin(randomBytes);
  const hash = pinHashUnder(ctx.keys, key.id, pin);
  assert(hash !== null, 'the current key hashes');
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadCardRow(ctx, tx, { id: input.cardId });
    if (row === undefined) return fail('card_not_found', 'card');
    if (row.state !== 'active' && row.state !== 'suspended' && row.state !== 'sold')
      return fail('card_state_invalid', 'card');
    await recordKeyChain(tx, key.id);
    await cardTables(tx)
      .updateTable('card')
      .set({ pin_hash: hash, pin_key_id: key.id, pin_last4: pinLast4(pin) })
      .where('id', '=', row.id)
      .execute();
    await cardTables(tx)
      .insertInto('card_event')
      .values({
        card_id: row.id,
        at_ms: ctx.clock.nowMs(),
        transition: 'rekey',
        from_state: row.state,
        to_state: row.state,
        reason: 'PIN replaced at the holder’s request',
      })
      .execute();
    const after = await loadCardRow(ctx, tx, { id: row.id });
    if (after === undefined) return fail('card_not_found');
    return ok({ card: cardFromRow(after), pin, oldLast4: row.pin_last4 });
  });
}

/** Marks a card whose whole balance was paid out as refunded (it can no longer be used). */
export async function markCardRefunded(
  ctx: CardsContext,
  tx: Executor,
  input: { readonly cardId: string; readonly reason: string },
): Promise<Outcome<Card>> {
  const row = await loadCardRow(ctx, tx, { id: input.cardId });
  if (row === undefined) return fail('card_not_found', 'card');
  const to = await transitionCard(tx, row, 'refund', input.reason, ctx.clock.nowMs());
  if (to === null) return fail('card_state_invalid', 'card');
  const after = await loadCardRow(ctx, tx, { id: row.id });
  return after === undefined ? fail('card_not_found') : ok(cardFromRow(after));
}

/**
 * The card a PIN opens, for flows that prove the holder by another secret next (a one-time
 * code to the address on file). An unknown PIN is held to the same time floor as other refusals.
 */
export async function cardByPin(ctx: CardsContext, pinText: string): Promise<Outcome<Card>> {
  const pin = normalizePin(pinText);
  if (!pin.ok) return fail(pin.code, 'pin');
  const startedMs = performance.now();
  const chains = await pinKeyChains(ctx.db.kysely);
  const row = await writeTransaction(ctx.db, (tx) => findByPin(ctx, tx, chains, pin.pin));
  if (row === undefined) {
    await holdRefusal(startedMs);
    return fail('credentials_invalid');
  }
  return ok(cardFromRow(row));
}
