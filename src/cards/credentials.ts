import { setTimeout as sleep } from 'node:timers/promises';
import { fail, limits, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard, type Card } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';
import { currentPinKey, passwordHash, pinHashUnder, sameHash, wrapPinHash } from './keys.ts';
import { normalizePin } from './pin.ts';
import type { CardTable } from './tables.ts';

/**
 * The key chains PINs are stored under: a handful of rows, written when a chain first appears
 * (issuance under a new key, a re-key pass), so a lookup never scans the cards.
 */
export async function pinKeyChains(executor: Executor): Promise<string[]> {
  const rows = await cardTables(executor).selectFrom('card_key_chain').select('chain').execute();
  return rows.map((r) => r.chain);
}

export async function recordKeyChain(executor: Executor, chain: string): Promise<void> {
  await cardTables(executor)
    .insertInto('card_key_chain')
    .values({ chain })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
}

/** Every hash a PIN could be stored under, given the chains in use and the ring's keys. */
export function pinCandidates(ctx: CardsContext, chains: readonly string[], pin: string): string[] {
  const all = new Set<string>([currentPinKey(ctx.keys).id, ...chains]);
  const out: string[] = [];
  for (const chain of all) {
    const hash = pinHashUnder(ctx.keys, chain, pin);
    if (hash !== null) out.push(hash);
  }
  return out;
}

/**
 * Finds the card a PIN opens, inside the caller's transaction, and moves it to the current key
 * if it was hashed under an older one (the "re-hash on next use" half of key rotation).
 */
export async function findByPin(
  ctx: CardsContext,
  tx: Executor,
  chains: readonly string[],
  pin: string,
): Promise<CardTable | undefined> {
  const row = await loadCardRow(ctx, tx, { pinHashes: pinCandidates(ctx, chains, pin) });
  if (row === undefined) return undefined;
  const current = currentPinKey(ctx.keys).id;
  if (row.pin_key_id !== current) {
    const hash = pinHashUnder(ctx.keys, current, pin);
    if (hash !== null) {
      await cardTables(tx)
        .updateTable('card')
        .set({ pin_hash: hash, pin_key_id: current })
        .where('id', '=', row.id)
        .execute();
      await recordKeyChain(tx, current);
      return { ...row, pin_hash: hash, pin_key_id: current };
    }
  }
  return row;
}

/** The reason recorded when failed attempts lock a card (a password reset may lift it). */
export const LOCK_REASON_ATTEMPTS = 'too many failed attempts';

/**
 * Counts a failed secret against the card, in the same statement that reads the count, so
 * concurrent failures from any channel are all counted; the card locks at `pinAttemptsMax`.
 * Returns true when this failure locked the card.
 */
export async function countFailure(
  ctx: CardsContext,
  tx: Executor,
  row: CardTable,
): Promise<boolean> {
  const updated = await cardTables(tx)
    .updateTable('card')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1n) }))
    .where('id', '=', row.id)
    .returning(['failed_attempts', 'state'])
    .executeTakeFirstOrThrow();
  if (updated.failed_attempts >= BigInt(limits.pinAttemptsMax)) {
    const to = await transitionCard(
      tx,
      { ...row, state: updated.state, failed_attempts: updated.failed_attempts },
      'lock_attempts',
      LOCK_REASON_ATTEMPTS,
      ctx.clock.nowMs(),
    );
    return to !== null;
  }
  return false;
}

export async function resetFailures(tx: Executor, row: CardTable): Promise<void> {
  if (row.failed_attempts === 0n) return;
  await cardTables(tx)
    .updateTable('card')
    .set({ failed_attempts: 0n })
    .where('id', '=', row.id)
    .execute();
}

/**
 * PIN + password → the card, for every channel. An unknown PIN and a wrong password get the
 * same answer (`credentials_invalid`); a locked card says so. Failures are committed even though
 * the caller's operation does not go ahead.
 */
export async function authenticate(
  ctx: CardsContext,
  input: { readonly pin: string; readonly password: string },
): Promise<Outcome<Card>> {
  const pin = normalizePin(input.pin);
  if (!pin.ok) return fail(pin.code, 'pin');
  const startedMs = performance.now();
  const chains = await pinKeyChains(ctx.db.kysely);
  const outcome = await writeTransaction(ctx.db, async (tx): Promise<Outcome<Card>> => {
    const row = await findByPin(ctx, tx, chains, pin.pin);
    if (row === undefined) {
      passwordHash(ctx.keys, 'card_none', input.password);
      return fail('credentials_invalid');
    }
    if (row.state === 'locked') return fail('card_locked');
    const expected = row.password_hash;
    const given = passwordHash(ctx.keys, row.id, input.password);
    if (expected === null || !sameHash(expected, given)) {
      const locked = await countFailure(ctx, tx, row);
      return fail(locked ? 'card_locked' : 'credentials_invalid');
    }
    await resetFailures(tx, row);
    return ok(cardFromRow({ ...row, failed_attempts: 0n }));
  });
  if (!outcome.ok) await holdRefusal(startedMs);
  return outcome;
}

/**
 * An unknown PIN answers faster than a wrong password (which writes the attempt counter); every
 * refused secret is held to the same floor so that timing does not tell them apart.
 */
export async function holdRefusal(startedMs: number): Promise<void> {
  // Timers may fire a little early against performance.now(): wait again, a bounded few times.
  for (let tries = 0; tries < 5; tries += 1) {
    const waitMs = limits.authFailureFloorMs - (performance.now() - startedMs);
    if (waitMs <= 0) return;
    await sleep(Math.ceil(waitMs) + 1);
  }
}

/**
 * The background half of key rotation: cards still hashed under an older key get their stored
 * hash wrapped under the current key (no PIN needed). Returns how many were re-keyed.
 */
export async function rekeyPass(ctx: CardsContext, limit: number): Promise<number> {
  const current = currentPinKey(ctx.keys).id;
  return writeTransaction(ctx.db, async (tx) => {
    const rows = await cardTables(tx)
      .selectFrom('card')
      .select(['id', 'pin_hash', 'pin_key_id'])
      .where('pin_key_id', '!=', current)
      .where('pin_key_id', 'not like', `${current}/%`)
      .limit(limit)
      .execute();
    for (const row of rows) {
      const wrapped = wrapPinHash(ctx.keys, row.pin_key_id, row.pin_hash);
      await recordKeyChain(tx, wrapped.chain);
      await cardTables(tx)
        .updateTable('card')
        .set({ pin_hash: wrapped.hash, pin_key_id: wrapped.chain })
        .where('id', '=', row.id)
        .where('pin_key_id', '=', row.pin_key_id)
        .execute();
    }
    return rows.length;
  });
}
