import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMoney, isCurrency, parseAmountMinor } from '../../src/kernel/index.ts';

test('amounts from untrusted input: floats, exponents, signs and huge values are refused', () => {
  const table: [unknown, string | bigint][] = [
    [1.5, 'amount_invalid'],
    [0.1, 'amount_invalid'],
    [1e21, 'amount_exceeds_limit'],
    [Number.NaN, 'amount_invalid'],
    [Number.POSITIVE_INFINITY, 'amount_invalid'],
    ['1.0', 'amount_invalid'],
    ['1e3', 'amount_invalid'],
    [' 10', 'amount_invalid'],
    ['+10', 'amount_invalid'],
    ['', 'amount_invalid'],
    ['0x10', 'amount_invalid'],
    [null, 'amount_invalid'],
    [undefined, 'amount_invalid'],
    [{}, 'amount_invalid'],
    [true, 'amount_invalid'],
    [0, 'amount_must_be_positive'],
    ['0', 'amount_must_be_positive'],
    [-1, 'amount_must_be_positive'],
    ['-5', 'amount_must_be_positive'],
    [-1n, 'amount_must_be_positive'],
    [2 ** 53, 'amount_exceeds_limit'],
    ['9007199254740992', 'amount_exceeds_limit'],
    [2n ** 53n, 'amount_exceeds_limit'],
    [1, 1n],
    ['10000', 10_000n],
    [9_007_199_254_740_991, 9_007_199_254_740_991n],
    ['9007199254740991', 9_007_199_254_740_991n],
    [700n, 700n],
  ];
  for (const [input, expected] of table) {
    const r = parseAmountMinor(input);
    if (typeof expected === 'bigint')
      assert.deepEqual(r, { ok: true, amountMinor: expected }, String(input));
    else assert.deepEqual(r, { ok: false, code: expected }, String(input));
  }
  assert.deepEqual(parseAmountMinor(0, { allowZero: true }), { ok: true, amountMinor: 0n });
});

test('currencies and formatting', () => {
  assert.ok(isCurrency('KRW'));
  assert.ok(!isCurrency('krw'));
  assert.ok(!isCurrency('toString'));
  assert.equal(formatMoney(1_234_567n, 'KRW'), '1,234,567 KRW');
  assert.equal(formatMoney(123_456n, 'USD'), '1,234.56 USD');
  assert.equal(formatMoney(5n, 'USD'), '0.05 USD');
  assert.equal(formatMoney(-1_000n, 'KRW'), '-1,000 KRW');
});
