import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { costOf, grantSeconds, incrementalCostMinor, type Rate } from '../../src/charging/index.ts';
import { rateOf } from './fixtures.ts';

const CAP = 600;

describe('grantSeconds', () => {
  test('initial grant: min(requested, affordable, cap), reserving the first block and fees', () => {
    const rate = rateOf('1/1', 60n, 60, { connectionFeeMinor: 50n });
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 100n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 0,
      }),
      { grantedSeconds: 30, reserveMinor: 80n, finalUnit: false },
    );
    // Affordable 50 s < requested 300: the grant is the last one.
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 100n,
        requestedSeconds: 300,
        capSeconds: CAP,
        alreadyCommittedSeconds: 0,
      }),
      { grantedSeconds: 50, reserveMinor: 100n, finalUnit: true },
    );
    // The cap limits, the balance does not.
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 100_000n,
        requestedSeconds: 3_600,
        capSeconds: CAP,
        alreadyCommittedSeconds: 0,
      }),
      { grantedSeconds: 600, reserveMinor: 650n, finalUnit: false },
    );
    // The connection fee alone fits but not one second more: no credit (4012).
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 50n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 0,
      }),
      { grantedSeconds: 0, reserveMinor: 0n, finalUnit: true },
    );
  });

  test('later grants cost only their increments: no second connection fee', () => {
    const rate = rateOf('1/1', 60n, 60, { connectionFeeMinor: 50n });
    // 30 s used and committed (80 won): 20 won left buys exactly 20 more seconds.
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 20n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 30,
      }),
      { grantedSeconds: 20, reserveMinor: 20n, finalUnit: true },
    );
  });

  test('the paid remainder of a block is granted for nothing', () => {
    const rate = rateOf('60/60', 60n, 60);
    const first = grantSeconds({
      rate,
      balanceMinor: 100n,
      requestedSeconds: 30,
      capSeconds: CAP,
      alreadyCommittedSeconds: 0,
    });
    assert.deepEqual(first, { grantedSeconds: 30, reserveMinor: 60n, finalUnit: false });
    // 30 s used: the whole first minute (60 won) is committed, 40 won remain; a second minute
    // would cost 60, so only the rest of the first minute can be granted, for free, and last.
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 40n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 30,
      }),
      { grantedSeconds: 30, reserveMinor: 0n, finalUnit: true },
    );
  });

  test('a zero grant with final unit on an update when nothing is left', () => {
    const rate = rateOf('60/6', 108n, 60);
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: 5n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 66,
      }),
      { grantedSeconds: 0, reserveMinor: 0n, finalUnit: true },
    );
    // After an overrun (used more than granted) the balance may be negative: still nothing.
    assert.deepEqual(
      grantSeconds({
        rate,
        balanceMinor: -11n,
        requestedSeconds: 30,
        capSeconds: CAP,
        alreadyCommittedSeconds: 66,
      }),
      { grantedSeconds: 0, reserveMinor: 0n, finalUnit: true },
    );
  });

  test('no requested units: nothing granted', () => {
    const rate = rateOf('1/1', 1n, 1);
    const g = grantSeconds({
      rate,
      balanceMinor: 100n,
      requestedSeconds: 0,
      capSeconds: CAP,
      alreadyCommittedSeconds: 10,
    });
    assert.equal(g.grantedSeconds, 0);
    assert.equal(g.reserveMinor, 0n);
  });

  test('the worked example: credit 75 s, two calls share one balance (Kamailio ims_charging)', () => {
    const rate = rateOf('1/1', 1n, 1); // one won a second: 75 won is 75 s
    let balanceMinor = 75n;
    const reserved = new Map<string, bigint>();
    const committed = new Map<string, number>();
    const available = (except: string): bigint => {
      let held = 0n;
      for (const [call, amount] of reserved) if (call !== except) held += amount;
      return balanceMinor - held;
    };
    const step = (call: string, usedSeconds: number, requestedSeconds: number) => {
      const before = committed.get(call) ?? 0;
      balanceMinor -= incrementalCostMinor(rate, before, before + usedSeconds);
      committed.set(call, before + usedSeconds);
      reserved.delete(call);
      const grant = grantSeconds({
        rate,
        balanceMinor: available(call),
        requestedSeconds,
        capSeconds: CAP,
        alreadyCommittedSeconds: before + usedSeconds,
      });
      reserved.set(call, grant.reserveMinor);
      return grant;
    };

    assert.deepEqual(step('call1', 0, 30), {
      grantedSeconds: 30,
      reserveMinor: 30n,
      finalUnit: false,
    });
    assert.deepEqual(step('call1', 30, 30), {
      grantedSeconds: 30,
      reserveMinor: 30n,
      finalUnit: false,
    });
    assert.equal(balanceMinor, 45n);
    // Call 2 gets only the remaining 15 s, and is told it is the last grant.
    assert.deepEqual(step('call2', 0, 30), {
      grantedSeconds: 15,
      reserveMinor: 15n,
      finalUnit: true,
    });
    // Call 1 ends after 20 s of its second grant: 20 committed, the other 10 released.
    step('call1', 20, 0);
    reserved.delete('call1');
    assert.equal(balanceMinor, 25n);
    // Call 2 uses its 15 s and gets only 10 more; then nothing.
    assert.deepEqual(step('call2', 15, 30), {
      grantedSeconds: 10,
      reserveMinor: 10n,
      finalUnit: true,
    });
    assert.deepEqual(step('call2', 10, 30), {
      grantedSeconds: 0,
      reserveMinor: 0n,
      finalUnit: true,
    });
    assert.equal(balanceMinor, 0n);
  });

  test('is as large as affordable, never over the balance, and final exactly when limited (fast-check)', () => {
    const arbRate = fc
      .record({
        first: fc.integer({ min: 1, max: 90 }),
        increment: fc.integer({ min: 1, max: 60 }),
        priceMinor: fc.bigInt({ min: 0n, max: 300n }),
        unitSeconds: fc.constantFrom(1, 6, 60),
        connectionFeeMinor: fc.bigInt({ min: 0n, max: 100n }),
        minimumCostMinor: fc.bigInt({ min: 0n, max: 200n }),
        disconnectFeeMinor: fc.bigInt({ min: 0n, max: 30n }),
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
    fc.assert(
      fc.property(
        arbRate,
        fc.bigInt({ min: -50n, max: 2_000n }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        (rate, balanceMinor, requestedSeconds, capSeconds, alreadyCommittedSeconds) => {
          const g = grantSeconds({
            rate,
            balanceMinor,
            requestedSeconds,
            capSeconds,
            alreadyCommittedSeconds,
          });
          const wanted = Math.min(requestedSeconds, capSeconds);
          const c = alreadyCommittedSeconds;
          const extra = (s: number) => costOf(rate, c + s) - costOf(rate, c);
          assert.ok(g.grantedSeconds >= 0 && g.grantedSeconds <= wanted);
          assert.equal(g.reserveMinor, extra(g.grantedSeconds));
          assert.ok(g.reserveMinor === 0n || g.reserveMinor <= balanceMinor);
          // Maximal: one more second is either not wanted or not affordable.
          if (g.grantedSeconds < wanted) assert.ok(extra(g.grantedSeconds + 1) > balanceMinor);
          // Final exactly when the balance could not pay for one second beyond what was wanted.
          assert.equal(g.finalUnit, extra(wanted + 1) > balanceMinor);
        },
      ),
      { numRuns: 500 },
    );
  });
});
