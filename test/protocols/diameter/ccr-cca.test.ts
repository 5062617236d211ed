import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  avp,
  avpName,
  buildCca,
  firstValue,
  minorToUnitValue,
  readCcr,
  unitValueToMinor,
  type Avp,
  type DiameterMessage,
} from '../../../src/protocols/diameter/index.ts';

const CCR_BASE: Avp[] = [
  avp('Session-Id', 'sw.test;1;2'),
  avp('Origin-Host', 'sw.test'),
  avp('Origin-Realm', 'test'),
  avp('Destination-Realm', 'ocs'),
  avp('Auth-Application-Id', 4),
  avp('Service-Context-Id', '32276@3gpp.org'),
  avp('CC-Request-Type', 2),
  avp('CC-Request-Number', 5),
];

function ccr(avps: readonly Avp[], retransmit = false): DiameterMessage {
  return {
    flags: { request: true, proxiable: true, error: false, retransmit },
    commandCode: 272,
    applicationId: 4,
    hopByHopId: 10,
    endToEndId: 20,
    avps,
  };
}

const names = (avps: readonly Avp[]): string[] => avps.map((a) => avpName(a.code, a.vendorId));

describe('readCcr', () => {
  test('reads MSCC with several USUs, money, service ids and the T flag', () => {
    const read = readCcr(
      ccr(
        [
          ...CCR_BASE,
          avp('Subscription-Id', [
            avp('Subscription-Id-Type', 0),
            avp('Subscription-Id-Data', '8210'),
          ]),
          avp('Subscription-Id', [
            avp('Subscription-Id-Type', 4),
            avp('Subscription-Id-Data', 'tok'),
          ]),
          avp('Multiple-Services-Indicator', 1),
          avp('Multiple-Services-Credit-Control', [
            avp('Requested-Service-Unit', []),
            avp('Used-Service-Unit', [avp('CC-Time', 30)]),
            avp('Used-Service-Unit', [
              avp('CC-Money', [
                avp('Unit-Value', [avp('Value-Digits', 1_234n), avp('Exponent', -2)]),
                avp('Currency-Code', 840),
              ]),
            ]),
            avp('Service-Identifier', 7),
            avp('Service-Identifier', 8),
            avp('Rating-Group', 3),
            avp('Reporting-Reason', 3),
          ]),
          avp('Termination-Cause', 1),
        ],
        true,
      ),
    );
    assert.ok(read.ok);
    const { ccr: c } = read;
    assert.equal(c.requestType, 'update');
    assert.equal(c.requestNumber, 5);
    assert.equal(c.retransmitted, true);
    assert.equal(c.multipleServicesIndicator, true);
    assert.deepEqual(c.subscriptionIds, [
      { type: 'e164', data: '8210' },
      { type: 'private', data: 'tok' },
    ]);
    assert.deepEqual(c.mscc, [
      {
        ratingGroup: 3,
        serviceIdentifiers: [7, 8],
        requested: {},
        used: [
          { ccTime: 30 },
          { ccMoney: { valueDigits: 1_234n, exponent: -2, currencyCode: 840 } },
        ],
        reportingReason: 3,
      },
    ]);
    assert.equal(c.terminationCause, 1);
    assert.equal('requested' in c, false, 'no top-level RSU');
  });

  test('an MSCC without RSU has no `requested` (RFC 8506 §8.16: no new quota)', () => {
    const read = readCcr(
      ccr([
        ...CCR_BASE,
        avp('Multiple-Services-Credit-Control', [avp('Used-Service-Unit', [avp('CC-Time', 9)])]),
      ]),
    );
    assert.ok(read.ok);
    assert.equal(read.ccr.mscc[0] !== undefined && 'requested' in read.ccr.mscc[0], false);
  });

  const failures: [string, Avp[], number, string][] = [
    [
      'a missing Service-Context-Id',
      CCR_BASE.filter((a) => a.code !== 461),
      5005,
      'Service-Context-Id',
    ],
    [
      'a missing Destination-Realm',
      CCR_BASE.filter((a) => a.code !== 283),
      5005,
      'Destination-Realm',
    ],
    [
      'two CC-Request-Numbers',
      [...CCR_BASE, avp('CC-Request-Number', 6)],
      5009,
      'CC-Request-Number',
    ],
    [
      'an Auth-Application-Id other than 4',
      [...CCR_BASE.filter((a) => a.code !== 258), avp('Auth-Application-Id', 1)],
      5004,
      'Auth-Application-Id',
    ],
    [
      'an EVENT without Requested-Action',
      [...CCR_BASE.filter((a) => a.code !== 416), avp('CC-Request-Type', 4)],
      5005,
      'Requested-Action',
    ],
    [
      'a Subscription-Id without its data',
      [...CCR_BASE, avp('Subscription-Id', [avp('Subscription-Id-Type', 4)])],
      5005,
      'Subscription-Id-Data',
    ],
    [
      'a CC-Money without Unit-Value',
      [
        ...CCR_BASE,
        avp('Multiple-Services-Credit-Control', [
          avp('Used-Service-Unit', [avp('CC-Money', [avp('Currency-Code', 410)])]),
        ]),
      ],
      5005,
      'Unit-Value',
    ],
  ];
  for (const [name, avps, code, failedName] of failures) {
    test(`${code} for ${name}, with Failed-AVP and a ready CCA`, () => {
      const read = readCcr(ccr(avps));
      assert.equal(read.ok, false);
      assert.ok(!read.ok);
      assert.equal(read.resultCode, code);
      assert.equal(read.answer.error, false, 'credit-control failures are not protocol errors');
      assert.equal(firstValue(read.answer.avps, 'Result-Code'), code);
      const failed = firstValue(read.answer.avps, 'Failed-AVP');
      assert.ok(failed?.[0] !== undefined);
      assert.equal(avpName(failed[0].code, failed[0].vendorId), failedName);
      if (code === 5005) {
        // RFC 6733 §7.5: an example of the missing AVP with a zero-filled value.
        assert.ok(['', 0, 0n].includes(failed[0].value as never) || Array.isArray(failed[0].value));
      }
    });
  }

  test('a failed CCA echoes the request type and number that could be read', () => {
    const read = readCcr(ccr(CCR_BASE.filter((a) => a.code !== 263)));
    assert.ok(!read.ok);
    assert.equal(firstValue(read.answer.avps, 'CC-Request-Type'), 2);
    assert.equal(firstValue(read.answer.avps, 'CC-Request-Number'), 5);
  });
});

describe('buildCca', () => {
  test('a CCA-I with MSCC grant, FUI, validity, cost and fail-closed defaults, in RFC order', () => {
    const answer = buildCca({
      request: { requestType: 'initial', requestNumber: 0 },
      resultCode: 2001,
      mscc: [
        {
          ratingGroup: 1,
          granted: { ccTime: 45 },
          validityTime: 900,
          resultCode: 2001,
          finalUnit: { action: 'TERMINATE' },
        },
      ],
      costInformation: { amountMinor: 1_260n, currency: 'KRW' },
    });
    assert.equal(answer.error, false);
    assert.deepEqual(names(answer.avps), [
      'Result-Code',
      'Auth-Application-Id',
      'CC-Request-Type',
      'CC-Request-Number',
      'CC-Session-Failover',
      'Multiple-Services-Credit-Control',
      'Cost-Information',
      'Credit-Control-Failure-Handling',
    ]);
    assert.equal(firstValue(answer.avps, 'CC-Session-Failover'), 0, 'NOT_SUPPORTED');
    assert.equal(firstValue(answer.avps, 'Credit-Control-Failure-Handling'), 0, 'TERMINATE');
    const mscc = firstValue(answer.avps, 'Multiple-Services-Credit-Control') ?? [];
    assert.deepEqual(names(mscc), [
      'Granted-Service-Unit',
      'Rating-Group',
      'Validity-Time',
      'Result-Code',
      'Final-Unit-Indication',
    ]);
    assert.deepEqual(firstValue(mscc, 'Granted-Service-Unit'), [avp('CC-Time', 45)]);
    assert.deepEqual(firstValue(mscc, 'Final-Unit-Indication'), [avp('Final-Unit-Action', 0)]);
    assert.deepEqual(firstValue(answer.avps, 'Cost-Information'), [
      avp('Unit-Value', [avp('Value-Digits', 1_260n)]),
      avp('Currency-Code', 410),
    ]);
  });

  test('an MSCC without `granted` carries no GSU; an experimental result goes in Experimental-Result', () => {
    const answer = buildCca({
      request: { requestType: 'update', requestNumber: 1 },
      resultCode: 5030,
      experimentalResultVendorId: 10_415,
      mscc: [{ ratingGroup: 1 }],
    });
    assert.equal(firstValue(answer.avps, 'Result-Code'), undefined);
    assert.deepEqual(firstValue(answer.avps, 'Experimental-Result'), [
      avp('Vendor-Id', 10_415),
      avp('Experimental-Result-Code', 5030),
    ]);
    assert.deepEqual(firstValue(answer.avps, 'Multiple-Services-Credit-Control'), [
      avp('Rating-Group', 1),
    ]);
  });

  test('a REDIRECT final unit names the top-up server', () => {
    const answer = buildCca({
      request: { requestType: 'update', requestNumber: 2 },
      resultCode: 2001,
      granted: { ccTime: 0 },
      finalUnit: {
        action: 'REDIRECT',
        redirectServer: { addressType: 'sip-uri', address: 'sip:topup@ivr' },
      },
    });
    assert.deepEqual(firstValue(answer.avps, 'Final-Unit-Indication'), [
      avp('Final-Unit-Action', 1),
      avp('Redirect-Server', [
        avp('Redirect-Address-Type', 3),
        avp('Redirect-Server-Address', 'sip:topup@ivr'),
      ]),
    ]);
  });
});

describe('Unit-Value ⇄ minor units', () => {
  test('exact conversions', () => {
    assert.equal(unitValueToMinor({ valueDigits: 1_500n, exponent: 0 }, 'KRW'), 1_500n);
    assert.equal(unitValueToMinor({ valueDigits: 15n, exponent: 2 }, 'KRW'), 1_500n);
    assert.equal(unitValueToMinor({ valueDigits: 1_234n, exponent: -2 }, 'USD'), 1_234n);
    assert.equal(unitValueToMinor({ valueDigits: 12_340n, exponent: -3 }, 'USD'), 1_234n);
    assert.deepEqual(minorToUnitValue(1_234n, 'USD'), { valueDigits: 1_234n, exponent: -2 });
    assert.deepEqual(minorToUnitValue(1_260n, 'KRW'), { valueDigits: 1_260n, exponent: 0 });
  });

  test('fractions of a minor unit and absurd exponents are refused, not rounded', () => {
    assert.equal(unitValueToMinor({ valueDigits: 5n, exponent: -1 }, 'KRW'), null);
    assert.equal(unitValueToMinor({ valueDigits: 1n, exponent: 40 }, 'KRW'), null);
    assert.equal(unitValueToMinor({ valueDigits: 1n, exponent: -40 }, 'KRW'), null);
  });
});
