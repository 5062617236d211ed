// Settlement runs over real payments (created, paid, captured and refunded through the
// gateway): lines, fees and payouts, idempotent re-runs, simulate, crashes and re-runs, refunds
// after settlement, carry-forward, commission per service type, and Seoul-time cycles.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransferFlags, journalPage, systemAccountId } from '../../src/ledger/index.ts';
import {
  runSettlement,
  runTransferIds,
  setCommission,
  type RunOutcome,
} from '../../src/settlement/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { snapshot } from '../support/snapshot.ts';
import { kst, openSettlementWorld, type SettlementWorld } from './support.ts';

function only(runs: readonly RunOutcome[]): RunOutcome {
  assert.equal(runs.length, 1, `one run, got ${runs.length}`);
  const [run] = runs;
  assert.ok(run);
  return run;
}

/** The settlement payouts the ledger moved into payout clearing. */
async function payoutsInLedger(w: SettlementWorld): Promise<bigint[]> {
  const entries = await journalPage(w.g.app.db.kysely, {
    accountId: w.clearingId,
    limit: 500,
    codes: ['settlement_payout'],
  });
  return entries.map((e) => e.delta.creditsPosted).reverse();
}

for (const target of DATABASES) {
  describe(`settlement runs on ${target.name}`, { skip: target.skip }, () => {
    test('a daily run: lines, fees, one payout; a second run changes nothing', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 10:00');
        const a = await w.pay(10_000);
        w.at('2026-01-01 23:59');
        const b = await w.pay(5_001);
        w.at('2026-01-02 00:00');
        await w.pay(3_000); // the next day's cycle
        w.at('2026-01-02 10:00');
        const report = await w.run();
        const { run, lines, transfers, how } = only(report.runs);
        assert.equal(how, 'new');
        assert.equal(run.state, 'booked');
        assert.equal(run.id, `stl_${w.associateId}_test_krw_20260101`);
        assert.equal(run.periodStartMs, kst('2026-01-01 00:00'));
        assert.equal(run.periodEndMs, kst('2026-01-02 00:00'));
        assert.deepEqual(
          lines.map((l) => [l.kind, l.paymentId, l.grossMinor, l.feeMinor, l.netMinor]),
          [
            ['capture', a, 10_000n, 250n, 9_750n],
            ['capture', b, 5_001n, 125n, 4_876n],
          ],
        );
        assert.ok(lines.every((l) => l.orderReference.startsWith('order-')));
        assert.deepEqual(
          [run.grossMinor, run.feeMinor, run.netMinor, run.bookedFeeMinor, run.adjustmentMinor],
          [15_001n, 375n, 14_626n, 375n, 0n],
        );
        assert.deepEqual([run.carryInMinor, run.payoutMinor, run.carryOutMinor], [0n, 14_626n, 0n]);
        assert.deepEqual(transfers, [
          {
            id: runTransferIds(run.id).payout,
            debitAccountId: w.merchantId,
            creditAccountId: w.clearingId,
            amountMinor: 14_626n,
            currency: 'KRW',
            code: 'settlement_payout',
            reference: run.id,
          },
        ]);
        // What is left in the payable account is the next day's 3,000 less its 75 commission.
        assert.equal(await w.merchantAvailable(), 2_925n);
        assert.equal(await w.credit(w.clearingId), 14_626n);

        const before = await w.counts();
        const again = await w.run();
        assert.deepEqual(again.runs, []);
        assert.deepEqual(again.problems, []);
        assert.deepEqual(await w.counts(), before);

        w.at('2026-01-03 09:00');
        const next = only((await w.run()).runs);
        assert.equal(next.run.id, `stl_${w.associateId}_test_krw_20260102`);
        assert.equal(next.run.fromSeq, run.toSeq);
        assert.equal(next.run.payoutMinor, 2_925n);
        assert.deepEqual(await payoutsInLedger(w), [14_626n, 2_925n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('simulate shows the run and its transfers and writes nothing', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        await w.pay(20_000);
        await w.pay(7_777);
        w.at('2026-01-02 08:00');
        const before = await snapshot(w.g.app.db);
        const counts = await w.counts();
        const simulated = await runSettlement(w.ctx, {
          cycle: 'daily',
          livemode: false,
          simulate: true,
        });
        assert.ok(simulated.ok);
        assert.equal(simulated.value.simulated, true);
        const shown = only(simulated.value.runs);
        assert.equal(shown.lines.length, 2);
        assert.equal(shown.run.payoutMinor, 27_083n); // 27,777 − 694 (27,777 × 2.5 % = 694.4)
        assert.equal(shown.transfers.length, 1);
        assert.equal(await snapshot(w.g.app.db), before, 'the ledger and cards are untouched');
        assert.deepEqual(await w.counts(), counts, 'no run, line or transfer was stored');

        const real = only((await w.run()).runs);
        assert.deepEqual(real.run.payoutMinor, shown.run.payoutMinor);
        assert.equal(real.run.id, shown.run.id);
        assert.deepEqual(real.transfers, shown.transfers);
        assert.deepEqual(
          real.lines.map((l) => [l.feeMinor, l.netMinor]),
          shown.lines.map((l) => [l.feeMinor, l.netMinor]),
        );
      } finally {
        await w.close();
      }
    });

    test('a crash after the lines are computed: the next run books it, once', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        await w.pay(10_000);
        w.at('2026-01-02 08:00');
        await assert.rejects(
          runSettlement(w.ctx, {
            cycle: 'daily',
            livemode: false,
            faults: {
              afterCompute: () => {
                throw new Error('power cut');
              },
            },
          }),
          /power cut/,
        );
        await w.verify();
        const counts = await w.counts();
        assert.equal(counts.settlement_run, 1);
        assert.equal(await w.merchantAvailable(), 9_750n, 'nothing paid yet');
        assert.deepEqual(await payoutsInLedger(w), []);

        const resumed = only((await w.run()).runs);
        assert.equal(resumed.how, 'resumed');
        assert.equal(resumed.run.state, 'booked');
        assert.equal(resumed.run.payoutMinor, 9_750n);
        assert.deepEqual((await w.run()).runs, []);
        assert.deepEqual(await payoutsInLedger(w), [9_750n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('a crash inside the booking (after the ledger step): rolled back, re-run pays once', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        await w.pay(10_000);
        w.at('2026-01-02 08:00');
        await assert.rejects(
          runSettlement(w.ctx, {
            cycle: 'daily',
            livemode: false,
            faults: {
              afterLedger: () => {
                throw new Error('killed');
              },
            },
          }),
          /killed/,
        );
        await w.verify();
        assert.deepEqual(await payoutsInLedger(w), [], 'the booking rolled back whole');
        const resumed = only((await w.run()).runs);
        assert.equal(resumed.how, 'resumed');
        assert.deepEqual(await payoutsInLedger(w), [9_750n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('transfers already in the ledger (a torn booking): the re-run adopts them, no second payout', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        await w.pay(10_000);
        w.at('2026-01-02 08:00');
        // What an interrupted run had committed to the ledger, without its own row: the very
        // transfers simulate says it would book, with the same derived ids.
        const simulated = await runSettlement(w.ctx, {
          cycle: 'daily',
          livemode: false,
          simulate: true,
        });
        assert.ok(simulated.ok);
        const planned = only(simulated.value.runs).transfers;
        const results = await w.g.app.ledger.submit(
          planned.map((t, i) => ({
            ...t,
            ...(i < planned.length - 1 ? { flags: TransferFlags.linked } : {}),
          })),
          w.g.clock.nowMs(),
        );
        assert.deepEqual(results, ['ok']);
        assert.equal(await w.merchantAvailable(), 0n);

        const completed = only((await w.run()).runs);
        assert.equal(completed.run.state, 'booked');
        assert.equal(
          completed.run.payoutMinor,
          9_750n,
          'the payout already made, not what is left',
        );
        assert.equal(completed.run.carryOutMinor, 0n);
        assert.deepEqual(await payoutsInLedger(w), [9_750n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('two passes at once book each run once', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        await w.pay(10_000);
        w.at('2026-01-02 12:00');
        await w.pay(2_000);
        w.at('2026-01-03 08:00');
        const passes = await Promise.all(
          [1, 2, 3].map(() => runSettlement(w.ctx, { cycle: 'daily', livemode: false })),
        );
        assert.ok(passes.every((p) => p.ok && p.value.problems.length === 0));
        const booked = passes.flatMap((p) => (p.ok ? p.value.runs : [])).map((r) => r.run.id);
        assert.deepEqual([...new Set(booked)].sort(), [
          `stl_${w.associateId}_test_krw_20260101`,
          `stl_${w.associateId}_test_krw_20260102`,
        ]);
        assert.deepEqual(await payoutsInLedger(w), [9_750n, 1_950n]);
        assert.equal(await w.merchantAvailable(), 0n);
        await w.verify();
      } finally {
        await w.close();
      }
    });

    test('a refund after settlement nets against the next cycle', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        const a = await w.pay(10_000);
        w.at('2026-01-02 01:00');
        assert.equal(only((await w.run()).runs).run.payoutMinor, 9_750n);
        // Paid out in full: a refund now has nothing to come from (the gateway refuses it).
        assert.deepEqual(await w.refund(a, 1_000), {
          status: 409,
          code: 'associate_balance_insufficient',
        });
        w.at('2026-01-02 09:00');
        const b = await w.pay(8_000);
        w.at('2026-01-02 10:00');
        assert.deepEqual(await w.refund(a, 4_000), { status: 201 });
        w.at('2026-01-03 01:00');
        const next = only((await w.run()).runs);
        assert.deepEqual(
          next.lines.map((l) => [l.kind, l.paymentId, l.grossMinor, l.feeMinor, l.netMinor]),
          [
            ['capture', b, 8_000n, 200n, 7_800n],
            ['refund', a, -4_000n, -100n, -3_900n],
          ],
        );
        assert.deepEqual([next.run.netMinor, next.run.payoutMinor], [3_900n, 3_900n]);
        assert.deepEqual(await payoutsInLedger(w), [9_750n, 3_900n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('refunds larger than sales: the negative cycle is carried, never paid out twice', async () => {
      const w = await openSettlementWorld(target);
      try {
        w.at('2026-01-01 12:00');
        const a = await w.pay(10_000);
        w.at('2026-01-02 09:00');
        await w.pay(1_000);
        assert.deepEqual(await w.refund(a, 6_000), { status: 201 });
        w.at('2026-01-03 09:00');
        const report = await w.run();
        assert.equal(report.runs.length, 2);
        const [first, second] = report.runs;
        assert.ok(first && second);
        // Day 1 is owed 9,750, but the refund on day 2 already used 4,875 of it.
        assert.deepEqual(
          [first.run.netMinor, first.run.payoutMinor, first.run.carryOutMinor, first.run.state],
          [9_750n, 4_875n, 4_875n, 'booked'],
        );
        // Day 2 alone is negative (975 − 5,850): it nets what day 1 carried; nothing to pay.
        assert.deepEqual(
          [
            second.run.netMinor,
            second.run.carryInMinor,
            second.run.payoutMinor,
            second.run.carryOutMinor,
            second.run.state,
          ],
          [-4_875n, 4_875n, 0n, 0n, 'closed'],
        );
        assert.deepEqual(second.transfers, []);
        // 10,000 + 1,000 − 6,000 sold, 125 commission kept: 4,875 paid in all.
        assert.deepEqual(await payoutsInLedger(w), [4_875n]);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('commission per associate and service type: the difference is booked at settlement', async () => {
      const w = await openSettlementWorld(target);
      try {
        const set = await writeTransaction(w.g.app.db, (tx) =>
          setCommission(w.ctx, tx, {
            associateId: w.associateId,
            serviceType: 'shopping',
            bps: 300n,
          }),
        );
        assert.ok(set.ok);
        assert.equal(set.value.commissions.shopping, 300n);
        const other = await writeTransaction(w.g.app.db, (tx) =>
          setCommission(w.ctx, tx, {
            associateId: w.associateId,
            serviceType: 'groceries',
            bps: 1n,
          }),
        );
        assert.equal(!other.ok && other.error.code, 'parameter_invalid');
        w.at('2026-01-01 12:00');
        await w.pay(10_000); // 250 booked at capture (the associate's own rate)
        await w.pay(333); // 8 booked
        const feeBefore = await w.credit(w.feeId);
        w.at('2026-01-02 08:00');
        const { run, lines, transfers } = only((await w.run()).runs);
        assert.deepEqual(
          lines.map((l) => [l.serviceType, l.commissionBps, l.feeMinor]),
          [
            ['shopping', 300n, 300n],
            ['shopping', 300n, 9n], // 9.99 rounded down; the batch 309.99 rounds to 309
          ],
        );
        assert.deepEqual(
          [run.feeMinor, run.bookedFeeMinor, run.adjustmentMinor],
          [309n, 258n, 51n],
        );
        assert.deepEqual(
          transfers.map((t) => [t.code, t.debitAccountId, t.creditAccountId, t.amountMinor]),
          [
            ['commission_adjustment', w.merchantId, w.feeId, 51n],
            ['settlement_payout', w.merchantId, w.clearingId, 10_024n],
          ],
        );
        assert.equal(
          await w.credit(w.feeId),
          feeBefore + 51n,
          'commission is taken once, in all 309',
        );
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('journal order decides: a late entry joins the next cycle; other movements settle at 0 %', async () => {
      const w = await openSettlementWorld(target);
      try {
        const credit = async (id: string, amount: bigint, code: string, atMs: bigint) => {
          const results = await w.g.app.ledger.submit(
            [
              {
                id,
                debitAccountId: systemAccountId('KRW', 'adjustment'),
                creditAccountId: w.merchantId,
                amountMinor: amount,
                currency: 'KRW',
                code,
                reference: `pay_${id}`,
              },
            ],
            atMs,
          );
          assert.deepEqual(results, ['ok']);
        };
        w.at('2026-01-01 10:00');
        const a = await w.pay(1_000);
        w.at('2026-01-02 00:30');
        await credit('t_next_day', 2_000n, 'capture', w.g.clock.nowMs());
        // Committed after the entry above but stamped before midnight (a slow commit).
        await credit('t_late', 400n, 'capture', kst('2026-01-01 23:59'));
        await credit('t_other', 100n, 'manual_credit', w.g.clock.nowMs());
        w.at('2026-01-02 09:00');
        const first = only((await w.run()).runs);
        assert.deepEqual(
          first.lines.map((l) => l.paymentId),
          [a],
        );
        assert.equal(first.run.payoutMinor, 975n);
        w.at('2026-01-03 09:00');
        const second = only((await w.run()).runs);
        assert.deepEqual(
          second.lines.map((l) => [
            l.kind,
            l.paymentId,
            l.orderReference,
            l.commissionBps,
            l.grossMinor,
            l.feeMinor,
          ]),
          [
            ['capture', 'pay_t_next_day', '', 250n, 2_000n, 50n],
            ['capture', 'pay_t_late', '', 250n, 400n, 10n],
            ['other', 'pay_t_other', '', 0n, 100n, 0n],
          ],
        );
        // Nothing was booked at capture for these, so all 60 of commission is the adjustment.
        assert.deepEqual(
          [second.run.feeMinor, second.run.bookedFeeMinor, second.run.adjustmentMinor],
          [60n, 0n, 60n],
        );
        assert.equal(second.run.payoutMinor, 2_440n);
        assert.equal(await w.merchantAvailable(), 0n);
      } finally {
        await w.close();
      }
    });

    test('weekly cycles end on Monday 00:00 in Seoul', async () => {
      const w = await openSettlementWorld(target, { cycle: 'weekly' });
      try {
        w.at('2026-01-04 23:59'); // Sunday night in Seoul (14:59 UTC)
        const sunday = await w.pay(10_000);
        w.at('2026-01-05 00:00'); // Monday 00:00 in Seoul (Sunday 15:00 UTC)
        const monday = await w.pay(20_000);
        w.at('2026-01-05 10:00');
        const daily = await runSettlement(w.ctx, {
          cycle: 'daily',
          livemode: false,
          associateId: w.associateId,
        });
        assert.equal(!daily.ok && daily.error.code, 'parameter_invalid', 'it settles weekly');
        const early = await runSettlement(w.ctx, {
          cycle: 'weekly',
          livemode: false,
          untilMs: kst('2026-01-12 00:00'),
        });
        assert.equal(!early.ok && early.error.code, 'settlement_cycle_open');
        const first = only((await w.run()).runs);
        assert.equal(first.run.id, `stl_${w.associateId}_test_krw_20260104`);
        assert.deepEqual(
          [first.run.periodStartMs, first.run.periodEndMs],
          [kst('2025-12-29 00:00'), kst('2026-01-05 00:00')],
        );
        assert.deepEqual(
          first.lines.map((l) => l.paymentId),
          [sunday],
        );
        w.at('2026-01-11 23:00');
        assert.deepEqual((await w.run()).runs, [], 'the week has not ended');
        w.at('2026-01-12 00:00');
        const second = only((await w.run()).runs);
        assert.equal(second.run.id, `stl_${w.associateId}_test_krw_20260111`);
        assert.deepEqual(
          second.lines.map((l) => l.paymentId),
          [monday],
        );
        assert.deepEqual(await payoutsInLedger(w), [9_750n, 19_500n]);
      } finally {
        await w.close();
      }
    });
  });
}
