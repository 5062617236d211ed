import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  avp,
  decodeMessage,
  diameterLimits,
  encodeMessage,
  ntpSecondsToUnixMs,
  readCcr,
  unixMsToNtpSeconds,
  type Avp,
  type DiameterMessage,
  type DecodeResult,
} from '../../../src/protocols/diameter/index.ts';
import { CCR_HEX, CCR_MESSAGE, CER_HEX, CER_MESSAGE, hex } from './vectors.ts';

function decoded(bytes: Uint8Array): Extract<DecodeResult, { kind: 'message' }> {
  const result = decodeMessage(bytes);
  assert.ok(result.kind === 'message', 'the header should be readable');
  return result;
}

const raw = (
  code: number,
  value: Uint8Array,
  options: { mandatory?: boolean; vendorId?: number } = {},
): Avp => ({
  code,
  vendorId: options.vendorId ?? 0,
  mandatory: options.mandatory ?? false,
  protected: false,
  type: 'Unknown',
  value,
});

/** A small CCR whose AVPs the tests replace. */
function ccr(avps: readonly Avp[]): DiameterMessage {
  return { ...CCR_MESSAGE, avps: [avp('Session-Id', 's;1'), ...avps] };
}

/** Byte offset of the n-th top-level AVP (0-based) in an encoded message. */
function avpOffset(bytes: Buffer, index: number): number {
  let offset = 20;
  for (let i = 0; i < index; i++) {
    const length = bytes.readUIntBE(offset + 5, 3);
    offset += (length + 3) & ~3;
  }
  return offset;
}

describe('byte-exact vectors', () => {
  test('a CER encodes to the hand-computed bytes and decodes back', () => {
    const bytes = hex(CER_HEX);
    assert.equal(bytes.length, 132);
    assert.equal(encodeMessage(CER_MESSAGE).toString('hex'), bytes.toString('hex'));
    const result = decoded(bytes);
    assert.equal(result.problem, null);
    assert.deepEqual(result.message, CER_MESSAGE);
  });

  test('a CCR with MSCC, a 3GPP vendor AVP, a 64-bit value and a Time matches byte for byte', () => {
    const bytes = hex(CCR_HEX);
    assert.equal(bytes.length, 276);
    assert.equal(encodeMessage(CCR_MESSAGE).toString('hex'), bytes.toString('hex'));
    const result = decoded(bytes);
    assert.equal(result.problem, null);
    assert.deepEqual(result.message, CCR_MESSAGE);
  });

  test('readCcr reads the vector', () => {
    const read = readCcr(CCR_MESSAGE);
    assert.ok(read.ok);
    assert.deepEqual(read.ccr, {
      sessionId: 's;1',
      originHost: 'sw',
      originRealm: 'r',
      destinationRealm: 'test',
      serviceContextId: '32276@3gpp.org',
      requestType: 'initial',
      requestNumber: 0,
      subscriptionIds: [{ type: 'private', data: 'tok' }],
      multipleServicesIndicator: false,
      used: [{ ccTotalOctets: 4_294_967_296n }],
      mscc: [{ ratingGroup: 1, serviceIdentifiers: [], requested: { ccTime: 600 }, used: [] }],
      retransmitted: false,
      endToEndId: 2,
      eventTimestampMs: 1_767_225_600_000n,
      calledPartyAddress: '+82',
    });
  });
});

describe('frames that are not Diameter', () => {
  const cases: [string, Buffer][] = [
    ['shorter than a header', hex(CER_HEX).subarray(0, 19)],
    ['version 2', Buffer.concat([Buffer.from([2]), hex(CER_HEX).subarray(1)])],
    ['length field larger than the frame', hex(CER_HEX).subarray(0, 128)],
  ];
  for (const [name, bytes] of cases) {
    test(name, () => assert.equal(decodeMessage(bytes).kind, 'unframed'));
  }
});

describe('errors answered with a result code', () => {
  test('3008: a reserved header bit', () => {
    const bytes = hex(CER_HEX);
    bytes[4] = 0x81;
    assert.equal(decoded(bytes).problem?.resultCode, 3008);
  });

  test('3008: a request with the E bit', () => {
    const bytes = hex(CER_HEX);
    bytes[4] = 0xa0;
    assert.equal(decoded(bytes).problem?.resultCode, 3008);
  });

  test('5015: a message length that is not a multiple of 4', () => {
    const bytes = encodeMessage(ccr([])).subarray(0, 31); // Session-Id "s;1" without its padding
    bytes.writeUIntBE(31, 1, 3);
    const result = decoded(bytes);
    assert.equal(result.problem?.resultCode, 5015);
    assert.deepEqual(result.message.avps, [avp('Session-Id', 's;1')], 'what could be read is kept');
  });

  test('5014: an AVP length that overruns the message, with a zero-filled Failed-AVP', () => {
    const bytes = encodeMessage(ccr([avp('CC-Request-Number', 7)]));
    bytes.writeUIntBE(0xff, avpOffset(bytes, 1) + 5, 3);
    const result = decoded(bytes);
    assert.equal(result.problem?.resultCode, 5014);
    assert.deepEqual(result.problem.failedAvp, {
      ...raw(415, new Uint8Array(4)),
      mandatory: true,
    });
    assert.deepEqual(result.message.avps, [avp('Session-Id', 's;1')]);
  });

  test('5014: an AVP length below the AVP header', () => {
    const bytes = encodeMessage(ccr([avp('CC-Request-Number', 7)]));
    bytes.writeUIntBE(4, avpOffset(bytes, 1) + 5, 3);
    assert.equal(decoded(bytes).problem?.resultCode, 5014);
  });

  test('5014: a message that ends inside an AVP header', () => {
    const whole = encodeMessage(ccr([]));
    const bytes = Buffer.concat([whole, Buffer.from([0, 0, 1, 0x9f])]);
    bytes.writeUIntBE(bytes.length, 1, 3);
    const result = decoded(bytes);
    assert.equal(result.problem?.resultCode, 5014);
    assert.equal(result.problem.failedAvp?.code, 415);
  });

  test('5014: an Unsigned32 that does not hold 4 bytes', () => {
    const result = decoded(encodeMessage(ccr([raw(415, new Uint8Array(5), { mandatory: true })])));
    assert.equal(result.problem?.resultCode, 5014);
    assert.deepEqual(result.problem.failedAvp, raw(415, new Uint8Array(5), { mandatory: true }));
  });

  test('5001: an unknown AVP with the M bit, copied into Failed-AVP', () => {
    const unknown = raw(99_999, Uint8Array.from([1, 2, 3]), { mandatory: true });
    const result = decoded(encodeMessage(ccr([unknown, avp('CC-Request-Number', 3)])));
    assert.equal(result.problem?.resultCode, 5001);
    assert.deepEqual(result.problem.failedAvp, unknown);
    assert.deepEqual(result.message.avps.at(-1), avp('CC-Request-Number', 3), 'reading went on');
  });

  test('5001: an unknown vendor AVP with the M bit keeps its Vendor-Id', () => {
    const unknown = raw(1, Uint8Array.from([9]), { mandatory: true, vendorId: 10_415 });
    const result = decoded(encodeMessage(ccr([unknown])));
    assert.equal(result.problem?.resultCode, 5001);
    assert.equal(result.problem.failedAvp?.vendorId, 10_415);
  });

  test('an unknown AVP without the M bit is kept raw and ignored', () => {
    const unknown = raw(99_999, Uint8Array.from([1, 2, 3]));
    const result = decoded(encodeMessage(ccr([unknown])));
    assert.equal(result.problem, null);
    assert.deepEqual(result.message.avps[1], unknown);
  });

  test('AVPs quoted in Failed-AVP are not held against the message', () => {
    const unknown = raw(99_999, Uint8Array.from([1]), { mandatory: true });
    const short = raw(415, new Uint8Array(2), { mandatory: true });
    const result = decoded(encodeMessage(ccr([avp('Failed-AVP', [unknown, short])])));
    assert.equal(result.problem, null);
    assert.deepEqual(result.message.avps[1], avp('Failed-AVP', [unknown, short]));
  });

  test('3009: a reserved AVP flag bit', () => {
    const bytes = encodeMessage(ccr([avp('CC-Request-Number', 1)]));
    bytes[avpOffset(bytes, 1) + 4] = 0x41;
    const result = decoded(bytes);
    assert.equal(result.problem?.resultCode, 3009);
    assert.equal(result.problem.failedAvp?.code, 415);
  });

  test('3009: the M bit on an AVP that must not have it', () => {
    const productName = { ...avp('Product-Name', 'x'), mandatory: true };
    assert.equal(decoded(encodeMessage(ccr([productName]))).problem?.resultCode, 3009);
  });

  const invalidValues: [string, Avp][] = [
    ['UTF8String that is not UTF-8', raw(461, Uint8Array.from([0xff, 0xfe]), { mandatory: true })],
    ['Enumerated value outside the RFC list', avp('CC-Request-Type', 9)],
    [
      'Address of an unknown family',
      raw(257, Uint8Array.from([0, 3, 1, 2, 3, 4]), { mandatory: true }),
    ],
    [
      'IPv4 Address with 5 bytes',
      raw(257, Uint8Array.from([0, 1, 1, 2, 3, 4, 5]), { mandatory: true }),
    ],
    ['DiameterIdentity with a space', raw(264, Buffer.from('a b'), { mandatory: true })],
  ];
  for (const [name, bad] of invalidValues) {
    test(`5004: ${name}`, () => {
      const result = decoded(encodeMessage(ccr([bad])));
      assert.equal(result.problem?.resultCode, 5004);
      assert.equal(result.problem.failedAvp?.code, bad.code);
      assert.equal(result.problem.failedAvp.type, 'Unknown', 'Failed-AVP copies the bytes as sent');
    });
  }

  test('a problem inside a group names the group down to the offending AVP', () => {
    const unknown = raw(99_999, Uint8Array.from([7]), { mandatory: true });
    const group = avp('Subscription-Id', [avp('Subscription-Id-Type', 0), unknown]);
    const result = decoded(encodeMessage(ccr([group])));
    assert.equal(result.problem?.resultCode, 5001);
    assert.deepEqual(result.problem.failedAvp, { ...group, value: [unknown] });
  });

  test('5004: groups nested deeper than the limit', () => {
    let nested: Avp = avp('CC-Time', 1);
    for (let i = 0; i < diameterLimits.avpDepthMax; i++)
      nested = avp('Used-Service-Unit', [nested]);
    const result = decoded(encodeMessage(ccr([nested])));
    assert.equal(result.problem?.resultCode, 5004);
  });

  test('the first problem wins and the error message names no value', () => {
    const secret = 'tok-secret-value';
    const bad = raw(444, Buffer.concat([Buffer.from(secret), Buffer.from([0xff])]), {
      mandatory: true,
    });
    const group = avp('Subscription-Id', [avp('Subscription-Id-Type', 4), bad]);
    const result = decoded(encodeMessage(ccr([group, avp('CC-Request-Type', 9)])));
    assert.equal(result.problem?.resultCode, 5004);
    assert.equal(result.problem.failedAvp?.code, 443);
    assert.doesNotMatch(result.problem.errorMessage, /tok-secret/);
  });
});

describe('value helpers', () => {
  test('IPv6 addresses are written in RFC 5952 form', () => {
    const ipv6: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::1', '::1'],
      ['::', '::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['::ffff:127.0.0.1', '::ffff:7f00:1'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ];
    for (const [input, canonical] of ipv6) {
      const bytes = encodeMessage(ccr([avp('Host-IP-Address', input)]));
      const result = decoded(bytes);
      assert.equal(result.problem, null);
      assert.deepEqual(result.message.avps[1], avp('Host-IP-Address', canonical));
    }
  });

  test('Time converts across the 2036 NTP rollover', () => {
    assert.equal(ntpSecondsToUnixMs(0xed00_3780), 1_767_225_600_000n);
    const after2036 = 2_200_000_000_000n; // 2039-09-18
    assert.equal(ntpSecondsToUnixMs(unixMsToNtpSeconds(after2036)), after2036);
    assert.ok(unixMsToNtpSeconds(after2036) < 0x8000_0000, 'era 1 has the top bit clear');
    assert.equal(ntpSecondsToUnixMs(unixMsToNtpSeconds(0n)), 0n);
  });
});
