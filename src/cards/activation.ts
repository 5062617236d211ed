import { fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard, type Card } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';
import {
  countFailure,
  findByPin,
  holdRefusal,
  pinKeyChains,
  resetFailures,
} from './credentials.ts';
import { activationHash, passwordHash, sameHash } from './keys.ts';
import { checkPassword } from './password-rules.ts';
import { normalizePin } from './pin.ts';

/**
 * Registers the holder's password and makes a sold card active. It takes the PIN and the
 * activation secret that reached the rightful holder; a PIN alone never activates a card.
 * The secret works once and expires; wrong secrets count against the card like wrong passwords.
 */
export async function activateCard(
  ctx: CardsContext,
  input: { readonly pin: string; readonly activationSecret: string; readonly password: string },
): Promise<Outcome<Card>> {
  const pin = normalizePin(input.pin);
  if (!pin.ok) return fail(pin.code, 'pin');
  const weak = checkPassword(input.password);
  if (weak !== null) return fail(weak, 'password');
  const startedMs = performance.now();
  const chains = await pinKeyChains(ctx.db.kysely);
  const nowMs = ctx.clock.nowMs();
  const outcome = await writeTransaction(ctx.db, async (tx): Promise<Outcome<Card>> => {
    const row = await findByPin(ctx, tx, chains, pin.pin);
    if (row === undefined) return fail('activation_secret_invalid');
    if (row.state === 'locked') return fail('card_locked');
    // A card that is not waiting for activation answers like a wrong secret, and the attempt
    // counts: the answer must not tell a PIN's state to someone holding only the PIN.
    const stored = row.state === 'sold' ? row.activation_hash : null;
    const given = activationHash(ctx.keys, row.id, input.activationSecret);
    const expired = row.activation_expires_at_ms === null || nowMs >= row.activation_expires_at_ms;
    if (stored === null || expired || !sameHash(stored, given)) {
      const locked = await countFailure(ctx, tx, row);
      return fail(locked ? 'card_locked' : 'activation_secret_invalid');
    }
    await resetFailures(tx, row);
    const to = await transitionCard(
      tx,
      { ...row, failed_attempts: 0n },
      'activate',
      'password registered',
      nowMs,
      {
        password_hash: passwordHash(ctx.keys, row.id, input.password),
        activated_at_ms: nowMs,
        activation_hash: null,
        activation_expires_at_ms: null,
      },
    );
    if (to === null) return fail('card_state_invalid');
    const after = await loadCardRow(ctx, tx, { id: row.id });
    return after === undefined ? fail('card_not_found') : ok(cardFromRow(after));
  });
  if (!outcome.ok) await holdRefusal(startedMs);
  return outcome;
}

/** Changes the password with PIN + current password. */
export async function changePassword(
  ctx: CardsContext,
  input: { readonly pin: string; readonly password: string; readonly newPassword: string },
): Promise<Outcome<Card>> {
  const pin = normalizePin(input.pin);
  if (!pin.ok) return fail(pin.code, 'pin');
  const weak = checkPassword(input.newPassword);
  if (weak !== null) return fail(weak, 'new_password');
  const chains = await pinKeyChains(ctx.db.kysely);
  return writeTransaction(ctx.db, async (tx) => {
    const row = await findByPin(ctx, tx, chains, pin.pin);
    if (row === undefined) {
      passwordHash(ctx.keys, 'card_none', input.password);
      return fail('credentials_invalid');
    }
    if (row.state === 'locked') return fail('card_locked');
    const given = passwordHash(ctx.keys, row.id, input.password);
    if (row.password_hash === null || !sameHash(row.password_hash, given)) {
      const locked = await countFailure(ctx, tx, row);
      return fail(locked ? 'card_locked' : 'credentials_invalid');
    }
    if (row.state !== 'active' && row.state !== 'suspended') return fail('card_state_invalid');
    await cardTables(tx)
      .updateTable('card')
      .set({
        password_hash: passwordHash(ctx.keys, row.id, input.newPassword),
        failed_attempts: 0n,
      })
      .where('id', '=', row.id)
      .execute();
    const after = await loadCardRow(ctx, tx, { id: row.id });
    return after === undefined ? fail('card_not_found') : ok(cardFromRow(after));
  });
}
