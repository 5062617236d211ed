import { assert } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { cardTables } from './context.ts';
import { TRANSITIONS } from './states.ts';

/** Rows per statement: well under the parameter limits of SQLite and PostgreSQL. */
const CHUNK = 500;

/**
 * Moves unsold stock in bulk inside the caller's transaction: `consign` (issued → consigned, to
 * an agent or a carrier) or `return_stock` (consigned → issued). Stock carries no value, so no
 * money moves. Every card must be in the transition's from-state: when one is not (it changed
 * under the caller), this throws, and the caller's whole transaction rolls back.
 */
export async function moveStock(
  tx: Executor,
  input: {
    readonly cardIds: readonly string[];
    readonly transition: 'consign' | 'return_stock';
    readonly reason: string;
    readonly nowMs: bigint;
  },
): Promise<void> {
  const rule = TRANSITIONS[input.transition];
  assert(rule.from.length === 1, 'stock moves from one state');
  const from = rule.from[0];
  const t = cardTables(tx);
  for (let i = 0; i < input.cardIds.length; i += CHUNK) {
    const ids = input.cardIds.slice(i, i + CHUNK);
    const moved = await t
      .updateTable('card')
      .set({ state: rule.to, state_reason: input.reason, state_changed_at_ms: input.nowMs })
      .where('id', 'in', ids)
      .where('state', '=', from)
      .executeTakeFirst();
    if (moved.numUpdatedRows !== BigInt(ids.length)) {
      throw new Error(`${input.transition}: stock changed under the transaction`);
    }
    await t
      .insertInto('card_event')
      .values(
        ids.map((cardId) => ({
          card_id: cardId,
          at_ms: input.nowMs,
          transition: input.transition,
          from_state: from,
          to_state: rule.to,
          reason: input.reason,
        })),
      )
      .execute();
  }
}
