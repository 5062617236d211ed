import { randomBytes } from 'node:crypto';
import type { CartLine } from './cart.ts';

export type OrderStatus = 'awaiting_payment' | 'paid' | 'payment_failed';

export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceKrw: number;
}

/** A webhook the shop received and verified (unverified ones are refused, never recorded). */
export interface WebhookRecord {
  readonly id: string;
  readonly type: string;
  readonly receivedAt: string;
}

export interface Order {
  readonly id: string;
  readonly createdAt: string;
  readonly lines: readonly OrderLine[];
  readonly amountKrw: number;
  status: OrderStatus;
  paymentId: string | null;
  hostedUrl: string | null;
  /** The payment's status as the API last reported it. */
  paymentStatus: string | null;
  amountCapturedKrw: number;
  /** Why the order is not paid, in words for the page. */
  problem: string | null;
  readonly webhooks: WebhookRecord[];
}

/** The demo keeps its orders in memory: a restart starts an empty book. */
export const ORDERS_MAX = 1_000;

export class OrderBook {
  readonly #orders = new Map<string, Order>();

  create(lines: readonly CartLine[], nowIso: string): Order {
    const order: Order = {
      id: `ord_${randomBytes(8).toString('hex')}`,
      createdAt: nowIso,
      lines: lines.map((l) => ({
        productId: l.product.id,
        name: l.product.name,
        quantity: l.quantity,
        unitPriceKrw: l.product.priceKrw,
      })),
      amountKrw: lines.reduce((sum, l) => sum + l.amount, 0),
      status: 'awaiting_payment',
      paymentId: null,
      hostedUrl: null,
      paymentStatus: null,
      amountCapturedKrw: 0,
      problem: null,
      webhooks: [],
    };
    if (this.#orders.size >= ORDERS_MAX) {
      const oldest = this.#orders.keys().next();
      if (oldest.done !== true) this.#orders.delete(oldest.value);
    }
    this.#orders.set(order.id, order);
    return order;
  }

  get(id: string): Order | undefined {
    return this.#orders.get(id);
  }

  byPayment(paymentId: string): Order | undefined {
    for (const order of this.#orders.values()) if (order.paymentId === paymentId) return order;
    return undefined;
  }

  /** Newest first. */
  all(): Order[] {
    return [...this.#orders.values()].reverse();
  }
}
