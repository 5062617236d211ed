import { randomBytes, randomInt } from 'node:crypto';
import { derivedId, fail, limits, ok, type Outcome } from '../kernel/index.ts';
import { AccountFlags, ensureSystemAccounts, isApplied, systemAccountId } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard, type Card } from './card-row.ts';
import type { CardsContext } from './context.ts';
import { activationHash } from './keys.ts';
import { fromLedger } from './ledger-results.ts';
import { expiryAtSale } from './validity.ts';

/**
 * How the activation secret reaches the rightful holder: the claim link in a gift e-mail, a
 * one-time code to the buyer's phone, or the agent's point-of-sale record.
 */
export type ActivationKind = 'claim_link' | 'otp' | 'pos';

export type SaleChannel = 'web' | 'agent' | 'carrier' | 'demo' | 'operator';

export interface SaleInput {
  readonly serial: string;
  readonly channel: SaleChannel;
  readonly activationKind: ActivationKind;
  /** Where the value comes from; the funding clearing account by default. */
  readonly debitAccountId?: string;
  readonly reference?: string;
}

export interface SaleResult {
  readonly card: Card;
  readonly transferId: string;
  /** Shown or sent once; only its keyed hash is kept. */
  readonly activationSecret: string;
  readonly activationExpiresAtMs: bigint;
}

export function newActivationSecret(kind: ActivationKind): string {
  if (kind === 'otp') return String(randomInt(0, 1_000_000)).padStart(6, '0');
  return randomBytes(18).toString('base64url');
}

/** The ledger account id of a card: derived, so a sale retried never makes a second one. */
export function cardAccountId(cardId: string): string {
  return `acc_${cardId}`;
}

/**
 * Sells a card: value enters it now, never earlier. Creates the card's ledger account, moves the
 * face value from the funding side, fixes the validity, and hands out an activation secret.
 */
export async function sellCard(ctx: CardsContext, input: SaleInput): Promise<Outcome<SaleResult>> {
  const nowMs = ctx.clock.nowMs();
  const secret = newActivationSecret(input.activationKind);
  const activationExpiresAtMs = nowMs + limits.activationSecretTtlMs;
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadCardRow(ctx, tx, { serial: input.serial });
    if (row === undefined) return fail('card_not_found', 'serial');
    if (row.state !== 'issued' && row.state !== 'consigned')
      return fail('card_state_invalid', 'serial');
    const card = cardFromRow(row);
    const accountId = cardAccountId(card.id);
    await ensureSystemAccounts(ctx.ledger, tx, card.currency, nowMs);
    const created = await ctx.ledger.createAccounts(
      tx,
      [
        {
          id: accountId,
          currency: card.currency,
          code: 'card',
          flags: AccountFlags.debitsMustNotExceedCredits,
          ownerRef: card.id,
        },
      ],
      nowMs,
    );
    if (created[0] !== 'ok' && created[0] !== 'exists')
      return fail('ledger_rejected', undefined, created[0]);
    const transferId = derivedId('sale', card.id);
    const [result] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: transferId,
          debitAccountId:
            input.debitAccountId ?? systemAccountId(card.currency, 'funding_clearing'),
          creditAccountId: accountId,
          amountMinor: card.faceValueMinor,
          currency: card.currency,
          code: 'sale',
          reference: input.reference ?? card.serial,
        },
      ],
      nowMs,
    );
    if (result === undefined || !isApplied(result)) {
      // Nothing may stay behind: throw to roll back the account creation too.
      throw new SaleRefused(result ?? 'ok');
    }
    const to = await transitionCard(tx, row, 'sell', `sold via ${input.channel}`, nowMs, {
      account_id: accountId,
      sold_at_ms: nowMs,
      expires_at_ms: expiryAtSale(card.validity, nowMs),
      channel: input.channel,
      activation_kind: input.activationKind,
      activation_hash: activationHash(ctx.keys, card.id, secret),
      activation_expires_at_ms: activationExpiresAtMs,
    });
    if (to === null) return fail('card_state_invalid', 'serial');
    const after = await loadCardRow(ctx, tx, { id: card.id });
    if (after === undefined) return fail('card_not_found');
    return ok({
      card: cardFromRow(after),
      transferId,
      activationSecret: secret,
      activationExpiresAtMs,
    });
  }).catch((error: unknown) => {
    if (error instanceof SaleRefused) return fromLedger<SaleResult>(error.result);
    throw error;
  });
}

class SaleRefused extends Error {
  constructor(readonly result: Parameters<typeof fromLedger>[0]) {
    super(`sale refused by the ledger: ${result}`);
  }
}
