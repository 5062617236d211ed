import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  localTime,
  planInForce,
  priceOf,
  rate,
  timingMatches,
  type Timing,
} from '../../src/charging/index.ts';
import { at, sampleTariffText, tariffFrom } from './fixtures.ts';

describe('local time in the operator’s time zone', () => {
  // 2026-01-01 is a Thursday.
  const cases: [iso: string, zone: string, weekday: string, clock: string][] = [
    ['2026-01-01T14:59:00Z', 'Asia/Seoul', 'thu', '23:59'],
    ['2026-01-01T15:00:00Z', 'Asia/Seoul', 'fri', '00:00'], // Seoul midnight is 15:00 UTC
    ['2026-01-02T15:00:00Z', 'Asia/Seoul', 'sat', '00:00'],
    ['2026-01-02T15:00:00Z', 'UTC', 'fri', '15:00'],
    ['2026-01-04T14:59:59Z', 'Asia/Seoul', 'sun', '23:59'],
    ['2026-01-04T15:00:00Z', 'Asia/Seoul', 'mon', '00:00'],
    // New York moves its clocks at 02:00 on 8 March 2026: 07:00 UTC is 03:00 EDT, not 02:00.
    ['2026-03-08T06:59:00Z', 'America/New_York', 'sun', '01:59'],
    ['2026-03-08T07:00:00Z', 'America/New_York', 'sun', '03:00'],
  ];
  for (const [iso, zone, weekday, clock] of cases) {
    test(`${iso} in ${zone} is ${weekday} ${clock}`, () => {
      const local = localTime(at(iso), zone);
      assert.equal(local.weekday, weekday);
      const [h, m] = clock.split(':').map(Number);
      assert.equal(local.minuteOfDay, h! * 60 + m!);
    });
  }

  test('windows: plain, up to 24:00, wrapping midnight, and by weekday', () => {
    const day: Timing = { id: 'DAY', weekdays: null, startMinute: 8 * 60, endMinute: 20 * 60 };
    const late: Timing = { id: 'LATE', weekdays: null, startMinute: 20 * 60, endMinute: 1440 };
    const night: Timing = { id: 'NIGHT', weekdays: null, startMinute: 23 * 60, endMinute: 7 * 60 };
    const weekend: Timing = { id: 'WE', weekdays: ['sat', 'sun'], startMinute: 0, endMinute: 1440 };
    const t = (weekday: 'mon' | 'sat', hhmm: string) => {
      const [h, m] = hhmm.split(':').map(Number);
      return { weekday, minuteOfDay: h! * 60 + m! };
    };
    assert.equal(timingMatches(day, t('mon', '07:59')), false);
    assert.equal(timingMatches(day, t('mon', '08:00')), true);
    assert.equal(timingMatches(day, t('mon', '19:59')), true);
    assert.equal(timingMatches(day, t('mon', '20:00')), false, 'the end is exclusive');
    assert.equal(timingMatches(late, t('mon', '23:59')), true);
    assert.equal(timingMatches(night, t('mon', '22:59')), false);
    assert.equal(timingMatches(night, t('mon', '23:00')), true);
    assert.equal(timingMatches(night, t('mon', '00:00')), true);
    assert.equal(timingMatches(night, t('mon', '06:59')), true);
    assert.equal(timingMatches(night, t('mon', '07:00')), false);
    assert.equal(timingMatches(weekend, t('mon', '12:00')), false);
    assert.equal(timingMatches(weekend, t('sat', '00:00')), true);
  });
});

describe('rate(): plan in force, longest prefix, highest-weight timing', () => {
  const tariff = tariffFrom(sampleTariffText());
  const call = (number: string, iso: string) =>
    rate(tariff, { service: 'call', number, atMs: at(iso) });
  const picked = (number: string, iso: string, service: 'call' | 'sms' = 'call') => {
    const r = rate(tariff, { service, number, atMs: at(iso) });
    assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.detail ?? ''}`);
    const v = r.value;
    return [v.destinationId, v.prefix, v.rate.id, v.timingId, v.planId].join(' ');
  };

  // Monday 5 January 2026, noon in Seoul.
  const MON_NOON = '2026-01-05T12:00:00+09:00';
  test('longest prefix: mobile, Seoul, other regions, service numbers, Korea as a whole', () => {
    assert.equal(
      picked('010-1234-5678', MON_NOON),
      'KR_MOBILE 8210 RT_KR_MOBILE ALWAYS RP_CALL_2026',
    );
    assert.equal(picked('02-123-4567', MON_NOON), 'KR_SEOUL 822 RT_KR_FIXED ALWAYS RP_CALL_2026');
    assert.equal(picked('031-123-4567', MON_NOON), 'KR_FIXED 8231 RT_KR_FIXED ALWAYS RP_CALL_2026');
    assert.equal(
      picked('1588-1234', MON_NOON),
      'KR_SERVICE 821588 RT_KR_SERVICE ALWAYS RP_CALL_2026',
    );
    assert.equal(picked('1599-1234', MON_NOON), 'KR 82 RT_KR_FIXED ALWAYS RP_CALL_2026');
  });

  test('international: access codes stripped, longest match, and the *any catch-all', () => {
    assert.equal(picked('001-1-212-555-0100', MON_NOON), 'US_CA 1 RT_US ALWAYS RP_CALL_2026');
    assert.equal(
      picked('002 86 138 0013 8000', MON_NOON),
      'CN_MOBILE 8613 RT_CN_MOBILE ALWAYS RP_CALL_2026',
    );
    // Korea's carrier codes make 00 ambiguous: the longest international prefix is taken
    // first, so 0086… reads as 008 + 6… (Australia, priced by *any), not 00 + 86.
    assert.equal(picked('0086 138 0013 8000', MON_NOON), 'ANY  RT_INTL_OTHER ALWAYS RP_CALL_2026');
    assert.equal(picked('+86 10 1234 5678', MON_NOON), 'CN 86 RT_CN ALWAYS RP_CALL_2026');
    assert.equal(picked('+44 20 7946 0000', MON_NOON), 'ANY  RT_INTL_OTHER ALWAYS RP_CALL_2026');
  });

  test('timings in Seoul time: night from 23:00, weekends, and the higher weight when both hold', () => {
    assert.equal(
      picked('01012345678', '2026-01-05T22:59:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE ALWAYS RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-01-05T23:00:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT NIGHT RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-01-06T06:59:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT NIGHT RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-01-06T07:00:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE ALWAYS RP_CALL_2026',
    );
    // Friday 23:59 UTC is Saturday 08:59 in Seoul: the weekend.
    assert.equal(
      picked('01012345678', '2026-01-09T23:59:00Z'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT WEEKEND RP_CALL_2026',
    );
    // Saturday 23:30 in Seoul: NIGHT (weight 30) and WEEKEND (weight 20) both hold; NIGHT wins.
    assert.equal(
      picked('01012345678', '2026-01-10T23:30:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT NIGHT RP_CALL_2026',
    );
    // Friday 15:00 UTC is already Saturday midnight in Seoul.
    assert.equal(
      picked('01012345678', '2026-01-09T14:59:00Z'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT NIGHT RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-01-09T15:00:00Z'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT NIGHT RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-01-10T07:00:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE_NIGHT WEEKEND RP_CALL_2026',
    );
  });

  test('activation dates: the latest plan activated at or before the moment', () => {
    const boundary = at('2026-07-01T00:00:00+09:00');
    assert.equal(planInForce(tariff, 'call', boundary - 1n)?.planId, 'RP_CALL_2026');
    assert.equal(planInForce(tariff, 'call', boundary)?.planId, 'RP_CALL_2026H2');
    assert.equal(
      picked('01012345678', '2026-06-30T12:00:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE ALWAYS RP_CALL_2026',
    );
    assert.equal(
      picked('01012345678', '2026-07-01T12:00:00+09:00'),
      'KR_MOBILE 8210 RT_KR_MOBILE_H2 ALWAYS RP_CALL_2026H2',
    );
    const before = call('01012345678', '2025-12-31T23:59:59+09:00');
    assert.deepEqual(before.ok ? null : before.error.code, 'rating_plan_not_found');
  });

  test('services have their own plans; a destination the plan does not price falls back to a shorter prefix', () => {
    // The SMS plan prices Korea (82) and *any, not KR_MOBILE (8210).
    assert.equal(picked('010-1234-5678', MON_NOON, 'sms'), 'KR 82 RT_SMS_KR ALWAYS RP_SMS');
    assert.equal(picked('+1 212 555 0100', MON_NOON, 'sms'), 'ANY  RT_SMS_INTL ALWAYS RP_SMS');
    const sms = priceOf(tariff, {
      service: 'sms',
      number: '01012345678',
      atMs: at(MON_NOON),
      seconds: 3,
    });
    assert.ok(sms.ok);
    assert.equal(sms.value.costMinor, 60n, 'three messages at 20 won');
  });

  test('price of a call: billed seconds and cost at the rate chosen at the start', () => {
    const p = priceOf(tariff, {
      service: 'call',
      number: '010-1234-5678',
      atMs: at(MON_NOON),
      seconds: 95,
    });
    assert.ok(p.ok);
    assert.equal(p.value.billedSeconds, 96);
    assert.equal(p.value.costMinor, 173n);
    assert.equal(p.value.e164, '821012345678');
    assert.equal(p.value.destinationName, 'Korea mobile');
    assert.equal(p.value.currency, 'KRW');
  });

  test('failures: bad number, no destination, no rate at that time', () => {
    const bad = call('010-CALL-ME', MON_NOON);
    assert.equal(bad.ok ? null : bad.error.code, 'number_invalid');
    const small = tariffFrom(
      [
        'destination,KR_MOBILE,8210,Korea mobile',
        'rate,RT_PEAK,0,60,6,120,60,0',
        'timing,PEAK,mon;tue;wed;thu;fri,08:00,20:00',
        'plan,RP,KR_MOBILE,RT_PEAK,PEAK,10',
        'activation,call,2026-01-01T00:00:00+09:00,RP',
      ].join('\n'),
    );
    const noDestination = rate(small, {
      service: 'call',
      number: '02-123-4567',
      atMs: at(MON_NOON),
    });
    assert.equal(noDestination.ok ? null : noDestination.error.code, 'destination_not_found');
    const offPeak = rate(small, {
      service: 'call',
      number: '010-1234-5678',
      atMs: at('2026-01-05T21:00:00+09:00'),
    });
    assert.equal(offPeak.ok ? null : offPeak.error.code, 'rate_not_found');
    const noPlan = rate(small, { service: 'sms', number: '010-1234-5678', atMs: at(MON_NOON) });
    assert.equal(noPlan.ok ? null : noPlan.error.code, 'rating_plan_not_found');
  });
});
