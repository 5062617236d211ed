// The pure decisions of the sales module, table by table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_BALANCE_REFUND_RULES as RULES,
  allocatePayout,
  checkOrder,
  checkRecharge,
  decideBalanceRefund,
} from '../../src/sales/index.ts';

const DAY = 86_400_000n;
const line = (quantity: number, unitMinor = 10_000n) => ({
  denominationId: 'den',
  quantity,
  unitMinor,
  amountMinor: unitMinor * BigInt(quantity),
});

test('order limits: quantity per line, lines, total', () => {
  assert.deepEqual(checkOrder([line(1)], 'KRW'), { ok: true, totalMinor: 10_000n });
  assert.deepEqual(checkOrder([line(10), line(10, 5_000n)], 'KRW'), {
    ok: true,
    totalMinor: 150_000n,
  });
  assert.equal(checkOrder([], 'KRW').ok, false);
  assert.deepEqual(checkOrder([line(0)], 'KRW'), {
    ok: false,
    code: 'quantity_invalid',
    param: 'quantity',
  });
  assert.deepEqual(checkOrder([line(11)], 'KRW'), {
    ok: false,
    code: 'quantity_invalid',
    param: 'quantity',
  });
  assert.deepEqual(checkOrder([line(6, 100_000n)], 'KRW'), {
    ok: false,
    code: 'order_limit_exceeded',
    param: 'quantity',
  });
  assert.equal(
    checkOrder(
      Array.from({ length: 7 }, () => line(1)),
      'KRW',
    ).ok,
    false,
  );
});

test('recharge limits: minimum, single, daily, card maximum', () => {
  const base = { currency: 'KRW' as const, todayMinor: 0n, valueMinor: 0n };
  assert.equal(checkRecharge({ ...base, amountMinor: 20_000n }), null);
  assert.equal(checkRecharge({ ...base, amountMinor: 0n }), 'amount_must_be_positive');
  assert.equal(checkRecharge({ ...base, amountMinor: 999n }), 'recharge_exceeds_limit');
  assert.equal(checkRecharge({ ...base, amountMinor: 1_000_001n }), 'recharge_exceeds_limit');
  assert.equal(
    checkRecharge({ ...base, amountMinor: 600_000n, todayMinor: 500_000n }),
    'recharge_daily_limit_exceeded',
  );
  assert.equal(
    checkRecharge({ ...base, amountMinor: 500_000n, valueMinor: 1_600_000n }),
    'balance_exceeds_limit',
  );
  assert.equal(checkRecharge({ ...base, amountMinor: 400_000n, valueMinor: 1_600_000n }), null);
});

test('refund of balance: each rule, the fee rounded up, review above the threshold', () => {
  const facts = {
    loadedMinor: 100_000n,
    balanceMinor: 40_000n,
    heldMinor: 0n,
    soldAtMs: 0n,
    firstUsedAtMs: 1n,
    nowMs: 30n * DAY,
    refundableFundingMinor: 100_000n,
  };
  // Used exactly 60 %: allowed.
  assert.deepEqual(decideBalanceRefund(RULES, facts), {
    allowed: true,
    reason: 'used_enough',
    amountMinor: 40_000n,
    feeMinor: 0n,
    payoutMinor: 40_000n,
    needsReview: false,
  });
  // 59.999 %: not yet.
  assert.deepEqual(decideBalanceRefund(RULES, { ...facts, balanceMinor: 40_001n }), {
    allowed: false,
    why: 'not_used_enough',
  });
  // Never used, bought 6 days ago: allowed; 7 days: not.
  const fresh = { ...facts, balanceMinor: 100_000n, firstUsedAtMs: null };
  const recent = decideBalanceRefund(RULES, { ...fresh, nowMs: 6n * DAY });
  assert.ok(recent.allowed && recent.reason === 'unused_recent' && recent.needsReview);
  assert.deepEqual(decideBalanceRefund(RULES, { ...fresh, nowMs: 7n * DAY }), {
    allowed: false,
    why: 'not_used_enough',
  });
  assert.deepEqual(decideBalanceRefund(RULES, { ...facts, heldMinor: 1n }), {
    allowed: false,
    why: 'holds_open',
  });
  assert.deepEqual(decideBalanceRefund(RULES, { ...facts, balanceMinor: 0n }), {
    allowed: false,
    why: 'nothing_to_refund',
  });
  assert.deepEqual(decideBalanceRefund(RULES, { ...facts, balanceMinor: 999n }), {
    allowed: false,
    why: 'below_minimum',
  });
  assert.deepEqual(decideBalanceRefund(RULES, { ...facts, refundableFundingMinor: 0n }), {
    allowed: false,
    why: 'no_funding_instrument',
  });
  // A fee of 1 won + 0.5 %, rounded up in our favour: 40,000 × 0.005 = 200 → 201 with the fixed part.
  const withFee = decideBalanceRefund({ ...RULES, feeFixedMinor: 1n, feeBps: 50n }, facts);
  assert.ok(withFee.allowed);
  assert.equal(withFee.feeMinor, 201n);
  assert.equal(withFee.payoutMinor + withFee.feeMinor, withFee.amountMinor);
  const odd = decideBalanceRefund({ ...RULES, feeBps: 33n }, { ...facts, balanceMinor: 39_999n });
  assert.ok(odd.allowed);
  assert.equal(odd.feeMinor, 132n, '39,999 × 0.33 % = 131.99… → 132');
});

test('payouts go back newest funding first, and only when they cover the amount', () => {
  const fundings = [
    { id: 'recharge2', refundableMinor: 5_000n },
    { id: 'recharge1', refundableMinor: 20_000n },
    { id: 'purchase', refundableMinor: 10_000n },
  ];
  assert.deepEqual(allocatePayout(fundings, 12_000n), [
    { id: 'recharge2', amountMinor: 5_000n },
    { id: 'recharge1', amountMinor: 7_000n },
  ]);
  assert.deepEqual(allocatePayout(fundings, 35_000n).length, 3);
  assert.deepEqual(allocatePayout(fundings, 35_001n), []);
});
