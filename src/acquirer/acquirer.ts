import { createHash } from 'node:crypto';
import { assert, unreachable, type Clock, type Currency } from '../kernel/index.ts';
import type { CheckedCard } from './card-form.ts';
import { acquirerId, newAccountNumber } from './ids.ts';
import { paymentJson, refundJson } from './payment-json.ts';
import type { EventType, Payment, PaymentMethod, PaymentStatus, Refund } from './payment.ts';
import type { AcquirerStore } from './store.ts';
import type { OutgoingEvent, WebhookSender } from './webhooks.ts';

/**
 * The acquirer's decisions: creating payments, the card company's answer, the bank's deposit
 * matching, refunds and cancels. Each runs in one write transaction; webhooks for what changed
 * are stored in it and sent after it commits. Time-based changes (a virtual account past its
 * due date, a card page never submitted, a slow answer whose time has come) are applied when
 * the payment is next read, so they hold across restarts without a timer.
 */
export interface AcquirerSettings {
  readonly clock: Clock;
  readonly baseUrl: () => string;
  readonly bankDueMs: bigint;
  readonly cardPageTtlMs: bigint;
  readonly slowAnswerMs: number;
}

export interface CreateInput {
  readonly reference: string;
  readonly method: PaymentMethod;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly returnUrl: string | null;
  readonly notifyUrl: string | null;
}

export type CreateResult =
  | { readonly kind: 'created' | 'replayed'; readonly payment: Payment }
  | { readonly kind: 'conflict' };

export type CardDecision =
  | { readonly kind: 'decided' | 'slow' | 'lost'; readonly payment: Payment }
  /** The payment was not waiting for a card (already decided, canceled, expired, bank). */
  | { readonly kind: 'not_payable'; readonly payment: Payment };

export type CancelResult =
  | { readonly kind: 'canceled'; readonly payment: Payment }
  | { readonly kind: 'not_cancelable'; readonly payment: Payment };

export type RefundResult =
  | { readonly kind: 'refunded' | 'replayed'; readonly refund: Refund; readonly payment: Payment }
  | { readonly kind: 'not_refundable' | 'exceeds_refundable' | 'conflict' };

export type DepositResult =
  | { readonly kind: 'matched'; readonly depositId: string; readonly payment: Payment }
  | { readonly kind: 'amount_mismatch'; readonly depositId: string }
  | { readonly kind: 'account_not_found'; readonly depositId: string }
  | {
      readonly kind: 'not_awaiting_deposit';
      readonly depositId: string;
      readonly status: PaymentStatus;
    };

/** Attempts at a fresh virtual account number before giving up (collisions are ~never). */
const ACCOUNT_NUMBER_ATTEMPTS_MAX = 8;

function requestHashOf(input: CreateInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.method,
        input.amountMinor.toString(),
        input.currency,
        input.description,
        input.returnUrl,
        input.notifyUrl,
      ]),
    )
    .digest('hex');
}

type Emit = (payment: Payment, type: EventType, refund?: Refund) => void;

export class Acquirer {
  readonly #store: AcquirerStore;
  readonly #webhooks: WebhookSender;
  readonly #settings: AcquirerSettings;

  constructor(store: AcquirerStore, webhooks: WebhookSender, settings: AcquirerSettings) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.#settings = settings;
  }

  get settings(): AcquirerSettings {
    return this.#settings;
  }

  /** Runs `work` in a transaction; the events it emits are delivered once it has committed. */
  #write<T>(work: (emit: Emit, nowMs: bigint) => T): T {
    const outgoing: OutgoingEvent[] = [];
    const nowMs = this.#settings.clock.nowMs();
    const result = this.#store.transaction(() => {
      const emit: Emit = (payment, type, refund) => {
        if (payment.notifyUrl === null) return;
        const id = acquirerId('evt');
        const body = JSON.stringify({
          id,
          object: 'event',
          type,
          created: Number(nowMs / 1_000n),
          payment: paymentJson(payment, this.#settings.baseUrl()),
          ...(refund !== undefined ? { refund: refundJson(refund) } : {}),
        });
        this.#store.insertEvent({
          id,
          paymentId: payment.id,
          type,
          url: payment.notifyUrl,
          body,
          createdAtMs: nowMs,
        });
        outgoing.push({ id, url: payment.notifyUrl, body });
      };
      return work(emit, nowMs);
    });
    for (const event of outgoing) this.#webhooks.send(event);
    return result;
  }

  /** Applies the time-based changes that are due. Call inside a write. */
  #refresh(payment: Payment, emit: Emit, nowMs: bigint): Payment {
    const { cardPageTtlMs } = this.#settings;
    if (payment.status === 'awaiting_deposit' && payment.dueAtMs !== null) {
      if (nowMs > payment.dueAtMs) return this.#change(payment, 'expired', emit, nowMs);
    }
    if (payment.status === 'requires_action' && nowMs > payment.createdAtMs + cardPageTtlMs) {
      return this.#change(payment, 'expired', emit, nowMs);
    }
    if (
      payment.status === 'processing' &&
      payment.decideAtMs !== null &&
      nowMs >= payment.decideAtMs
    ) {
      return this.#change(payment, 'succeeded', emit, nowMs);
    }
    return payment;
  }

  #change(
    payment: Payment,
    status: 'expired' | 'succeeded' | 'canceled',
    emit: Emit,
    nowMs: bigint,
  ): Payment {
    const after = this.#store.changePayment(
      payment.id,
      [payment.status],
      status === 'succeeded' ? { status, decideAtMs: null } : { status },
      nowMs,
    );
    assert(after !== null, 'payment changed inside a write transaction');
    emit(after, `payment.${status}`);
    return after;
  }

  create(input: CreateInput): CreateResult {
    const requestHash = requestHashOf(input);
    return this.#write((emit, nowMs) => {
      const existing = this.#store.paymentByReference(input.reference);
      if (existing !== null) {
        if (existing.requestHash !== requestHash) return { kind: 'conflict' };
        return { kind: 'replayed', payment: this.#refresh(existing, emit, nowMs) };
      }
      let accountNumber: string | null = null;
      if (input.method === 'bank') {
        for (let i = 0; i < ACCOUNT_NUMBER_ATTEMPTS_MAX && accountNumber === null; i++) {
          const candidate = newAccountNumber();
          if (!this.#store.accountNumberTaken(candidate)) accountNumber = candidate;
        }
        assert(accountNumber !== null, 'a free virtual account number');
      }
      const payment: Payment = {
        id: acquirerId('acq'),
        reference: input.reference,
        requestHash,
        method: input.method,
        amountMinor: input.amountMinor,
        currency: input.currency,
        description: input.description,
        returnUrl: input.returnUrl,
        notifyUrl: input.notifyUrl,
        status: input.method === 'card' ? 'requires_action' : 'awaiting_deposit',
        declineCode: null,
        instrument: null,
        accountNumber,
        dueAtMs: input.method === 'bank' ? nowMs + this.#settings.bankDueMs : null,
        decideAtMs: null,
        refundedMinor: 0n,
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
      };
      this.#store.insertPayment(payment);
      const stored = this.#store.paymentById(payment.id);
      assert(stored?.requestHash === requestHash, 'payment stored as created');
      return { kind: 'created', payment: stored };
    });
  }

  get(id: string): Payment | null {
    return this.#write((emit, nowMs) => {
      const payment = this.#store.paymentById(id);
      return payment === null ? null : this.#refresh(payment, emit, nowMs);
    });
  }

  getByReference(reference: string): Payment | null {
    return this.#write((emit, nowMs) => {
      const payment = this.#store.paymentByReference(reference);
      return payment === null ? null : this.#refresh(payment, emit, nowMs);
    });
  }

  /** The card company's answer to the hosted form. */
  decideCard(id: string, card: CheckedCard): CardDecision | null {
    return this.#write((emit, nowMs) => {
      const found = this.#store.paymentById(id);
      if (found === null) return null;
      const payment = this.#refresh(found, emit, nowMs);
      if (payment.status !== 'requires_action') return { kind: 'not_payable', payment };
      const instrument = { kind: 'card', brand: card.brand, last4: card.last4 } as const;
      const from = ['requires_action'] as const;
      const behaviour = card.behaviour;
      switch (behaviour.kind) {
        case 'approve': {
          const after = this.#store.changePayment(
            id,
            from,
            { status: 'succeeded', instrument },
            nowMs,
          );
          assert(after !== null, 'approved');
          emit(after, 'payment.succeeded');
          return { kind: 'decided', payment: after };
        }
        case 'decline': {
          const after = this.#store.changePayment(
            id,
            from,
            { status: 'declined', declineCode: behaviour.declineCode, instrument },
            nowMs,
          );
          assert(after !== null, 'declined');
          emit(after, 'payment.declined');
          return { kind: 'decided', payment: after };
        }
        case 'slow': {
          const decideAtMs = nowMs + BigInt(this.#settings.slowAnswerMs);
          const after = this.#store.changePayment(
            id,
            from,
            { status: 'processing', instrument, decideAtMs },
            nowMs,
          );
          assert(after !== null, 'processing');
          return { kind: 'slow', payment: after };
        }
        case 'lost': {
          // Recorded as approved, and no event: the merchant learns of it only by asking.
          const after = this.#store.changePayment(
            id,
            from,
            { status: 'succeeded', instrument },
            nowMs,
          );
          assert(after !== null, 'approved (answer lost)');
          return { kind: 'lost', payment: after };
        }
        default:
          return unreachable(behaviour, 'card behaviour');
      }
    });
  }

  /** The slow answer arrives: a payment still `processing` is approved. */
  finishSlow(id: string): Payment | null {
    return this.#write((emit, nowMs) => {
      const payment = this.#store.paymentById(id);
      if (payment?.status !== 'processing') return payment;
      return this.#change(payment, 'succeeded', emit, nowMs);
    });
  }

  /** Cancels a payment nobody has paid yet; canceling twice answers the canceled payment. */
  cancel(id: string): CancelResult | null {
    return this.#write((emit, nowMs) => {
      const found = this.#store.paymentById(id);
      if (found === null) return null;
      const payment = this.#refresh(found, emit, nowMs);
      if (payment.status === 'canceled') return { kind: 'canceled', payment };
      if (payment.status !== 'requires_action' && payment.status !== 'awaiting_deposit') {
        return { kind: 'not_cancelable', payment };
      }
      return { kind: 'canceled', payment: this.#change(payment, 'canceled', emit, nowMs) };
    });
  }

  /** A refund to the original instrument, idempotent by (payment, reference). */
  refund(id: string, amountMinor: bigint, reference: string): RefundResult | null {
    assert(amountMinor > 0n, 'refund amounts are positive');
    return this.#write((emit, nowMs) => {
      const found = this.#store.paymentById(id);
      if (found === null) return null;
      const payment = this.#refresh(found, emit, nowMs);
      const existing = this.#store.refundByReference(id, reference);
      if (existing !== null) {
        if (existing.amountMinor !== amountMinor) return { kind: 'conflict' };
        return { kind: 'replayed', refund: existing, payment };
      }
      if (payment.status !== 'succeeded') return { kind: 'not_refundable' };
      if (amountMinor > payment.amountMinor - payment.refundedMinor) {
        return { kind: 'exceeds_refundable' };
      }
      const refund: Refund = {
        id: acquirerId('acr'),
        paymentId: id,
        reference,
        amountMinor,
        createdAtMs: nowMs,
      };
      this.#store.insertRefund(refund);
      const after = this.#store.changePayment(
        id,
        ['succeeded'],
        { status: 'succeeded', refundedMinor: payment.refundedMinor + amountMinor },
        nowMs,
      );
      assert(after !== null, 'refund recorded');
      emit(after, 'payment.refunded', refund);
      return { kind: 'refunded', refund, payment: after };
    });
  }

  /**
   * A transfer arrives at a virtual account. Only the exact amount, before the due date, pays
   * the payment; anything else is refused and kept as an unmatched deposit (a real bank would
   * send it back).
   */
  deposit(input: {
    readonly accountNumber: string;
    readonly amountMinor: bigint;
    readonly fromBank: string;
    readonly fromAccountLast4: string;
  }): DepositResult {
    return this.#write((emit, nowMs) => {
      const depositId = acquirerId('acd');
      const record = (paymentId: string | null, outcome: 'matched' | 'unmatched'): void => {
        this.#store.insertDeposit({
          id: depositId,
          accountNumber: input.accountNumber,
          amountMinor: input.amountMinor,
          paymentId,
          outcome,
          createdAtMs: nowMs,
        });
      };
      const found = this.#store.paymentByAccount(input.accountNumber);
      if (found === null) {
        record(null, 'unmatched');
        return { kind: 'account_not_found', depositId };
      }
      const payment = this.#refresh(found, emit, nowMs);
      if (payment.status !== 'awaiting_deposit') {
        record(payment.id, 'unmatched');
        return { kind: 'not_awaiting_deposit', depositId, status: payment.status };
      }
      if (input.amountMinor !== payment.amountMinor) {
        record(payment.id, 'unmatched');
        return { kind: 'amount_mismatch', depositId };
      }
      const after = this.#store.changePayment(
        payment.id,
        ['awaiting_deposit'],
        {
          status: 'succeeded',
          instrument: { kind: 'bank', bank: input.fromBank, last4: input.fromAccountLast4 },
        },
        nowMs,
      );
      assert(after !== null, 'deposit matched');
      record(payment.id, 'matched');
      emit(after, 'payment.succeeded');
      return { kind: 'matched', depositId, payment: after };
    });
  }
}
