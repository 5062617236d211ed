import { rekeyCard } from '../cards/index.ts';
import { isoFromMs, ok, type Outcome } from '../kernel/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { SalesContext } from './context.ts';
import { holderOf } from './holders.ts';
import type { Locale } from './order-row.ts';

/**
 * The holder re-keys a card whose PIN was exposed (signed in with PIN + password): a new PIN,
 * the old one dead, the balance kept. The new PIN is returned to be shown once; the e-mail says
 * that it happened (never the PIN).
 */
export async function rekeyForHolder(
  ctx: SalesContext,
  input: { readonly cardId: string; readonly locale: Locale },
): Promise<Outcome<{ readonly pin: string; readonly last4: string }>> {
  const done = await rekeyCard(ctx.cards, { cardId: input.cardId });
  if (!done.ok) return done;
  const holder = await holderOf(ctx, ctx.db.kysely, input.cardId);
  if (holder !== null) {
    const nowMs = ctx.clock.nowMs();
    await writeTransaction(ctx.db, async (tx) => {
      await enqueueEmail(ctx.notify, tx, {
        dedupeKey: `rekey:${input.cardId}:${done.value.card.pinLast4}:${nowMs}`,
        to: holder.email,
        locale: input.locale,
        template: 'card_rekeyed',
        data: {
          oldLast4: done.value.oldLast4,
          newLast4: done.value.card.pinLast4,
          at: isoFromMs(nowMs),
        },
      });
    });
  }
  return ok({ pin: done.value.pin, last4: done.value.card.pinLast4 });
}
