import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { availableBalance, systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { authorizeWithCard, merchantAccountId } from '../../src/payments/index.ts';
import {
  runSettlement,
  setProfile,
  type RunOptions,
  type RunReport,
  type SettlementContext,
} from '../../src/settlement/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import type { TestDatabase } from '../support/databases.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';

/** An instant given as Seoul local time, `2026-01-05 09:30`. */
export function kst(local: string): bigint {
  return BigInt(Date.parse(`${local.replace(' ', 'T')}:00+09:00`));
}

export interface SettlementWorld {
  readonly g: TestGateway;
  readonly ctx: SettlementContext;
  readonly associateId: string;
  readonly merchantId: string;
  /** Sets the clock (forward only) to a Seoul local time. */
  at(local: string): void;
  /** Creates a payment and pays it with a fresh card (captured at once); returns its id. */
  pay(amount: number): Promise<string>;
  refund(paymentId: string, amount: number): Promise<{ status: number; code?: string }>;
  /** A real (non-simulated) test-mode run; fails the test on a refused run. */
  run(options?: Partial<RunOptions>): Promise<RunReport>;
  merchantAvailable(): Promise<bigint>;
  /** Posted credits − debits of an account (for system accounts such as payout clearing). */
  credit(accountId: string): Promise<bigint>;
  clearingId: string;
  feeId: string;
  /** Ledger verify must pass. */
  verify(): Promise<void>;
  /** Rows in each settlement table. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

let orders = 0;

const show = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export async function openSettlementWorld(
  target: TestDatabase,
  options: { readonly commissionBps?: bigint; readonly cycle?: 'daily' | 'weekly' } = {},
): Promise<SettlementWorld> {
  const g = await openTestGateway(target, { commissionBps: options.commissionBps ?? 250n });
  const { app } = g;
  const ctx: SettlementContext = {
    db: app.db,
    ledger: app.ledger,
    clock: app.clock,
    payments: app.payments,
  };
  const associateId = g.associateId;
  const profile = await writeTransaction(app.db, (tx) =>
    setProfile(ctx, tx, associateId, { cycle: options.cycle ?? 'daily' }),
  );
  assert.ok(profile.ok);
  const merchantId = merchantAccountId(associateId, false, 'KRW');
  const world: SettlementWorld = {
    g,
    ctx,
    associateId,
    merchantId,
    clearingId: systemAccountId('KRW', 'payout_clearing'),
    feeId: systemAccountId('KRW', 'fee_revenue'),
    at(local) {
      const ms = kst(local);
      assert.ok(ms >= g.clock.nowMs(), `the clock only moves forward (${local})`);
      g.clock.set(ms);
    },
    async pay(amount) {
      const created = await g.call('POST', '/api/v1/payments', {
        body: {
          amount,
          currency: 'KRW',
          order_reference: `order-${++orders}`,
          capture_mode: 'auto',
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = String(created.body.id);
      const card = await g.card({ denomination: 'den_krw_100000' });
      const paid = await authorizeWithCard(app.payments, {
        paymentId: id,
        pin: card.pin,
        password: card.password,
      });
      assert.ok(paid.ok, show(paid));
      assert.equal(paid.value.payment.status, 'succeeded');
      return id;
    },
    async refund(paymentId, amount) {
      const r = await g.call('POST', '/api/v1/refunds', { body: { payment: paymentId, amount } });
      return { status: r.status, ...(r.body.error ? { code: r.body.error.code } : {}) };
    },
    async run(o = {}) {
      const report = await runSettlement(ctx, {
        cycle: options.cycle ?? 'daily',
        livemode: false,
        associateId,
        ...o,
      });
      assert.ok(report.ok, show(!report.ok && report.error));
      await world.verify();
      return report.value;
    },
    async merchantAvailable() {
      const account = await app.ledger.getAccount(app.db.kysely, merchantId);
      assert.ok(account);
      return availableBalance(account);
    },
    async credit(accountId) {
      const account = await app.ledger.getAccount(app.db.kysely, accountId);
      return account === undefined ? 0n : account.creditsPosted - account.debitsPosted;
    },
    async verify() {
      const report = await verifyLedger(app.db);
      assert.equal(report.ok, true, report.problems.join('\n'));
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const table of [
        'settlement_run',
        'settlement_line',
        'settlement_payout_batch',
        'ledger_transfer',
      ]) {
        const r = await sql<{
          n: number | string | bigint;
        }>`select count(*) as n from ${sql.table(table)}`.execute(app.db.kysely);
        out[table] = Number(r.rows[0]?.n ?? -1);
      }
      return out;
    },
    async close() {
      await g.server.close();
      await g.dispose();
    },
  };
  return world;
}
