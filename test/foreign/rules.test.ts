// The foreign exchange's pure rules: exact FX arithmetic across currency exponents, rounding in
// our favour, and the operator files (PINs, rates) with their reports by line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  convertMinor,
  parseMajorAmount,
  parsePair,
  parsePinFile,
  parseRate,
  parseRateFile,
  rateText,
  settlementPeriod,
  stockSignal,
  switchPrice,
  type Rate,
} from '../../src/foreign/index.ts';
import { CURRENCY_EXPONENTS, type Currency } from '../../src/kernel/index.ts';

const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

describe('rates are read exactly', () => {
  test('decimals become reduced fractions; bad text is refused', () => {
    assert.deepEqual(parseRate('1385.27'), { num: 138527n, den: 100n });
    assert.deepEqual(parseRate('1385.270'), { num: 138527n, den: 100n });
    assert.deepEqual(parseRate('9.0421'), { num: 90421n, den: 10000n });
    assert.deepEqual(parseRate('1380'), { num: 1380n, den: 1n });
    assert.deepEqual(parseRate('0.5'), { num: 1n, den: 2n });
    assert.deepEqual(parseRate('0.000000000001'), { num: 1n, den: 1_000_000_000_000n });
    for (const bad of ['', '0', '0.000', '-1', '+1', '1e3', '1,385.27', '1.', '.5', ' 1', 'NaN']) {
      assert.equal(parseRate(bad), null, bad);
    }
    assert.equal(parseRate('1234567890123'), null, '13 integer digits');
    assert.equal(parseRate('1.1234567890123'), null, '13 decimals');
  });

  test('rateText writes the same decimal back', () => {
    for (const text of ['1385.27', '9.0421', '1380', '0.5', '0.000000000001', '123456789012.5']) {
      const rate = parseRate(text);
      assert.ok(rate !== null);
      assert.equal(rateText(rate), text);
    }
  });

  test('pairs name two different known currencies', () => {
    assert.deepEqual(parsePair('USD/KRW'), ['USD', 'KRW']);
    assert.deepEqual(parsePair('JPY/KRW'), ['JPY', 'KRW']);
    for (const bad of ['KRW/KRW', 'usd/krw', 'USD-KRW', 'XXX/KRW', 'USD/', 'USDKRW']) {
      assert.equal(parsePair(bad), null, bad);
    }
  });

  test('amounts in major units, at most the currency’s decimals', () => {
    assert.equal(parseMajorAmount('10.00', 'USD'), 1000n);
    assert.equal(parseMajorAmount('10.5', 'USD'), 1050n);
    assert.equal(parseMajorAmount('10', 'USD'), 1000n);
    assert.equal(parseMajorAmount('1000', 'JPY'), 1000n);
    assert.equal(parseMajorAmount('10000', 'KRW'), 10000n);
    for (const [text, currency] of [
      ['10.123', 'USD'],
      ['1000.0', 'JPY'],
      ['10.', 'USD'],
      ['-10', 'USD'],
      ['1e3', 'JPY'],
      ['', 'KRW'],
    ] as const) {
      assert.equal(parseMajorAmount(text, currency), null, `${text} ${currency}`);
    }
  });
});

describe('switch prices: exact across exponents, rounded up', () => {
  const table: [string, bigint, Currency, string, bigint, bigint][] = [
    // what, face minor, face currency, rate, margin bps, expected KRW
    ['10.00 USD at 1385.27', 1000n, 'USD', '1385.27', 0n, 13853n],
    ['1,000 JPY at 9.0421', 1000n, 'JPY', '9.0421', 0n, 9043n],
    ['25.00 USD at 1380 (exact)', 2500n, 'USD', '1380', 0n, 34500n],
    ['10.00 USD at 1385.27, 150 bps', 1000n, 'USD', '1385.27', 150n, 14061n],
    ['0.01 USD at 1385.27', 1n, 'USD', '1385.27', 0n, 14n],
    ['1 JPY at 9.0421', 1n, 'JPY', '9.0421', 0n, 10n],
    ['50.00 EUR at 1500.5', 5000n, 'EUR', '1500.5', 0n, 75025n],
    ['100.00 CNY at 190.123456', 10000n, 'CNY', '190.123456', 0n, 19013n],
  ];
  for (const [what, face, currency, rate, margin, expected] of table) {
    test(what, () => {
      const r = parseRate(rate);
      assert.ok(r !== null);
      const price = switchPrice({
        faceMinor: face,
        faceCurrency: currency,
        payCurrency: 'KRW',
        rate: r,
        marginBps: margin,
      });
      assert.equal(price.payMinor, expected);
    });
  }

  test('into a currency with cents: 1,000 JPY at JPY/USD 0.0067 is 6.70 USD', () => {
    const r = parseRate('0.0067');
    assert.ok(r !== null);
    assert.equal(
      switchPrice({
        faceMinor: 1000n,
        faceCurrency: 'JPY',
        payCurrency: 'USD',
        rate: r,
        marginBps: 0n,
      }).payMinor,
      670n,
    );
    assert.equal(
      switchPrice({
        faceMinor: 1001n,
        faceCurrency: 'JPY',
        payCurrency: 'USD',
        rate: r,
        marginBps: 0n,
      }).payMinor,
      671n,
      '6.7067 USD is rounded up to 6.71',
    );
  });

  const rateArb = fc
    .record({
      whole: fc.bigInt({ min: 0n, max: 999_999n }),
      fraction: fc.bigInt({ min: 0n, max: 999_999n }),
      digits: fc.integer({ min: 0, max: 6 }),
    })
    .map(({ whole, fraction, digits }) => {
      const frac =
        digits === 0
          ? ''
          : `.${(fraction % 10n ** BigInt(digits)).toString().padStart(digits, '0')}`;
      return `${whole}${frac}`;
    })
    .map((text) => ({ text, rate: parseRate(text) }))
    .filter((x): x is { text: string; rate: Rate } => x.rate !== null);

  test('property: never less than the exact price, never a whole minor unit more', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.constantFrom(...CURRENCIES),
        fc.constantFrom(...CURRENCIES),
        rateArb,
        fc.bigInt({ min: 0n, max: 5_000n }),
        (face, faceCurrency, payCurrency, { rate }, margin) => {
          const p = switchPrice({
            faceMinor: face,
            faceCurrency,
            payCurrency,
            rate,
            marginBps: margin,
          });
          // Exact: price = face × num × 10^e(pay) × (10000 + m) / (den × 10^e(face) × 10000).
          const num =
            face * rate.num * 10n ** BigInt(CURRENCY_EXPONENTS[payCurrency]) * (10_000n + margin);
          const den = rate.den * 10n ** BigInt(CURRENCY_EXPONENTS[faceCurrency]) * 10_000n;
          assert.equal(p.exactNum, num);
          assert.equal(p.exactDen, den);
          // In our favour: the holder pays at least the exact price …
          assert.ok(p.payMinor * den >= num);
          // … and less than one minor unit above it.
          assert.ok((p.payMinor - 1n) * den < num);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('property: a bigger PIN never costs less; a margin never lowers the price', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        fc.bigInt({ min: 1n, max: 1_000n }),
        fc.constantFrom<Currency>('USD', 'JPY', 'EUR'),
        rateArb,
        fc.bigInt({ min: 0n, max: 5_000n }),
        (face, extra, faceCurrency, { rate }, margin) => {
          const at = (f: bigint, m: bigint): bigint =>
            switchPrice({ faceMinor: f, faceCurrency, payCurrency: 'KRW', rate, marginBps: m })
              .payMinor;
          assert.ok(at(face + extra, margin) >= at(face, margin));
          assert.ok(at(face, margin) >= at(face, 0n));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  test('property: convertMinor rounds in the named direction and is exact when it divides', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_000n }),
        fc.constantFrom(...CURRENCIES),
        fc.constantFrom(...CURRENCIES),
        rateArb,
        (amount, from, to, { rate }) => {
          const up = convertMinor({ amountMinor: amount, from, to, rate, rounding: 'up' });
          const down = convertMinor({ amountMinor: amount, from, to, rate, rounding: 'down' });
          const num = amount * rate.num * 10n ** BigInt(CURRENCY_EXPONENTS[to]);
          const den = rate.den * 10n ** BigInt(CURRENCY_EXPONENTS[from]);
          assert.ok(down * den <= num && num <= up * den);
          assert.equal(up - down, num % den === 0n ? 0n : 1n);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('USD 2 / JPY 0 / KRW 0: the exponents are the kernel’s', () => {
    assert.equal(CURRENCY_EXPONENTS.USD, 2);
    assert.equal(CURRENCY_EXPONENTS.JPY, 0);
    assert.equal(CURRENCY_EXPONENTS.KRW, 0);
    const one = { num: 1n, den: 1n };
    // 1.00 USD at 1 KRW per USD is 1 KRW, not 100.
    assert.equal(
      convertMinor({ amountMinor: 100n, from: 'USD', to: 'KRW', rate: one, rounding: 'up' }),
      1n,
    );
    // 1 JPY at 1 USD per JPY is 1.00 USD = 100 cents.
    assert.equal(
      convertMinor({ amountMinor: 1n, from: 'JPY', to: 'USD', rate: one, rounding: 'up' }),
      100n,
    );
  });
});

describe('PIN files', () => {
  test('a good file: values in major units, optional cost, spacing ignored for duplicates', () => {
    const report = parsePinFile(
      'pin,face_value,cost\nGC-1111-2222-3333,10.00,9.50\nGC-4444-5555-6666,25,\n',
      'USD',
    );
    assert.equal(report.errorCount, 0);
    assert.deepEqual(
      report.rows.map((r) => [r.line, r.pin, r.normalized, r.faceMinor, r.costMinor]),
      [
        [2, 'GC-1111-2222-3333', 'GC111122223333', 1000n, 950n],
        [3, 'GC-4444-5555-6666', 'GC444455556666', 2500n, 2500n],
      ],
    );
  });

  test('bad lines are reported by line and field; none is kept', () => {
    const report = parsePinFile(
      [
        'pin,face_value',
        'AAAA-1111,10.00',
        'aaaa 1111,10.00', // the same PIN, spaced and cased differently
        'x,10.00',
        'BBBB-2222,10.001',
        'CCCC-3333,-5',
        'DDDD-4444',
        'EEEE-5555,0',
      ].join('\n'),
      'USD',
    );
    assert.deepEqual(
      report.errors.map((e) => `${e.line}:${e.field}`),
      ['3:pin', '4:pin', '5:face_value', '6:face_value', '7:line', '8:face_value'],
    );
    assert.equal(report.errors[0]?.reason, 'the same PIN as line 2');
    assert.equal(report.errorCount, 6);
  });

  test('the header is required; a cost above the face value is refused', () => {
    assert.equal(parsePinFile('', 'USD').errors[0]?.field, 'header');
    assert.equal(parsePinFile('code,value\nAAAA,1', 'USD').errors[0]?.field, 'header');
    assert.equal(parsePinFile('pin,face_value\n', 'USD').errors[0]?.field, 'file');
    const costly = parsePinFile('pin,face_value,cost\nAAAA-1,10,11', 'USD');
    assert.deepEqual(costly.errors, [
      { line: 2, field: 'cost', reason: 'the cost is above the face value' },
    ]);
  });
});

describe('rate files, periods, stock signals', () => {
  test('rate file lines', () => {
    const good = parseRateFile(
      'pair,rate,valid_from\nUSD/KRW,1385.27,2026-05-01T09:00:00+09:00\nJPY/KRW,9.0421,\n',
    );
    assert.equal(good.errorCount, 0);
    assert.equal(good.rows[0]?.validFromMs, BigInt(Date.parse('2026-05-01T00:00:00Z')));
    assert.equal(good.rows[1]?.validFromMs, null);
    const bad = parseRateFile(
      'pair,rate,valid_from\nKRW/KRW,1,\nUSD/KRW,abc,\nUSD/KRW,1,2026-05-01\n',
    );
    assert.deepEqual(
      bad.errors.map((e) => `${e.line}:${e.field}`),
      ['2:pair', '3:rate', '4:valid_from'],
    );
  });

  test('settlement periods end at 24:00 KST of the day', () => {
    assert.deepEqual(settlementPeriod('2026-05-31'), {
      key: '20260531',
      endMs: BigInt(Date.parse('2026-05-31T15:00:00Z')),
    });
    for (const bad of ['2026-02-30', '2026-5-31', '31/05/2026', '']) {
      assert.equal(settlementPeriod(bad), null, bad);
    }
  });

  test('one alert per crossing', () => {
    assert.equal(stockSignal({ available: 4n, threshold: 5n, alerted: false }), 'alert');
    assert.equal(stockSignal({ available: 3n, threshold: 5n, alerted: true }), 'none');
    assert.equal(stockSignal({ available: 5n, threshold: 5n, alerted: true }), 'rearm');
    assert.equal(stockSignal({ available: 5n, threshold: 5n, alerted: false }), 'none');
    assert.equal(stockSignal({ available: 0n, threshold: 0n, alerted: false }), 'none');
  });
});
