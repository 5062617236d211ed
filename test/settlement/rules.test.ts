// Pure settlement rules: fee allocation (table + fast-check properties), cycle boundaries in
// Seoul time, what a run books, CSV fields.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BPS_PER_UNIT,
  SEOUL_OFFSET_MS,
  allocateFees,
  bookingPlan,
  csvDocument,
  csvField,
  cycleEndOf,
  floorDiv,
  isCycleBoundary,
  lastBoundaryAtOrBefore,
  latinOnly,
  localDate,
  localDateTime,
  localMidnight,
  localWeekday,
  maskAccount,
} from '../../src/settlement/index.ts';

const at = (iso: string): bigint => BigInt(Date.parse(iso));
const DAY = 86_400_000n;

describe('fee allocation (largest remainder)', () => {
  test('the worked example of docs/settlement.md', () => {
    const batch = allocateFees([
      { grossMinor: 1_999n, bps: 250n },
      { grossMinor: 2_001n, bps: 250n },
      { grossMinor: 999n, bps: 250n },
      { grossMinor: -1_000n, bps: 250n },
    ]);
    assert.deepEqual(
      batch.lines.map((l) => [l.feeMinor, l.netMinor]),
      [
        [50n, 1_949n],
        [50n, 1_951n],
        [24n, 975n],
        [-25n, -975n],
      ],
    );
    assert.equal(batch.grossMinor, 3_999n);
    assert.equal(batch.feeMinor, 99n);
    assert.equal(batch.netMinor, 3_900n);
  });

  test('table: rounding down once per batch, ties to the earlier line, refunds and mixed rates', () => {
    const cases: [string, [bigint, bigint][], bigint[], bigint][] = [
      ['one capture', [[10_000n, 250n]], [250n], 250n],
      ['under one won', [[39n, 250n]], [0n], 0n],
      [
        'three equal remainders, one unit to give',
        [
          [14n, 2_500n],
          [14n, 2_500n],
          [14n, 2_500n],
        ],
        [4n, 3n, 3n],
        10n,
      ],
      ['zero rate', [[5_000n, 0n]], [0n], 0n],
      ['whole amount', [[7n, 10_000n]], [7n], 7n],
      ['refund only: gives back the larger amount', [[-999n, 250n]], [-25n], -25n],
      [
        'capture and full refund net to zero',
        [
          [10_000n, 300n],
          [-10_000n, 300n],
        ],
        [300n, -300n],
        0n,
      ],
      [
        'mixed rates',
        [
          [1_001n, 250n],
          [1_001n, 300n],
        ],
        [25n, 30n],
        55n,
      ],
      [
        'mixed rates: the larger remainder wins over the earlier line',
        [
          [1_030n, 250n],
          [1_030n, 300n],
        ],
        [25n, 31n],
        56n,
      ],
      ['empty', [], [], 0n],
    ];
    for (const [name, lines, fees, total] of cases) {
      const batch = allocateFees(lines.map(([grossMinor, bps]) => ({ grossMinor, bps })));
      assert.deepEqual(
        batch.lines.map((l) => l.feeMinor),
        fees,
        name,
      );
      assert.equal(batch.feeMinor, total, name);
    }
  });

  test('refuses a rate outside 0 … 10,000 bps', () => {
    assert.throws(() => allocateFees([{ grossMinor: 1n, bps: 10_001n }]));
    assert.throws(() => allocateFees([{ grossMinor: 1n, bps: -1n }]));
  });

  test('property: fee + net = gross on every line and the batch, to the won (fast-check)', () => {
    const line = fc.record({
      grossMinor: fc.bigInt({ min: -1_000_000_000n, max: 1_000_000_000n }),
      bps: fc.bigInt({ min: 0n, max: 10_000n }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 0, maxLength: 300 }), (inputs) => {
        const batch = allocateFees(inputs);
        assert.equal(batch.lines.length, inputs.length);
        let gross = 0n;
        let fee = 0n;
        let net = 0n;
        let numerator = 0n;
        const bumped: bigint[] = [];
        const kept: bigint[] = [];
        batch.lines.forEach((l, i) => {
          const input = inputs[i];
          assert.ok(input !== undefined);
          assert.equal(l.grossMinor, input.grossMinor);
          assert.equal(l.feeMinor + l.netMinor, l.grossMinor, 'fee + net = gross (line)');
          const exact = input.grossMinor * input.bps;
          const low = floorDiv(exact, BPS_PER_UNIT);
          const remainder = exact - low * BPS_PER_UNIT;
          assert.ok(
            l.feeMinor === low || l.feeMinor === low + 1n,
            'line fee is its exact fee rounded',
          );
          if (remainder === 0n) assert.equal(l.feeMinor, low, 'an exact fee is never moved');
          (l.feeMinor === low ? kept : bumped).push(remainder);
          gross += l.grossMinor;
          fee += l.feeMinor;
          net += l.netMinor;
          numerator += exact;
        });
        assert.equal(batch.grossMinor, gross);
        assert.equal(batch.feeMinor, fee, 'the lines add up to the batch fee');
        assert.equal(batch.netMinor, net);
        assert.equal(
          batch.feeMinor + batch.netMinor,
          batch.grossMinor,
          'fee + net = gross (batch)',
        );
        assert.equal(batch.feeMinor, floorDiv(numerator, BPS_PER_UNIT), 'rounded down once');
        // Largest remainder: no line left out had a larger remainder than one that got a unit.
        if (bumped.length > 0 && kept.length > 0) {
          const minBumped = bumped.reduce((a, b) => (a < b ? a : b));
          const maxKept = kept.reduce((a, b) => (a > b ? a : b));
          assert.ok(minBumped >= maxKept);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('property: random batch sizes at one rate, the batch fee is floor(total × rate)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000n }),
        fc.array(fc.bigInt({ min: 1n, max: 2_000_000n }), { minLength: 1, maxLength: 1_000 }),
        (bps, amounts) => {
          const batch = allocateFees(amounts.map((grossMinor) => ({ grossMinor, bps })));
          const total = amounts.reduce((a, b) => a + b, 0n);
          assert.equal(batch.grossMinor, total);
          assert.equal(batch.feeMinor, (total * bps) / 10_000n);
          assert.equal(
            batch.lines.reduce((s, l) => s + l.feeMinor + l.netMinor, 0n),
            total,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('cycles in Asia/Seoul', () => {
  test('daily cycles end at local midnight (15:00 UTC), not at UTC midnight', () => {
    assert.equal(cycleEndOf('daily', at('2026-01-01T14:59:59.999Z')), at('2026-01-01T15:00:00Z'));
    assert.equal(cycleEndOf('daily', at('2026-01-01T15:00:00Z')), at('2026-01-02T15:00:00Z'));
    assert.equal(cycleEndOf('daily', at('2026-01-02T00:00:00Z')), at('2026-01-02T15:00:00Z'));
    assert.equal(cycleEndOf('daily', at('2025-12-31T15:00:00Z')), at('2026-01-01T15:00:00Z'));
  });

  test('weekly cycles end on Monday 00:00 local (Sunday 15:00 UTC)', () => {
    // 2026-01-05 is a Monday.
    assert.equal(cycleEndOf('weekly', at('2026-01-04T14:59:59.999Z')), at('2026-01-04T15:00:00Z'));
    assert.equal(cycleEndOf('weekly', at('2026-01-04T15:00:00Z')), at('2026-01-11T15:00:00Z'));
    // Sunday 20:00 UTC is already Monday 05:00 in Seoul: next week's cycle.
    assert.equal(cycleEndOf('weekly', at('2026-01-04T20:00:00Z')), at('2026-01-11T15:00:00Z'));
    // Across the new year: Thursday 2026-01-01 00:00 KST belongs to the week ending 2026-01-05.
    assert.equal(cycleEndOf('weekly', at('2025-12-31T15:00:00Z')), at('2026-01-04T15:00:00Z'));
    assert.equal(localWeekday(at('2026-01-04T15:00:00Z')), 0);
    assert.equal(localWeekday(at('2026-01-04T14:59:59Z')), 6);
    assert.equal(isCycleBoundary('weekly', at('2026-01-04T15:00:00Z')), true);
    assert.equal(isCycleBoundary('weekly', at('2026-01-05T15:00:00Z')), false);
    assert.equal(isCycleBoundary('daily', at('2026-01-05T15:00:00Z')), true);
    assert.equal(
      lastBoundaryAtOrBefore('weekly', at('2026-01-07T03:00:00Z')),
      at('2026-01-04T15:00:00Z'),
    );
    assert.equal(
      lastBoundaryAtOrBefore('weekly', at('2026-01-04T15:00:00Z')),
      at('2026-01-04T15:00:00Z'),
    );
  });

  test('property: every instant lies in exactly one cycle, ending at a local boundary', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 4_102_444_800_000n }), (t) => {
        const daily = cycleEndOf('daily', t);
        assert.ok(t < daily && daily <= t + DAY);
        assert.equal((daily + SEOUL_OFFSET_MS) % DAY, 0n);
        const weekly = cycleEndOf('weekly', t);
        assert.ok(t < weekly && weekly <= t + 7n * DAY);
        assert.equal(localWeekday(weekly), 0);
        assert.equal((weekly + SEOUL_OFFSET_MS) % DAY, 0n);
        assert.equal(cycleEndOf('weekly', weekly - 1n), weekly);
      }),
      { numRuns: 1_000 },
    );
  });

  test('local dates', () => {
    assert.equal(localMidnight('2026-01-05'), at('2026-01-04T15:00:00Z'));
    assert.equal(localMidnight('2026-02-30'), null);
    assert.equal(localMidnight('2026-1-5'), null);
    assert.equal(localDate(at('2026-01-04T15:00:00Z')), '2026-01-05');
    assert.equal(localDate(at('2026-01-04T14:59:59Z')), '2026-01-04');
    assert.equal(localDateTime(at('2026-01-04T14:59:00Z')), '2026-01-04 23:59');
  });
});

describe('what a run books', () => {
  test('table', () => {
    const cases: [string, Parameters<typeof bookingPlan>[0], [bigint, bigint] | null][] = [
      [
        'pays the net',
        { netMinor: 9_750n, adjustmentMinor: 0n, carryInMinor: 0n, availableMinor: 9_750n },
        [9_750n, 0n],
      ],
      [
        'adds what was carried',
        { netMinor: 1_000n, adjustmentMinor: 0n, carryInMinor: 500n, availableMinor: 5_000n },
        [1_500n, 0n],
      ],
      [
        'refunds after the cycle used part of it: carried',
        { netMinor: 9_750n, adjustmentMinor: 0n, carryInMinor: 0n, availableMinor: 4_875n },
        [4_875n, 4_875n],
      ],
      [
        'negative net nets what was carried',
        { netMinor: -4_875n, adjustmentMinor: 0n, carryInMinor: 4_875n, availableMinor: 0n },
        [0n, 0n],
      ],
      [
        'negative net is carried, no payout',
        { netMinor: -500n, adjustmentMinor: 0n, carryInMinor: 0n, availableMinor: 1_000n },
        [0n, -500n],
      ],
      [
        'negative carry reduces the next payout',
        { netMinor: 1_000n, adjustmentMinor: 0n, carryInMinor: -400n, availableMinor: 2_000n },
        [600n, 0n],
      ],
      [
        'the adjustment comes off the balance first',
        { netMinor: 100n, adjustmentMinor: 5n, carryInMinor: 0n, availableMinor: 103n },
        [98n, 2n],
      ],
      [
        'an adjustment larger than the balance is refused',
        { netMinor: 0n, adjustmentMinor: 3n, carryInMinor: 0n, availableMinor: 2n },
        null,
      ],
    ];
    for (const [name, input, expected] of cases) {
      const plan = bookingPlan(input);
      if (expected === null) {
        assert.equal(plan.ok, false, name);
        continue;
      }
      assert.ok(plan.ok, name);
      assert.deepEqual([plan.payoutMinor, plan.carryOutMinor], expected, name);
      assert.equal(
        plan.payoutMinor + plan.carryOutMinor,
        input.netMinor + input.carryInMinor,
        name,
      );
    }
  });
});

describe('CSV', () => {
  test('RFC 4180 quoting, CRLF, and no spreadsheet formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('12,345 KRW'), '"12,345 KRW"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('-975'), '-975');
    assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvDocument(['a', 'b'], [['1', 'x,y']]), 'a,b\r\n1,"x,y"\r\n');
  });

  test('account numbers are masked to their last four digits; PDF text is Latin-1', () => {
    assert.equal(maskAccount('123-456-789012'), '****9012');
    assert.equal(maskAccount('123'), '****');
    assert.equal(latinOnly('Shop 상점 café'), 'Shop ?? café');
  });
});
