import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backoffMs,
  describeStatus,
  maskNumber,
  parseReceiptText,
  parseSmppUrl,
  receiptOf,
  receiptOutcome,
  redactSmppUrl,
  sourceAddressOf,
  submitVerdict,
} from '../../../src/protocols/smpp/index.ts';

describe('backoff', () => {
  const policy = { initialMs: 1_000, maxMs: 60_000 };
  const rows: readonly (readonly [number, number, number])[] = [
    [1, 0, 1_000],
    [2, 0, 2_000],
    [3, 0, 4_000],
    [6, 0, 32_000],
    [7, 0, 60_000],
    [40, 0, 60_000],
    [1, 0.5, 750],
    [7, 0.999, 30_030],
  ];
  for (const [failures, random, expected] of rows) {
    test(`failure ${failures}, random ${random} → ${expected} ms`, () => {
      assert.equal(backoffMs(policy, failures, random), expected);
    });
  }
  test('refuses nonsense', () => {
    assert.throws(() => backoffMs(policy, 0, 0), RangeError);
    assert.throws(() => backoffMs(policy, 1, 1), RangeError);
  });
});

describe('command statuses', () => {
  test('verdicts', () => {
    assert.equal(submitVerdict(0), 'ok');
    assert.equal(submitVerdict(0x58), 'throttle');
    assert.equal(submitVerdict(0x14), 'throttle');
    assert.equal(submitVerdict(0x08), 'transient');
    assert.equal(submitVerdict(0x64), 'transient');
    assert.equal(submitVerdict(0x04), 'rebind');
    assert.equal(submitVerdict(0x0b), 'permanent');
    assert.equal(submitVerdict(0x45), 'permanent');
  });
  test('names', () => {
    assert.equal(describeStatus(0x0e), 'ESME_RINVPASWD (0x0E)');
    assert.equal(describeStatus(0x58), 'ESME_RTHROTTLED (0x58)');
    assert.equal(describeStatus(0x401), 'command_status 0x401');
  });
});

describe('masking phone numbers for logs', () => {
  const rows: readonly (readonly [string, string])[] = [
    ['+821012345678', '+8210*****678'],
    ['821012345678', '8210*****678'],
    ['+14155550123', '+1415****123'],
    ['01012345', '01***345'],
    ['1234567', '12***67'],
    ['1234', '****'],
  ];
  for (const [number, masked] of rows) {
    test(`${masked}`, () => assert.equal(maskNumber(number), masked));
  }
});

describe('SMPP_URL', () => {
  test('system id, password, host, port, system type and bind', () => {
    assert.deepEqual(
      parseSmppUrl('smpp://onepin:p%40ss@smsc.example:2776?system_type=VMA&bind=pair'),
      {
        host: 'smsc.example',
        port: 2776,
        systemId: 'onepin',
        password: 'p@ss',
        systemType: 'VMA',
        bind: 'pair',
      },
    );
    const d = parseSmppUrl('smpp://id:pw@127.0.0.1');
    assert.equal(d.port, 2775);
    assert.equal(d.bind, 'transceiver');
    assert.equal(d.systemType, '');
  });
  const bad: readonly (readonly [string, RegExp])[] = [
    ['http://a:b@h', /smpp:\/\//],
    ['smpp://h', /system id/],
    ['smpp://a:123456789@h', /password/],
    ['smpp://a:b@h?bind=receiver', /bind/],
    ['smpp://a:b@h?window=3', /unknown parameter window/],
    ['not a url', /not a URL/],
  ];
  for (const [url, message] of bad) {
    test(`refuses ${redactSmppUrl(url)}`, () => assert.throws(() => parseSmppUrl(url), message));
  }
  test('redaction hides the password', () => {
    assert.equal(redactSmppUrl('smpp://id:secret@h:2775'), 'smpp://id:***@h:2775');
  });
});

describe('sender id', () => {
  test('alphanumeric, international, short code', () => {
    assert.deepEqual(sourceAddressOf('OnePIN'), { addr: 'OnePIN', ton: 5, npi: 0 });
    assert.deepEqual(sourceAddressOf('+821099998888'), { addr: '821099998888', ton: 1, npi: 1 });
    assert.deepEqual(sourceAddressOf('1588'), { addr: '1588', ton: 3, npi: 0 });
    assert.throws(() => sourceAddressOf('TwelveLetter'), /SMPP_SOURCE_ADDR/);
    assert.throws(() => sourceAddressOf(''), /SMPP_SOURCE_ADDR/);
  });
});

describe('delivery receipts', () => {
  const TEXT =
    'id:0123456789 sub:001 dlvrd:001 submit date:2601010900 done date:2601010901 stat:DELIVRD err:000 text:Your stat:UNDELIV id:x';
  test('the conventional text, read only before text:', () => {
    assert.deepEqual(parseReceiptText(TEXT), {
      id: '0123456789',
      sub: '001',
      dlvrd: '001',
      submitDate: '2601010900',
      doneDate: '2601010901',
      stat: 'DELIVRD',
      err: '000',
    });
  });
  test('case-insensitive field names', () => {
    const r = parseReceiptText(
      'ID:ab12 SUB:1 DLVRD:0 SUBMIT DATE:2601010900 DONE DATE:2601010901 STAT:UNDELIV ERR:034 Text:hi',
    );
    assert.equal(r.id, 'ab12');
    assert.equal(r.stat, 'UNDELIV');
    assert.equal(r.err, '034');
  });
  test('from the text alone', () => {
    assert.deepEqual(receiptOf({ esmClass: 0x04, text: TEXT }), {
      messageId: '0123456789',
      state: 'delivered',
      stat: 'DELIVRD',
      error: '000',
      doneDate: '2601010901',
      intermediate: false,
    });
  });
  test('the TLVs win over the text, and a NUL ends the receipted id', () => {
    const r = receiptOf({
      esmClass: 0x04,
      text: TEXT,
      receiptedMessageId: 'ABC\0garbage',
      messageState: 5,
    });
    assert.ok(r !== 'malformed');
    assert.equal(r.messageId, 'ABC');
    assert.equal(r.state, 'undeliverable');
    assert.equal(r.stat, 'DELIVRD');
  });
  test('TLVs without text', () => {
    const r = receiptOf({ esmClass: 0x04, text: '', receiptedMessageId: 'X1', messageState: 3 });
    assert.ok(r !== 'malformed');
    assert.equal(r.state, 'expired');
    assert.equal(r.stat, 'message_state=3');
  });
  test('intermediate notifications are marked', () => {
    const r = receiptOf({ esmClass: 0x20, text: 'id:9 stat:ENROUTE err:000' });
    assert.ok(r !== 'malformed');
    assert.equal(r.intermediate, true);
    assert.equal(receiptOutcome(r.state), 'pending');
  });
  test('no id or no known state: malformed', () => {
    assert.equal(receiptOf({ esmClass: 4, text: 'stat:DELIVRD' }), 'malformed');
    assert.equal(receiptOf({ esmClass: 4, text: 'id:1 stat:WHATEVER' }), 'malformed');
    assert.equal(receiptOf({ esmClass: 4, text: 'hello' }), 'malformed');
  });
  test('outcomes for the outbox', () => {
    assert.equal(receiptOutcome('delivered'), 'delivered');
    assert.equal(receiptOutcome('expired'), 'expired');
    for (const s of ['deleted', 'undeliverable', 'rejected', 'unknown', 'skipped'] as const) {
      assert.equal(receiptOutcome(s), 'failed');
    }
    for (const s of ['scheduled', 'enroute', 'accepted'] as const) {
      assert.equal(receiptOutcome(s), 'pending');
    }
  });
});
