import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  avp,
  avpName,
  composeAnswer,
  firstValue,
  type Avp,
  type DiameterMessage,
} from '../../../src/protocols/diameter/index.ts';
import type { LocalPeer } from '../../../src/protocols/diameter/base-messages.ts';
import type { DecodeProblem } from '../../../src/protocols/diameter/decode.ts';
import { decide, type PeerDecision } from '../../../src/protocols/diameter/peer-rules.ts';

const LOCAL: LocalPeer = {
  originHost: 'ocs.test',
  originRealm: 'test',
  productName: 'OnePIN',
  vendorId: 0,
  originStateId: 7,
  hostIpAddresses: ['127.0.0.1'],
};

function request(commandCode: number, applicationId: number, avps: Avp[] = []): DiameterMessage {
  return {
    flags: { request: true, proxiable: true, error: false, retransmit: false },
    commandCode,
    applicationId,
    hopByHopId: 1,
    endToEndId: 2,
    avps,
  };
}
const answerTo = (m: DiameterMessage): DiameterMessage => ({
  ...m,
  flags: { ...m.flags, request: false },
});
const ORIGIN = [avp('Origin-Host', 'sw.test'), avp('Origin-Realm', 'test')];
const cer = (apps: Avp[]): DiameterMessage => request(257, 0, [...ORIGIN, ...apps]);

function answered(d: PeerDecision): Extract<PeerDecision, { kind: 'answer' }> {
  assert.ok(d.kind === 'answer', `expected an answer, got ${d.kind}`);
  return d;
}

describe('capabilities exchange', () => {
  const accepted: [string, Avp[]][] = [
    ['Auth-Application-Id 4', [avp('Auth-Application-Id', 4)]],
    [
      'Vendor-Specific-Application-Id with 4',
      [
        avp('Vendor-Specific-Application-Id', [
          avp('Vendor-Id', 10_415),
          avp('Auth-Application-Id', 4),
        ]),
      ],
    ],
    ['relay as an auth application', [avp('Auth-Application-Id', 0xffff_ffff)]],
    ['relay as an accounting application', [avp('Acct-Application-Id', 0xffff_ffff)]],
    ['4 among others', [avp('Auth-Application-Id', 1), avp('Auth-Application-Id', 4)]],
  ];
  for (const [name, apps] of accepted) {
    test(`CEA 2001 and open for a CER advertising ${name}`, () => {
      const d = answered(decide('waiting-for-cer', cer(apps), null, LOCAL));
      assert.equal(d.resultCode, 2001);
      assert.equal(d.next, 'open');
      assert.deepEqual(d.peer, { originHost: 'sw.test', originRealm: 'test' });
      assert.equal(d.answer.error, false);
      assert.deepEqual(
        d.answer.avps.map((a) => avpName(a.code, a.vendorId)),
        [
          'Result-Code',
          'Host-IP-Address',
          'Vendor-Id',
          'Product-Name',
          'Origin-State-Id',
          'Supported-Vendor-Id',
          'Auth-Application-Id',
        ],
      );
      assert.equal(firstValue(d.answer.avps, 'Auth-Application-Id'), 4);
    });
  }

  const refused: [string, DiameterMessage, DecodeProblem | null, number][] = [
    [
      'no common application',
      cer([avp('Auth-Application-Id', 1), avp('Acct-Application-Id', 3)]),
      null,
      5010,
    ],
    ['4 only as accounting', cer([avp('Acct-Application-Id', 4)]), null, 5010],
    [
      'no Origin-Host',
      request(257, 0, [avp('Origin-Realm', 'test'), avp('Auth-Application-Id', 4)]),
      null,
      5005,
    ],
    [
      'an undecodable CER',
      cer([avp('Auth-Application-Id', 4)]),
      { resultCode: 5001, errorMessage: 'x' },
      5001,
    ],
  ];
  for (const [name, message, problem, code] of refused) {
    test(`CEA ${code} and close for ${name}`, () => {
      const d = answered(decide('waiting-for-cer', message, problem, LOCAL));
      assert.equal(d.resultCode, code);
      assert.equal(d.next, 'close');
      assert.equal(firstValue(d.answer.avps, 'Result-Code'), code);
    });
  }

  test('a protocol error in a CER is answered with the E bit and closes', () => {
    const d = answered(
      decide('waiting-for-cer', cer([]), { resultCode: 3009, errorMessage: 'bits' }, LOCAL),
    );
    assert.equal(d.answer.error, true);
    assert.equal(d.next, 'close');
  });

  for (const [name, message] of [
    ['DWR', request(280, 0, ORIGIN)],
    ['CCR', request(272, 4, ORIGIN)],
    ['an answer', answerTo(cer([]))],
  ] as const) {
    test(`${name} before CER closes the connection without an answer`, () => {
      assert.equal(decide('waiting-for-cer', message, null, LOCAL).kind, 'close');
    });
  }
});

describe('an open connection', () => {
  const open = (m: DiameterMessage, p: DecodeProblem | null = null) => decide('open', m, p, LOCAL);

  test('DWR → DWA 2001 with Origin-State-Id, staying open', () => {
    const d = answered(open(request(280, 0, ORIGIN)));
    assert.equal(d.next, 'stay');
    assert.deepEqual(d.answer.avps, [avp('Result-Code', 2001), avp('Origin-State-Id', 7)]);
  });

  test('DPR → DPA 2001, then close', () => {
    const d = answered(open(request(282, 0, [...ORIGIN, avp('Disconnect-Cause', 0)])));
    assert.equal(d.next, 'close');
    assert.deepEqual(d.answer.avps, [avp('Result-Code', 2001)]);
  });

  const protocolErrors: [string, DiameterMessage, DecodeProblem | null, number][] = [
    ['a request for another application', request(272, 16_777_238), null, 3007],
    ['an unknown base command', request(999, 0), null, 3001],
    ['an unknown credit-control command (RAR from a client)', request(258, 4), null, 3001],
    ['bad header bits', request(272, 4), { resultCode: 3008, errorMessage: 'bits' }, 3008],
    ['bad AVP bits in a CCR', request(272, 4), { resultCode: 3009, errorMessage: 'bits' }, 3009],
  ];
  for (const [name, message, problem, code] of protocolErrors) {
    test(`${code} with the E bit for ${name}`, () => {
      const d = answered(open(message, problem));
      assert.equal(d.resultCode, code);
      assert.equal(d.answer.error, true);
      assert.equal(d.next, 'stay');
    });
  }

  test('a good CCR goes to the handler', () => {
    assert.deepEqual(open(request(272, 4, ORIGIN)), { kind: 'credit-control' });
  });

  test('an undecodable CCR gets a CCA with the result, Failed-AVP and the echoed type and number', () => {
    const failed = avp('Subscription-Id', []);
    const message = request(272, 4, [avp('CC-Request-Type', 2), avp('CC-Request-Number', 4)]);
    const d = answered(
      open(message, { resultCode: 5001, errorMessage: 'unsupported', failedAvp: failed }),
    );
    assert.equal(d.answer.error, false);
    assert.equal(firstValue(d.answer.avps, 'Result-Code'), 5001);
    assert.equal(firstValue(d.answer.avps, 'Auth-Application-Id'), 4);
    assert.equal(firstValue(d.answer.avps, 'CC-Request-Type'), 2);
    assert.equal(firstValue(d.answer.avps, 'CC-Request-Number'), 4);
    assert.deepEqual(firstValue(d.answer.avps, 'Failed-AVP'), [failed]);
  });

  test('answers: DWA, DPA and strays', () => {
    assert.equal(open(answerTo(request(280, 0))).kind, 'watchdog-answered');
    assert.equal(open(answerTo(request(282, 0))).kind, 'disconnect-answered');
    assert.equal(open(answerTo(request(272, 4))).kind, 'ignore');
  });
});

describe('composeAnswer', () => {
  test('copies ids, P bit, Session-Id (first) and Proxy-Info; clears R; Origin after Result-Code', () => {
    const proxy = avp('Proxy-Info', [
      avp('Proxy-Host', 'dra.test'),
      avp('Proxy-State', Uint8Array.from([1])),
    ]);
    const req = request(272, 4, [avp('Session-Id', 'sw;1'), ...ORIGIN, proxy]);
    const message = composeAnswer(
      req,
      { avps: [avp('Result-Code', 2001), avp('CC-Request-Number', 0)], error: false },
      LOCAL,
    );
    assert.deepEqual(message.flags, {
      request: false,
      proxiable: true,
      error: false,
      retransmit: false,
    });
    assert.equal(message.hopByHopId, 1);
    assert.equal(message.endToEndId, 2);
    assert.deepEqual(message.avps, [
      avp('Session-Id', 'sw;1'),
      avp('Result-Code', 2001),
      avp('Origin-Host', 'ocs.test'),
      avp('Origin-Realm', 'test'),
      avp('CC-Request-Number', 0),
      proxy,
    ]);
  });

  test('a body that carries Origin-Host itself is a defect', () => {
    assert.throws(() =>
      composeAnswer(request(280, 0), { avps: [avp('Origin-Host', 'x')], error: false }, LOCAL),
    );
  });
});
