import { findDenomination } from '../cards/index.ts';
import { formatMoney, isoFromMs, type Outcome } from '../kernel/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import type { Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import type { Order } from './order-row.ts';

/**
 * The e-mails of an order, written to the notify outbox in the caller's transaction. Each has a
 * dedupe key, so a phase run twice (a retry, the completer after a crash) never mails twice.
 */
export async function enqueueOrderEmail(
  ctx: SalesContext,
  tx: Executor,
  order: Order,
  what: 'order_receipt' | 'bank_transfer_instructions' | 'recharge_receipt',
  extra: { readonly balanceAfterMinor?: bigint; readonly cardLast4?: string } = {},
): Promise<Outcome<{ readonly id: string; readonly created: boolean }>> {
  const amount = formatMoney(order.amountMinor, order.currency);
  const base = { dedupeKey: `${what}:${order.id}`, to: order.buyerEmail, locale: order.locale };
  switch (what) {
    case 'bank_transfer_instructions': {
      const va = order.virtualAccount;
      return enqueueEmail(ctx.notify, tx, {
        ...base,
        template: 'bank_transfer_instructions',
        data: {
          buyerName: order.buyerName,
          orderId: order.id,
          bank: va?.bank ?? '',
          accountNumber: va?.number ?? '',
          accountHolder: va?.holder ?? '',
          amount,
          dueAt: va === null ? '' : isoFromMs(va.dueAtMs),
        },
      });
    }
    case 'recharge_receipt':
      return enqueueEmail(ctx.notify, tx, {
        ...base,
        template: 'recharge_receipt',
        data: {
          cardLast4: extra.cardLast4 ?? '',
          amount,
          balanceAfter:
            extra.balanceAfterMinor === undefined
              ? ''
              : formatMoney(extra.balanceAfterMinor, order.currency),
          method: order.method,
          at: isoFromMs(order.fulfilledAtMs ?? ctx.clock.nowMs()),
        },
      });
    case 'order_receipt': {
      const lines = await salesTables(tx)
        .selectFrom('sales_order_line')
        .selectAll()
        .where('order_id', '=', order.id)
        .orderBy('line_no')
        .execute();
      const named = [];
      for (const line of lines) {
        const d = await findDenomination(tx, line.denomination_id);
        named.push({
          name: d?.name ?? line.denomination_id,
          quantity: line.quantity.toString(),
          amount: formatMoney(line.amount_minor, order.currency),
        });
      }
      return enqueueEmail(ctx.notify, tx, {
        ...base,
        template: 'order_receipt',
        data: {
          buyerName: order.buyerName,
          orderId: order.id,
          lines: named,
          total: amount,
          method: order.method,
          paidAt: isoFromMs(order.paidAtMs ?? ctx.clock.nowMs()),
          purpose: 'self',
          siteUrl: `${ctx.publicUrl}/orders/${order.id}`,
        },
      });
    }
  }
}
