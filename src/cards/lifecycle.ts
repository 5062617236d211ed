import { fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard, type Card } from './card-row.ts';
import type { CardsContext } from './context.ts';
import type { CardTransition } from './states.ts';

/** Transitions an operator may make by hand. */
export const OPERATOR_TRANSITIONS = [
  'lock_operator',
  'unlock',
  'suspend',
  'resume',
  'close',
] as const;
export type OperatorTransition = (typeof OPERATOR_TRANSITIONS)[number];

/**
 * Lock, unlock, suspend, resume or close a card by serial or id, with a reason. Unlocking clears
 * the failed-attempt counter. Closing a card with value is refused: value leaves a card only
 * through the ledger (refund of balance, expiry to breakage).
 */
export async function changeCardState(
  ctx: CardsContext,
  input: {
    readonly serial?: string;
    readonly cardId?: string;
    readonly transition: OperatorTransition;
    readonly reason: string;
  },
): Promise<Outcome<Card>> {
  if (input.reason.trim() === '' || input.reason.length > 200)
    return fail('parameter_invalid', 'reason');
  const by =
    input.cardId !== undefined
      ? { id: input.cardId }
      : input.serial !== undefined
        ? { serial: input.serial }
        : undefined;
  if (by === undefined) return fail('parameter_invalid', 'serial');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadCardRow(ctx, tx, by);
    if (row === undefined) return fail('card_not_found', 'serial');
    if (input.transition === 'close' && row.account_id !== null) {
      const account = await ctx.ledger.getAccount(tx, row.account_id);
      if (
        account !== undefined &&
        (account.creditsPosted !== account.debitsPosted || account.debitsPending !== 0n)
      ) {
        return fail('card_state_invalid', 'serial', 'the card still holds value');
      }
    }
    const transition: CardTransition = input.transition;
    const extra = transition === 'unlock' ? { failed_attempts: 0n } : {};
    const to = await transitionCard(tx, row, transition, input.reason, nowMs, extra);
    if (to === null)
      return fail(
        'card_state_invalid',
        'serial',
        `cannot ${transition} a card that is ${row.state}`,
      );
    const after = await loadCardRow(ctx, tx, { id: row.id });
    return after === undefined ? fail('card_not_found') : ok(cardFromRow(after));
  });
}
