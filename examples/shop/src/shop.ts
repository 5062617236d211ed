import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { cartLines, cartTotal, type Cart } from './cart.ts';
import { describeFailure, operation, type OnePin, type Payment } from './onepin.ts';
import { OrderBook, type Order } from './orders.ts';

export type CheckoutResult =
  | { readonly ok: true; readonly order: Order; readonly hostedUrl: string }
  | { readonly ok: false; readonly message: string };

/** What a webhook carries in `data.object`: a payment, or a refund naming its payment. */
interface EventObject {
  readonly id?: unknown;
  readonly payment?: unknown;
  readonly order_reference?: unknown;
}

interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly object: EventObject };
}

function isEvent(value: unknown): value is WebhookEvent {
  const v = value as Partial<WebhookEvent> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.data === 'object' &&
    typeof v.data.object === 'object'
  );
}

/** The shop's use cases: check out, settle an order after payment, record webhooks. */
export class Shop {
  readonly orders = new OrderBook();
  /** Webhooks refused because their signature did not verify (shown on /orders). */
  rejectedWebhooks = 0;
  readonly #webhook: Webhook;
  /** One settlement at a time per order: the return page and a webhook may race. */
  readonly #settling = new Map<string, Promise<Order>>();

  constructor(
    private readonly api: OnePin,
    webhookSecret: string,
    private readonly returnUrl: () => string,
  ) {
    this.#webhook = new Webhook(webhookSecret);
  }

  /** Creates the order and its payment; the browser goes on to `hostedUrl`. */
  async checkout(cart: Cart): Promise<CheckoutResult> {
    const lines = cartLines(cart);
    if (lines.length === 0) return { ok: false, message: 'Your cart is empty.' };
    const order = this.orders.create(lines, new Date().toISOString());
    let created;
    try {
      created = await operation(`${order.id}-create`, () =>
        this.api.POST('/api/v1/payments', {
          body: {
            amount: cartTotal(lines),
            currency: 'KRW',
            order_reference: order.id,
            description: lines.map((l) => `${l.quantity} × ${l.product.name}`).join(', '),
            return_url: this.returnUrl(),
            capture_mode: 'manual',
          },
        }),
      );
    } catch (error) {
      console.error(`creating the payment for ${order.id} failed:`, error);
      order.status = 'payment_failed';
      order.problem = 'OnePIN could not be reached; please try again.';
      return { ok: false, message: order.problem };
    }
    const { data, error, response } = created;
    if (data === undefined) {
      order.status = 'payment_failed';
      order.problem = `OnePIN refused the payment (${describeFailure(error, response)})`;
      return { ok: false, message: order.problem };
    }
    order.paymentId = data.id;
    order.hostedUrl = data.hosted_url;
    order.paymentStatus = data.status;
    return { ok: true, order, hostedUrl: data.hosted_url };
  }

  /**
   * Asks OnePIN how the order's payment stands and captures what the holder authorized. Called
   * from the return page and from the `payment.authorized` webhook, whichever comes first; the
   * capture's Idempotency-Key is the order's, so it happens once however often this runs.
   */
  settle(order: Order): Promise<Order> {
    const running = this.#settling.get(order.id);
    if (running !== undefined) return running;
    const work = this.#settle(order)
      .catch((error: unknown) => {
        console.error(`settling ${order.id} failed:`, error);
        order.problem = 'OnePIN could not be reached; reload this page to try again.';
        return order;
      })
      .finally(() => this.#settling.delete(order.id));
    this.#settling.set(order.id, work);
    return work;
  }

  async #settle(order: Order): Promise<Order> {
    if (order.paymentId === null || order.status === 'paid') return order;
    const paymentId = order.paymentId;
    const found = await this.api.GET('/api/v1/payments/{id}', {
      params: { path: { id: paymentId } },
    });
    if (found.data === undefined) {
      order.problem = `could not read the payment (${describeFailure(found.error, found.response)})`;
      return order;
    }
    let payment: Payment = found.data;
    if (payment.order_reference !== order.id || payment.amount !== order.amountKrw) {
      order.status = 'payment_failed';
      order.problem = 'the payment does not match this order';
      return order;
    }
    if (payment.status === 'requires_capture') {
      const captured = await operation(`${order.id}-capture`, () =>
        this.api.POST('/api/v1/payments/{id}/capture', {
          params: { path: { id: paymentId } },
          body: {},
        }),
      );
      if (captured.data === undefined) {
        order.problem = `capture failed (${describeFailure(captured.error, captured.response)})`;
        return order;
      }
      payment = captured.data;
    }
    this.#apply(order, payment);
    return order;
  }

  #apply(order: Order, payment: Payment): void {
    order.paymentStatus = payment.status;
    order.amountCapturedKrw = payment.amount_captured;
    switch (payment.status) {
      case 'succeeded':
        order.status = 'paid';
        order.problem = null;
        break;
      case 'voided':
      case 'expired':
        order.status = 'payment_failed';
        order.problem =
          payment.status === 'voided'
            ? 'the payment was cancelled (voided); nothing was charged'
            : 'the payment expired before it was captured';
        break;
      case 'requires_payment':
        order.problem = 'not paid yet';
        break;
      case 'requires_capture':
      case 'partially_captured':
        order.problem = 'payment authorized, not fully captured yet';
        break;
    }
  }

  /**
   * A webhook from OnePIN: verified with the Standard Webhooks library (signature, timestamp
   * tolerance), recorded once per event id on its order. Returns the HTTP status to answer.
   */
  receiveWebhook(rawBody: string, headers: Record<string, string>): number {
    let event: unknown;
    try {
      event = this.#webhook.verify(rawBody, headers);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.rejectedWebhooks += 1;
      return 400;
    }
    if (!isEvent(event)) return 400;
    const object = event.data.object;
    const order =
      (typeof object.order_reference === 'string'
        ? this.orders.get(object.order_reference)
        : undefined) ??
      (typeof object.payment === 'string' ? this.orders.byPayment(object.payment) : undefined) ??
      (typeof object.id === 'string' ? this.orders.byPayment(object.id) : undefined);
    // Unknown orders (placed before a restart) are acknowledged, or OnePIN would retry for days.
    if (order === undefined) return 204;
    if (!order.webhooks.some((w) => w.id === event.id)) {
      order.webhooks.push({ id: event.id, type: event.type, receivedAt: new Date().toISOString() });
    }
    if (event.type === 'payment.authorized' && order.status === 'awaiting_payment') {
      // The holder may never come back to the return page; settle in the background.
      void this.settle(order);
    }
    return 204;
  }
}
