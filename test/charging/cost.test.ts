import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CHARGING_LIMITS,
  assertChargingLimits,
  billedSeconds,
  costOf,
  incrementalCostMinor,
  maxAffordableSeconds,
  type Rate,
} from '../../src/charging/index.ts';
import { rateOf } from './fixtures.ts';

const R60_60 = rateOf('60/60', 50n, 60); // 50 won a minute, whole minutes
const R60_6 = rateOf('60/6', 108n, 60); // 1.8 won a second, first minute whole
const R30_6 = rateOf('30/6', 108n, 60);
const R1_1 = rateOf('1/1', 60n, 60, { connectionFeeMinor: 50n }); // 1 won a second + 50
const R_MIN = rateOf('60/6', 90n, 60, { connectionFeeMinor: 30n, minimumCostMinor: 200n });
const R_DISC = rateOf('60/60', 600n, 60, { connectionFeeMinor: 100n, disconnectFeeMinor: 20n });
const R_SUB = rateOf('1/1', 100n, 60); // 1.67 won a second: below one minor unit per second

describe('billed seconds and cost: every increment pattern, with every fee', () => {
  const cases: [name: string, rate: Rate, seconds: number, billed: number, cost: bigint][] = [
    // 60/60: every started minute is billed whole.
    ['60/60', R60_60, 0, 0, 0n], // unanswered: free
    ['60/60', R60_60, 1, 60, 50n],
    ['60/60', R60_60, 60, 60, 50n],
    ['60/60', R60_60, 61, 120, 100n],
    ['60/60', R60_60, 120, 120, 100n],
    ['60/60', R60_60, 121, 180, 150n],
    // 60/6: the first minute whole, then 6-second steps; ⌈billed × 108 / 60⌉ once per call.
    ['60/6', R60_6, 1, 60, 108n],
    ['60/6', R60_6, 60, 60, 108n],
    ['60/6', R60_6, 61, 66, 119n], // 118.8 → 119
    ['60/6', R60_6, 66, 66, 119n],
    ['60/6', R60_6, 67, 72, 130n], // 129.6 → 130
    ['60/6', R60_6, 95, 96, 173n], // 172.8 → 173
    // 30/6
    ['30/6', R30_6, 1, 30, 54n],
    ['30/6', R30_6, 30, 30, 54n],
    ['30/6', R30_6, 31, 36, 65n], // 64.8 → 65
    ['30/6', R30_6, 95, 96, 173n],
    // 1/1 with a connection fee
    ['1/1 + connection', R1_1, 0, 0, 0n],
    ['1/1 + connection', R1_1, 1, 1, 51n],
    ['1/1 + connection', R1_1, 59, 59, 109n],
    ['1/1 + connection', R1_1, 61, 61, 111n],
    // a minimum cost covers short calls, then the rate takes over
    ['minimum', R_MIN, 1, 60, 200n], // 30 + 90 = 120 → minimum 200
    ['minimum', R_MIN, 90, 90, 200n], // 30 + 135 = 165 → 200
    ['minimum', R_MIN, 120, 120, 210n], // 30 + 180
    // a disconnect fee is added to every answered call, after the minimum
    ['disconnect', R_DISC, 0, 0, 0n],
    ['disconnect', R_DISC, 1, 60, 720n], // 100 + 600 + 20
    ['disconnect', R_DISC, 61, 120, 1_320n],
    // per-second price below one minor unit: exact, rounded up once
    ['sub-unit', R_SUB, 1, 1, 2n], // 1.67 → 2
    ['sub-unit', R_SUB, 6, 6, 10n],
    ['sub-unit', R_SUB, 7, 7, 12n], // 11.67 → 12
    ['sub-unit', R_SUB, 60, 60, 100n],
  ];
  for (const [name, rate, seconds, billed, cost] of cases) {
    test(`${name}: ${seconds} s → billed ${billed} s, ${cost} won`, () => {
      assert.equal(billedSeconds(rate, seconds), billed);
      assert.equal(costOf(rate, seconds), cost);
    });
  }

  test('the incremental cost of a session adds up to the cost of the whole call', () => {
    // 95 s of 60/6 committed as 30 + 30 + 35: 108 + 0 + 65 = 173 = cost(95).
    const steps = [0, 30, 60, 95];
    let total = 0n;
    for (let i = 1; i < steps.length; i += 1) {
      total += incrementalCostMinor(R60_6, steps[i - 1]!, steps[i]!);
    }
    assert.equal(total, costOf(R60_6, 95));
    assert.equal(incrementalCostMinor(R60_6, 30, 60), 0n, 'the first block was paid at once');
    assert.throws(() => incrementalCostMinor(R60_6, 60, 30), /backwards/);
  });

  test('durations must be whole seconds ≥ 0 (a broken caller fails loudly)', () => {
    assert.throws(() => costOf(R60_6, -1), /whole number/);
    assert.throws(() => costOf(R60_6, 1.5), /whole number/);
    assert.throws(() => billedSeconds(R60_6, Number.NaN), /whole number/);
  });
});

describe('maxAffordableSeconds: after the connection fee and the whole first block', () => {
  const cases: [name: string, rate: Rate, balanceMinor: bigint, seconds: number][] = [
    ['60/60', R60_60, 0n, 0],
    ['60/60', R60_60, 49n, 0], // the first minute does not fit
    ['60/60', R60_60, 50n, 60],
    ['60/60', R60_60, 99n, 60],
    ['60/60', R60_60, 100n, 120],
    ['60/6', R60_6, 107n, 0],
    ['60/6', R60_6, 108n, 60],
    ['60/6', R60_6, 118n, 60], // 66 s would cost 119
    ['60/6', R60_6, 119n, 66],
    ['30/6', R30_6, 53n, 0],
    ['30/6', R30_6, 54n, 30],
    ['30/6', R30_6, 65n, 36],
    ['1/1 + connection', R1_1, 50n, 0], // A2Billing #22: the connection fee alone is not a call
    ['1/1 + connection', R1_1, 51n, 1],
    ['1/1 + connection', R1_1, 1_000n, 950],
    ['minimum', R_MIN, 199n, 0],
    ['minimum', R_MIN, 200n, 108], // 30 + ⌈b·1.5⌉ ≤ 200 → b ≤ 113 → 60 + 8×6
    ['disconnect', R_DISC, 719n, 0],
    ['disconnect', R_DISC, 720n, 60],
    ['disconnect', R_DISC, 1_319n, 60],
    ['disconnect', R_DISC, 1_320n, 120],
    ['negative balance', R60_6, -5n, 0],
    ['a day at most', R1_1, 10_000_000n, CHARGING_LIMITS.billableSecondsMax],
    ['free rate', rateOf('60/6', 0n, 60), 1n, CHARGING_LIMITS.billableSecondsMax],
    ['free rate, no balance', rateOf('60/6', 0n, 60), 0n, 0],
    ['free rate with a connection fee', rateOf('1/1', 0n, 60, { connectionFeeMinor: 10n }), 9n, 0],
  ];
  for (const [name, rate, balanceMinor, seconds] of cases) {
    test(`${name}: ${balanceMinor} won → ${seconds} s`, () => {
      assert.equal(maxAffordableSeconds(rate, balanceMinor), seconds);
    });
  }

  const arbRate = fc
    .record({
      first: fc.integer({ min: 1, max: 120 }),
      increment: fc.integer({ min: 1, max: 60 }),
      priceMinor: fc.bigInt({ min: 10n, max: 500n }),
      unitSeconds: fc.constantFrom(1, 6, 10, 60),
      connectionFeeMinor: fc.bigInt({ min: 0n, max: 100n }),
      minimumCostMinor: fc.bigInt({ min: 0n, max: 300n }),
      disconnectFeeMinor: fc.bigInt({ min: 0n, max: 50n }),
    })
    .map((r): Rate => ({
      id: 'RT_PROP',
      connectionFeeMinor: r.connectionFeeMinor,
      firstBlockSeconds: r.first,
      incrementSeconds: r.increment,
      priceMinor: r.priceMinor,
      unitSeconds: r.unitSeconds,
      minimumCostMinor: r.minimumCostMinor,
      disconnectFeeMinor: r.disconnectFeeMinor,
    }));

  test('equals a brute force over every duration (fast-check)', () => {
    fc.assert(
      fc.property(arbRate, fc.bigInt({ min: 0n, max: 1_000n }), (rate, balanceMinor) => {
        // No duration past this can fit: usage alone would exceed the balance.
        const bound =
          Number((balanceMinor * BigInt(rate.unitSeconds)) / rate.priceMinor) +
          rate.firstBlockSeconds +
          rate.incrementSeconds;
        let best = 0;
        for (let d = 1; d <= bound; d += 1) {
          if (costOf(rate, d) <= balanceMinor) best = Math.max(best, billedSeconds(rate, d));
        }
        const got = maxAffordableSeconds(rate, balanceMinor);
        assert.equal(got, best);
        assert.ok(costOf(rate, got) <= balanceMinor);
        // Aligned: 0, or the first block plus whole increments.
        assert.ok(
          got === 0 ||
            (got >= rate.firstBlockSeconds &&
              (got - rate.firstBlockSeconds) % rate.incrementSeconds === 0),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('cost never decreases with the duration (fast-check)', () => {
    fc.assert(
      fc.property(arbRate, fc.integer({ min: 0, max: 5_000 }), (rate, d) => {
        assert.ok(costOf(rate, d) <= costOf(rate, d + 1));
        assert.ok(billedSeconds(rate, d) >= d);
      }),
    );
  });

  test('the charging limits agree with each other', () => {
    assertChargingLimits();
  });
});
