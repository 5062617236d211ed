import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SMS_LIMITS,
  commissionSplit,
  normalizePhone,
  parseBillingFile,
  parseSalesFile,
  periodBounds,
  phonePrefix,
  reconcile,
  smsLimitDecision,
} from '../../src/carriers/index.ts';

test('phone numbers: E.164 and Korean national numbers', () => {
  const cases: [string, string | null][] = [
    ['+821012345678', '+821012345678'],
    ['010-1234-5678', '+821012345678'],
    ['010 1234 5678', '+821012345678'],
    ['+44 20 7946 0958', '+442079460958'],
    ['12345', null],
    ['+0123456789', null],
    ['phone', null],
  ];
  for (const [input, want] of cases) assert.equal(normalizePhone(input), want, input);
  assert.equal(phonePrefix('+821012345678'), '821012');
});

test('billing periods are UTC months', () => {
  assert.deepEqual(periodBounds('2026-11'), {
    startMs: BigInt(Date.UTC(2026, 10, 1)),
    endMs: BigInt(Date.UTC(2026, 11, 1)),
  });
  assert.deepEqual(periodBounds('2026-12')?.endMs, BigInt(Date.UTC(2027, 0, 1)));
  for (const bad of ['2026-13', '2026-1', '26-11', '']) assert.equal(periodBounds(bad), null, bad);
});

test('commission: rounded down, commission + net = gross', () => {
  const cases: [bigint, bigint, bigint, bigint][] = [
    [10_000n, 500n, 500n, 9_500n],
    [33_333n, 250n, 833n, 32_500n],
    [1n, 9_999n, 0n, 1n],
    [0n, 500n, 0n, 0n],
    [50_000n, 10_000n, 50_000n, 0n],
  ];
  for (const [gross, bps, commission, net] of cases) {
    assert.deepEqual(commissionSplit(gross, bps), { commissionMinor: commission, netMinor: net });
  }
  assert.throws(() => commissionSplit(1n, 10_001n), RangeError);
});

test('SMS limits: per number, then per prefix, then per IP', () => {
  const cases: [number, number, number, 'number' | 'prefix' | 'ip' | null][] = [
    [0, 0, 0, null],
    [2, 19, 9, null],
    [3, 0, 0, 'number'],
    [0, 20, 0, 'prefix'],
    [0, 0, 10, 'ip'],
    [3, 20, 10, 'number'],
  ];
  for (const [n, p, i, want] of cases) {
    assert.equal(smsLimitDecision({ number: n, prefix: p, ip: i }, DEFAULT_SMS_LIMITS), want);
  }
});

test('sales file: header, fields, duplicates', () => {
  const parsed = parseSalesFile(
    [
      'report_id,serial,phone,price_minor,sold_at',
      'r1,1,010-1234-5678,10000,2026-11-03T10:00:00Z',
      'r1,2,010-1234-5678,10000,2026-11-03T10:00:00Z',
      'r3,x,010-1234-5678,10000,2026-11-03T10:00:00Z',
      'r4,4,12,10000,2026-11-03T10:00:00Z',
      'r5,5,+821099998888,10.5,2026-11-03T10:00:00Z',
      'r6,6,+821099998888,10000,yesterday',
    ].join('\n'),
  );
  assert.deepEqual(parsed.lines, [
    {
      line: 2,
      reportId: 'r1',
      serial: '000000000001',
      phone: '+821012345678',
      priceMinor: 10_000n,
      soldAtMs: BigInt(Date.UTC(2026, 10, 3, 10)),
    },
  ]);
  assert.deepEqual(
    parsed.errors.map((e) => [e.line, e.field]),
    [
      [3, 'report_id'],
      [4, 'serial'],
      [5, 'phone'],
      [6, 'price_minor'],
      [7, 'sold_at'],
    ],
  );
  assert.deepEqual(
    parseSalesFile('serial,phone\n').errors.map((e) => e.field),
    ['header'],
  );
});

test('billing file: TOTAL line required and last, malformed lines refused', () => {
  const good = parseBillingFile(
    'serial,sold_at,amount_minor\n1,2026-11-01T00:00:00Z,10000\nTOTAL,1,10000\n',
  );
  assert.deepEqual(good.errors, []);
  assert.deepEqual(good.file.total, { count: 1n, amountMinor: 10_000n });
  const missing = parseBillingFile('serial,sold_at,amount_minor\n1,2026-11-01T00:00:00Z,10000\n');
  assert.deepEqual(
    missing.errors.map((e) => e.field),
    ['total'],
  );
  const bad = parseBillingFile(
    'serial,sold_at,amount_minor\n1,2026-11-01T00:00:00Z,-5\n1,2026-11-01T00:00:00Z,5\nTOTAL,1,5\n2,2026-11-01T00:00:00Z,5\n',
  );
  assert.deepEqual(
    bad.errors.map((e) => [e.line, e.field]),
    [
      [2, 'amount_minor'],
      [5, 'line'],
    ],
  );
});

test('reconciliation: every kind of difference, sorted, totals last', () => {
  const file = parseBillingFile(
    [
      'serial,sold_at,amount_minor',
      '1,2026-11-01T00:00:00Z,10000', // matched
      '2,2026-11-01T00:00:00Z,9000', // amount differs (ours 10000)
      '4,2026-11-01T00:00:00Z,10000', // in their pool, never reported to us
      '999,2026-11-01T00:00:00Z,10000', // not theirs at all
      'TOTAL,4,40000', // the lines add up to 39000
    ].join('\n'),
  ).file;
  const s = (n: number): string => String(n).padStart(12, '0');
  const rec = reconcile(
    file,
    [
      { serial: s(1), amountMinor: 10_000n },
      { serial: s(2), amountMinor: 10_000n },
      { serial: s(3), amountMinor: 10_000n }, // sold, not billed
    ],
    new Set([s(1), s(2), s(3), s(4)]),
  );
  assert.deepEqual(
    rec.lines.map((l) => [l.kind, l.serial, l.oursMinor, l.theirsMinor]),
    [
      ['matched', s(1), 10_000n, 10_000n],
      ['amount_mismatch', s(2), 10_000n, 9_000n],
      ['missing_in_theirs', s(3), 10_000n, null],
      ['missing_in_ours', s(4), null, 10_000n],
      ['unknown_pin', s(999), null, 10_000n],
      ['totals_mismatch', null, 39_000n, 40_000n],
    ],
  );
  assert.equal(rec.matchedGrossMinor, 10_000n);
  assert.deepEqual(rec.counts, {
    matched: 1,
    missing_in_ours: 1,
    missing_in_theirs: 1,
    amount_mismatch: 1,
    unknown_pin: 1,
    totals_mismatch: 1,
  });
});
