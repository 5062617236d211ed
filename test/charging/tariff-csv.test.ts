import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTariffCsv } from '../../src/charging/index.ts';
import { sampleTariffText } from './fixtures.ts';

/** A small valid tariff: 7 lines. Bad lines are appended as line 8 onwards. */
const BASE = [
  '# a small tariff (settings left at their defaults)',
  'destination,KR,82,Korea',
  'destination,KR_MOBILE,8210,Korea mobile',
  'rate,RT_A,0,60,6,108,60,0',
  'timing,ALWAYS,*any,00:00,24:00',
  'plan,RP,KR_MOBILE,RT_A,ALWAYS,10',
  'activation,call,2026-01-01T00:00:00+09:00,RP',
];

describe('tariff CSV validation', () => {
  test('the sample tariff is valid', () => {
    const r = parseTariffCsv(sampleTariffText());
    assert.deepEqual(r.errors, []);
    assert.ok(r.draft !== null);
    assert.equal(r.draft.currency, 'KRW');
    assert.equal(r.draft.timeZone, 'Asia/Seoul');
    assert.deepEqual(r.draft.numbering.internationalPrefixes, [
      '00',
      '001',
      '002',
      '005',
      '006',
      '008',
    ]);
    assert.equal(r.draft.destinations.find((d) => d.id === 'KR_FIXED')?.prefixes.length, 16);
    assert.equal(r.draft.destinations.find((d) => d.id === 'ANY')?.prefixes[0], '');
    const intl = r.draft.rates.find((x) => x.id === 'RT_INTL_OTHER');
    assert.equal(intl?.disconnectFeeMinor, 20n);
    assert.equal(
      r.draft.rates.find((x) => x.id === 'RT_US')?.disconnectFeeMinor,
      0n,
      'optional column',
    );
    assert.deepEqual(r.draft.timings.find((t) => t.id === 'WEEKEND')?.weekdays, ['sat', 'sun']);
    assert.equal(r.draft.activations.length, 5);
  });

  test('defaults: Korea, KRW, Asia/Seoul when no setting is given', () => {
    const r = parseTariffCsv(BASE.slice(1).join('\n'));
    assert.ok(r.draft !== null);
    assert.equal(r.draft.currency, 'KRW');
    assert.equal(r.draft.timeZone, 'Asia/Seoul');
    assert.equal(r.draft.numbering.countryCode, '82');
  });

  // Each bad line, appended as line 8, is reported with its line and field; the file is refused.
  const bad: [line: string, field: string, reason: RegExp][] = [
    ['frobnicate,1,2', 'kind', /unknown kind "frobnicate"/],
    ['rate,RT_B,0,60', 'record', /a rate record has 9 fields.*this one has 4/],
    ['destination,BAD ID,8231', 'destination_id', /letters, digits/],
    ['destination,KR_X,82a1', 'prefix', /digits/],
    ['destination,KR_X,+8231', 'prefix', /digits/],
    ['destination,KR_SEOUL,02,Seoul', 'prefix', /never 0/],
    ['destination,KR_X,1234567890123456', 'prefix', /longer than 15/],
    ['destination,KR_X,8210', 'prefix', /already in destination KR_MOBILE/],
    ['destination,KR_MOBILE,8211,Mobile Korea', 'destination_name', /differs from "Korea mobile"/],
    ['rate,RT_B,-5,60,6,108,60,0', 'connection_fee_minor', /whole number of minor units/],
    ['rate,RT_B,0,60,6,1.08,60,0', 'price_minor', /whole number of minor units/],
    ['rate,RT_B,0,60,6,abc,60,0', 'price_minor', /whole number of minor units/],
    ['rate,RT_B,0,60,6,99999999999999999,60,0', 'price_minor', /whole number/],
    ['rate,RT_B,0,0,6,108,60,0', 'first_block_seconds', /from 1 to 3600/],
    ['rate,RT_B,0,60,0,108,60,0', 'increment_seconds', /from 1 to 3600/],
    ['rate,RT_B,0,60,6,108,0,0', 'unit_seconds', /from 1 to 86400/],
    ['rate,RT_B,0,60,6,108,60,-1', 'minimum_cost_minor', /whole number/],
    ['rate,RT_B,0,60,6,108,60,0,x', 'disconnect_fee_minor', /whole number/],
    ['rate,RT_A,0,60,60,50,60,0', 'rate_id', /already defined on line 4/],
    ['timing,T,mon;funday,08:00,20:00', 'weekdays', /"funday" is not a day/],
    ['timing,T,mon;mon,08:00,20:00', 'weekdays', /listed twice/],
    ['timing,T,*any,25:00,20:00', 'start', /HH:MM/],
    ['timing,T,*any,24:00,20:00', 'start', /23:59/],
    ['timing,T,*any,08:00,00:00', 'end', /00:01 to 24:00/],
    ['timing,T,*any,08:00,08:00', 'end', /empty/],
    ['timing,ALWAYS,*any,08:00,20:00', 'timing_id', /already defined on line 5/],
    ['plan,RP,NOWHERE,RT_A,ALWAYS,20', 'destination_id', /no destination NOWHERE/],
    ['plan,RP,KR,RT_NONE,ALWAYS,20', 'rate_id', /no rate RT_NONE/],
    ['plan,RP,KR,RT_A,NEVER,20', 'timing_id', /no timing NEVER/],
    ['plan,RP,KR,RT_A,ALWAYS,-1', 'weight', /from 0 to 1000000/],
    [
      'plan,RP,KR_MOBILE,RT_A,ALWAYS,20',
      'timing_id',
      /already prices KR_MOBILE at ALWAYS on line 6/,
    ],
    ['activation,fax,2026-01-01T00:00:00+09:00,RP', 'service', /call, voicemail, sms, content/],
    ['activation,sms,2026-02-30T00:00:00+09:00,RP', 'activates_at', /ISO 8601/],
    ['activation,sms,2026-03-01T00:00:00,RP', 'activates_at', /offset/],
    ['activation,sms,2026-03-01T00:00:00+09:00,RP_NONE', 'plan_id', /no plan RP_NONE/],
    [
      'activation,call,2025-12-31T15:00:00Z,RP',
      'activates_at',
      /already has a plan activating at that time on line 7/,
    ],
    ['setting,tz,Asia/Seoul', 'name', /unknown setting "tz"/],
    ['setting,time_zone,Asia/Nowhere', 'value', /not an IANA time zone/],
    ['setting,currency,XXX', 'value', /not a supported currency/],
    ['setting,country_code,082', 'value', /country code/],
    ['setting,international_prefixes,00;0x1', 'value', /international prefix "0x1"/],
    ['destination,KR_X,"8231', 'csv', /not closed/],
    ['destination,KR_X,82"31', 'csv', /quote inside unquoted field 3/],
  ];
  for (const [line, field, reason] of bad) {
    test(`line 8 ${JSON.stringify(line)} → ${field}`, () => {
      const r = parseTariffCsv([...BASE, line].join('\n'));
      assert.equal(r.draft, null, 'a file with a bad line is refused');
      assert.equal(r.errorCount, r.errors.length);
      const found = r.errors.find((e) => e.field === field);
      assert.ok(found !== undefined, `no ${field} error in ${JSON.stringify(r.errors)}`);
      assert.equal(found.line, 8);
      assert.match(found.reason, reason);
    });
  }

  test('a plan with two entries of equal weight for one destination is refused', () => {
    const r = parseTariffCsv(
      [...BASE, 'timing,NIGHT,*any,23:00,07:00', 'plan,RP,KR_MOBILE,RT_A,NIGHT,10'].join('\n'),
    );
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.field]),
      [[9, 'weight']],
    );
  });

  test('a duplicate setting is refused on its second line', () => {
    const r = parseTariffCsv(
      [...BASE, 'setting,time_zone,Asia/Seoul', 'setting,time_zone,UTC'].join('\n'),
    );
    assert.deepEqual(r.errors, [
      { line: 9, field: 'name', reason: 'time_zone is already set on line 8' },
    ]);
  });

  test('a tariff without activations would rate nothing: refused as a whole (line 0)', () => {
    const r = parseTariffCsv(BASE.slice(0, 6).join('\n'));
    assert.deepEqual(r.errors, [
      {
        line: 0,
        field: 'file',
        reason: 'the tariff has no activation record, so it would rate nothing',
      },
    ]);
  });

  test('every bad line is reported, in line order, with comments and blank lines counted', () => {
    const text = [
      '# a comment on line 1',
      ...BASE, // lines 2–8
      '',
      'rate,RT_C,0,60,6,1.5,60,0', // line 10
      '# another comment',
      'destination,KR_Y,0,Zero', // line 12
      'plan,RP,KR,RT_MISSING,ALWAYS,5', // line 13
    ].join('\r\n');
    const r = parseTariffCsv(text);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.field]),
      [
        [10, 'price_minor'],
        [12, 'prefix'],
        [13, 'rate_id'],
      ],
    );
  });

  test('the report keeps at most 1,000 errors but counts them all', () => {
    const lines = [...BASE];
    for (let i = 0; i < 1_500; i += 1) lines.push(`rate,RT_${i},0,60,6,x,60,0`);
    const r = parseTariffCsv(lines.join('\n'));
    assert.equal(r.errors.length, 1_000);
    assert.equal(r.errorCount, 1_500);
  });
});
