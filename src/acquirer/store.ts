import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { assert, isCurrency } from '../kernel/index.ts';
import type {
  EventType,
  Instrument,
  Payment,
  PaymentMethod,
  PaymentStatus,
  Refund,
} from './payment.ts';
import type { CardBrand, DeclineCode } from './test-cards.ts';

/**
 * The acquirer's own small database: one SQLite file through better-sqlite3, so payments
 * survive a restart of the acquirer and of our server. Every statement is synchronous, so a
 * read-check-write inside `transaction` cannot interleave with another request.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS acq_payments (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  request_hash TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('card', 'bank')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  description TEXT NOT NULL,
  return_url TEXT,
  notify_url TEXT,
  status TEXT NOT NULL,
  decline_code TEXT,
  instrument_kind TEXT,
  instrument_name TEXT,
  instrument_last4 TEXT,
  account_number TEXT UNIQUE,
  due_at_ms INTEGER,
  decide_at_ms INTEGER,
  refunded_amount INTEGER NOT NULL DEFAULT 0
    CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS acq_refunds (
  id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES acq_payments (id),
  reference TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  created_at_ms INTEGER NOT NULL,
  UNIQUE (payment_id, reference)
);
CREATE TABLE IF NOT EXISTS acq_deposits (
  id TEXT PRIMARY KEY,
  account_number TEXT NOT NULL,
  amount INTEGER NOT NULL,
  payment_id TEXT REFERENCES acq_payments (id),
  outcome TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS acq_events (
  id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES acq_payments (id),
  type TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER,
  delivered_at_ms INTEGER,
  created_at_ms INTEGER NOT NULL
);
`;

const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'requires_action',
  'awaiting_deposit',
  'processing',
  'succeeded',
  'declined',
  'canceled',
  'expired',
];
const DECLINE_CODES: readonly DeclineCode[] = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
];
const CARD_BRANDS: readonly CardBrand[] = ['visa', 'mastercard', 'amex', 'unknown'];

interface PaymentRow {
  id: string;
  reference: string;
  request_hash: string;
  method: string;
  amount: bigint;
  currency: string;
  description: string;
  return_url: string | null;
  notify_url: string | null;
  status: string;
  decline_code: string | null;
  instrument_kind: string | null;
  instrument_name: string | null;
  instrument_last4: string | null;
  account_number: string | null;
  due_at_ms: bigint | null;
  decide_at_ms: bigint | null;
  refunded_amount: bigint;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

interface RefundRow {
  id: string;
  payment_id: string;
  reference: string;
  amount: bigint;
  created_at_ms: bigint;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], what: string): T {
  assert(value !== null && (allowed as readonly string[]).includes(value), `stored ${what}`);
  return value as T;
}

function instrumentOf(row: PaymentRow): Instrument | null {
  if (row.instrument_kind === null) return null;
  assert(row.instrument_name !== null && row.instrument_last4 !== null, 'stored instrument');
  if (row.instrument_kind === 'card') {
    return {
      kind: 'card',
      brand: oneOf(row.instrument_name, CARD_BRANDS, 'card brand'),
      last4: row.instrument_last4,
    };
  }
  assert(row.instrument_kind === 'bank', 'stored instrument kind');
  return { kind: 'bank', bank: row.instrument_name, last4: row.instrument_last4 };
}

function paymentOf(row: PaymentRow): Payment {
  assert(isCurrency(row.currency), 'stored currency');
  assert(row.refunded_amount <= row.amount, 'refunds never pass the amount paid');
  return {
    id: row.id,
    reference: row.reference,
    requestHash: row.request_hash,
    method: oneOf<PaymentMethod>(row.method, ['card', 'bank'], 'method'),
    amountMinor: row.amount,
    currency: row.currency,
    description: row.description,
    returnUrl: row.return_url,
    notifyUrl: row.notify_url,
    status: oneOf(row.status, PAYMENT_STATUSES, 'status'),
    declineCode: row.decline_code === null ? null : oneOf(row.decline_code, DECLINE_CODES, 'code'),
    instrument: instrumentOf(row),
    accountNumber: row.account_number,
    dueAtMs: row.due_at_ms,
    decideAtMs: row.decide_at_ms,
    refundedMinor: row.refunded_amount,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

function refundOf(row: RefundRow): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    reference: row.reference,
    amountMinor: row.amount,
    createdAtMs: row.created_at_ms,
  };
}

/** What a status change writes besides the status. */
export interface PaymentChange {
  readonly status: PaymentStatus;
  readonly declineCode?: DeclineCode | null;
  readonly instrument?: Instrument | null;
  readonly decideAtMs?: bigint | null;
  readonly refundedMinor?: bigint;
}

export class AcquirerStore {
  readonly #db: BetterSqlite3.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.#db = new BetterSqlite3(file);
    this.#db.defaultSafeIntegers(true);
    if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
    // The acquirer's "yes" must still be true after a crash: every commit reaches the disk.
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `work` in one write transaction (BEGIN IMMEDIATE). */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  paymentById(id: string): Payment | null {
    const row = this.#db.prepare('SELECT * FROM acq_payments WHERE id = ?').get(id) as
      PaymentRow | undefined;
    return row === undefined ? null : paymentOf(row);
  }

  paymentByReference(reference: string): Payment | null {
    const row = this.#db
      .prepare('SELECT * FROM acq_payments WHERE reference = ?')
      .get(reference) as PaymentRow | undefined;
    return row === undefined ? null : paymentOf(row);
  }

  paymentByAccount(accountNumber: string): Payment | null {
    const row = this.#db
      .prepare('SELECT * FROM acq_payments WHERE account_number = ?')
      .get(accountNumber) as PaymentRow | undefined;
    return row === undefined ? null : paymentOf(row);
  }

  accountNumberTaken(accountNumber: string): boolean {
    return (
      this.#db.prepare('SELECT 1 FROM acq_payments WHERE account_number = ?').get(accountNumber) !==
      undefined
    );
  }

  insertPayment(payment: Payment): void {
    assert(payment.instrument === null && payment.refundedMinor === 0n, 'a new payment is unpaid');
    this.#db
      .prepare(
        `INSERT INTO acq_payments (id, reference, request_hash, method, amount, currency,
           description, return_url, notify_url, status, account_number, due_at_ms,
           created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        payment.id,
        payment.reference,
        payment.requestHash,
        payment.method,
        payment.amountMinor,
        payment.currency,
        payment.description,
        payment.returnUrl,
        payment.notifyUrl,
        payment.status,
        payment.accountNumber,
        payment.dueAtMs,
        payment.createdAtMs,
        payment.updatedAtMs,
      );
  }

  /**
   * Moves a payment from `from` to a new status. Returns the payment as stored afterwards, or
   * null when it was no longer in `from` (another request decided it first).
   */
  changePayment(
    id: string,
    from: readonly PaymentStatus[],
    change: PaymentChange,
    nowMs: bigint,
  ): Payment | null {
    const before = this.paymentById(id);
    if (before === null || !from.includes(before.status)) return null;
    const instrument = change.instrument === undefined ? before.instrument : change.instrument;
    const refundedMinor = change.refundedMinor ?? before.refundedMinor;
    assert(refundedMinor >= before.refundedMinor, 'refunds only grow');
    assert(refundedMinor <= before.amountMinor, 'never refund more than was paid');
    const result = this.#db
      .prepare(
        `UPDATE acq_payments
            SET status = ?, decline_code = ?, instrument_kind = ?, instrument_name = ?,
                instrument_last4 = ?, decide_at_ms = ?, refunded_amount = ?, updated_at_ms = ?
          WHERE id = ? AND status = ?`,
      )
      .run(
        change.status,
        change.declineCode === undefined ? before.declineCode : change.declineCode,
        instrument?.kind ?? null,
        instrument === null
          ? null
          : instrument.kind === 'card'
            ? instrument.brand
            : instrument.bank,
        instrument?.last4 ?? null,
        change.decideAtMs === undefined ? before.decideAtMs : change.decideAtMs,
        refundedMinor,
        nowMs,
        id,
        before.status,
      );
    assert(result.changes === 1, 'the payment row changed under a write transaction');
    const after = this.paymentById(id);
    assert(after !== null && after.status === change.status, 'status written');
    assert(after.refundedMinor === refundedMinor, 'refunded amount written');
    return after;
  }

  refundByReference(paymentId: string, reference: string): Refund | null {
    const row = this.#db
      .prepare('SELECT * FROM acq_refunds WHERE payment_id = ? AND reference = ?')
      .get(paymentId, reference) as RefundRow | undefined;
    return row === undefined ? null : refundOf(row);
  }

  insertRefund(refund: Refund): void {
    this.#db
      .prepare(
        `INSERT INTO acq_refunds (id, payment_id, reference, amount, created_at_ms)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(refund.id, refund.paymentId, refund.reference, refund.amountMinor, refund.createdAtMs);
  }

  insertDeposit(deposit: {
    readonly id: string;
    readonly accountNumber: string;
    readonly amountMinor: bigint;
    readonly paymentId: string | null;
    readonly outcome: 'matched' | 'unmatched';
    readonly createdAtMs: bigint;
  }): void {
    this.#db
      .prepare(
        `INSERT INTO acq_deposits (id, account_number, amount, payment_id, outcome, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deposit.id,
        deposit.accountNumber,
        deposit.amountMinor,
        deposit.paymentId,
        deposit.outcome,
        deposit.createdAtMs,
      );
  }

  insertEvent(event: {
    readonly id: string;
    readonly paymentId: string;
    readonly type: EventType;
    readonly url: string;
    readonly body: string;
    readonly createdAtMs: bigint;
  }): void {
    this.#db
      .prepare(
        `INSERT INTO acq_events (id, payment_id, type, url, body, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(event.id, event.paymentId, event.type, event.url, event.body, event.createdAtMs);
  }

  recordAttempt(eventId: string, status: number | null, deliveredAtMs: bigint | null): void {
    this.#db
      .prepare(
        `UPDATE acq_events SET attempts = attempts + 1, last_status = ?,
           delivered_at_ms = COALESCE(delivered_at_ms, ?) WHERE id = ?`,
      )
      .run(status, deliveredAtMs, eventId);
  }
}
