// Pure voicemail rules: calendar months on the operator's wall clock, and the fee decision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_VOICEMAIL_POLICY,
  addCalendarMonths,
  feeStep,
  localDateTime,
  type MailboxDue,
  type VoicemailPolicy,
} from '../../src/charging/index.ts';
import { MS_PER_DAY } from '../../src/kernel/index.ts';

const SEOUL = 'Asia/Seoul';
const at = (iso: string): bigint => BigInt(Date.parse(iso));
const iso = (ms: bigint): string => new Date(Number(ms)).toISOString();

describe('addCalendarMonths (Asia/Seoul)', () => {
  // [opened (local time with offset), months, expected (local time with offset)]
  const table: [string, number, string][] = [
    ['2026-01-15T10:00:00+09:00', 1, '2026-02-15T10:00:00+09:00'],
    ['2026-01-31T10:00:00+09:00', 0, '2026-01-31T10:00:00+09:00'],
    ['2026-01-31T10:00:00+09:00', 1, '2026-02-28T10:00:00+09:00'],
    // Counted from the anchor, never from the clipped month: the day does not drift to 28.
    ['2026-01-31T10:00:00+09:00', 2, '2026-03-31T10:00:00+09:00'],
    ['2026-01-31T10:00:00+09:00', 3, '2026-04-30T10:00:00+09:00'],
    ['2028-01-31T10:00:00+09:00', 1, '2028-02-29T10:00:00+09:00'],
    ['2024-02-29T08:30:00+09:00', 12, '2025-02-28T08:30:00+09:00'],
    ['2024-02-29T08:30:00+09:00', 48, '2028-02-29T08:30:00+09:00'],
    ['2026-12-15T00:00:00+09:00', 1, '2027-01-15T00:00:00+09:00'],
    ['2026-11-30T12:00:00+09:00', 3, '2027-02-28T12:00:00+09:00'],
    ['2026-03-31T23:59:59.999+09:00', 1, '2026-04-30T23:59:59.999+09:00'],
    // The Seoul day, not the UTC one: 1 March 05:00 in Seoul is still 28 February in UTC.
    ['2026-03-01T05:00:00+09:00', 1, '2026-04-01T05:00:00+09:00'],
    // 31 January 23:30 in Seoul is 31 January 14:30 UTC; the next month ends 28 Feb in Seoul.
    ['2026-01-31T23:30:00+09:00', 1, '2026-02-28T23:30:00+09:00'],
    // Just after midnight of 1 February in Seoul (31 January in UTC): 1 March, not 3 March.
    ['2026-02-01T00:10:00+09:00', 1, '2026-03-01T00:10:00+09:00'],
    ['2026-08-31T09:00:00+09:00', 6, '2027-02-28T09:00:00+09:00'],
    ['2026-05-31T09:00:00+09:00', 13, '2027-06-30T09:00:00+09:00'],
  ];
  for (const [opened, months, expected] of table) {
    test(`${opened} + ${months} month(s) = ${expected}`, () => {
      assert.equal(iso(addCalendarMonths(at(opened), months, SEOUL)), iso(at(expected)));
    });
  }

  test('UTC counts its own calendar: the same instant gives a different day', () => {
    // 2026-02-28T20:00Z is 1 March in Seoul but 28 February in UTC.
    const instant = at('2026-02-28T20:00:00Z');
    assert.equal(iso(addCalendarMonths(instant, 1, SEOUL)), '2026-03-31T20:00:00.000Z');
    assert.equal(iso(addCalendarMonths(instant, 1, 'UTC')), '2026-03-28T20:00:00.000Z');
  });

  test('localDateTime reads the Seoul wall clock', () => {
    assert.deepEqual(localDateTime(at('2026-01-31T15:04:05.678Z'), SEOUL), {
      year: 2026,
      month: 2,
      day: 1,
      hour: 0,
      minute: 4,
      second: 5,
      millisecond: 678,
    });
  });

  test('a negative month count is refused', () => {
    assert.throws(() => addCalendarMonths(0n, -1, SEOUL));
  });
});

describe('feeStep', () => {
  const policy: VoicemailPolicy = {
    ...DEFAULT_VOICEMAIL_POLICY,
    graceDays: 10,
    retryIntervalSeconds: 3_600,
  };
  const anchor = at('2026-01-31T10:00:00+09:00');
  const paidUntil = at('2026-02-28T10:00:00+09:00');
  const graceEnd = paidUntil + 10n * MS_PER_DAY;
  const open: MailboxDue = {
    state: 'open',
    anchorAtMs: anchor,
    anchorMonths: 1,
    paidUntilMs: paidUntil,
    nextChargeAtMs: paidUntil,
  };
  const suspended: MailboxDue = {
    ...open,
    state: 'suspended',
    nextChargeAtMs: paidUntil + 3_600_000n,
  };

  const table: [string, MailboxDue, bigint, boolean, ReturnType<typeof feeStep>][] = [
    ['open, not due yet', open, paidUntil - 1n, true, { kind: 'wait' }],
    [
      'open, due, card pays: the next month from the anchor (31 March)',
      open,
      paidUntil,
      true,
      {
        kind: 'charge',
        periodStartMs: paidUntil,
        paidUntilMs: at('2026-03-31T10:00:00+09:00'),
        anchorAtMs: anchor,
        anchorMonths: 2,
      },
    ],
    [
      'open, a day late (the worker was down): still no gap',
      open,
      paidUntil + MS_PER_DAY,
      true,
      {
        kind: 'charge',
        periodStartMs: paidUntil,
        paidUntilMs: at('2026-03-31T10:00:00+09:00'),
        anchorAtMs: anchor,
        anchorMonths: 2,
      },
    ],
    [
      'open, due, card cannot pay: suspend, retry in an hour',
      open,
      paidUntil,
      false,
      { kind: 'suspend', retryAtMs: paidUntil + 3_600_000n },
    ],
    ['suspended, before its retry', suspended, paidUntil + 60_000n, true, { kind: 'wait' }],
    [
      'suspended, retry, card pays: a new month from now',
      suspended,
      at('2026-03-05T08:00:00+09:00'),
      true,
      {
        kind: 'charge',
        periodStartMs: at('2026-03-05T08:00:00+09:00'),
        paidUntilMs: at('2026-04-05T08:00:00+09:00'),
        anchorAtMs: at('2026-03-05T08:00:00+09:00'),
        anchorMonths: 1,
      },
    ],
    [
      'suspended, retry, still cannot pay',
      suspended,
      paidUntil + 2n * MS_PER_DAY,
      false,
      { kind: 'suspend', retryAtMs: paidUntil + 2n * MS_PER_DAY + 3_600_000n },
    ],
    [
      'suspended, the last retry is set at the end of the grace period',
      suspended,
      graceEnd - 60_000n,
      false,
      { kind: 'suspend', retryAtMs: graceEnd },
    ],
    ['suspended, grace over: close', suspended, graceEnd, false, { kind: 'close' }],
    ['suspended, grace over, even if it could pay', suspended, graceEnd, true, { kind: 'close' }],
    [
      'closed: nothing',
      { ...open, state: 'closed', nextChargeAtMs: null },
      graceEnd,
      true,
      { kind: 'wait' },
    ],
  ];
  for (const [name, mailbox, nowMs, canPay, expected] of table) {
    test(name, () => {
      assert.deepEqual(feeStep(mailbox, nowMs, canPay, policy), expected);
    });
  }

  test('no grace: a mailbox that cannot pay is closed at the next look', () => {
    const none = { ...policy, graceDays: 0 };
    assert.deepEqual(feeStep(open, paidUntil, false, none), {
      kind: 'suspend',
      retryAtMs: paidUntil,
    });
    assert.deepEqual(feeStep({ ...suspended, nextChargeAtMs: paidUntil }, paidUntil, true, none), {
      kind: 'close',
    });
  });
});
