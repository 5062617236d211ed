import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KOREA_NUMBERING, normalizeNumber, type NumberingPlan } from '../../src/charging/index.ts';

describe('normalizeNumber (Korea: national 0 → 82, international prefixes stripped)', () => {
  const good: [dialled: string, e164: string][] = [
    ['010-1234-5678', '821012345678'], // mobile, national form
    ['02 123 4567', '8221234567'], // Seoul
    ['(031) 123-4567', '82311234567'], // separators of every kind
    ['15881234', '8215881234'], // service number, no trunk prefix
    ['+82 10 1234 5678', '821012345678'], // already E.164 with +
    ['+1 212 555 0100', '12125550100'],
    ['001-1-212-555-0100', '12125550100'], // KT's 001: longest international prefix wins over 00
    ['002 86 138 0013 8000', '8613800138000'],
    ['00 44 20 7946 0000', '442079460000'], // plain 00
    ['005.81.3.1234.5678', '81312345678'],
    ['008 84 24 1234 5678', '842412345678'],
    ['006-63-2-123-4567', '6321234567'],
    ['114', '82114'], // shortest: 5 digits after normalization
    ['+123456789012345', '123456789012345'], // longest: 15 digits
  ];
  for (const [dialled, e164] of good) {
    test(`${dialled} → ${e164}`, () => {
      assert.deepEqual(normalizeNumber(dialled, KOREA_NUMBERING), { ok: true, value: e164 });
    });
  }

  const bad: [dialled: string, detail: RegExp][] = [
    ['010-CALL-ME', /letters/],
    ['전화번호', /letters/],
    ['', /empty/],
    ['+', /empty/],
    ['  - ', /empty/],
    ['010*1234', /only digits/],
    ['#123', /only digits/],
    ['12+34', /only digits/],
    ['0', /too short/],
    ['+82', /too short/],
    ['001', /too short/],
    ['+1234567890123456', /longer than 15 digits/],
    ['0010123', /no country code starts with 0/], // 001 then 0…
    ['+0 123 456', /no country code starts with 0/],
    ['1'.repeat(33), /longer than 32 characters/],
  ];
  for (const [dialled, detail] of bad) {
    test(`${JSON.stringify(dialled)} is number_invalid (${detail.source})`, () => {
      const r = normalizeNumber(dialled, KOREA_NUMBERING);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'number_invalid');
      assert.equal(r.error.param, 'number');
      assert.match(r.error.detail ?? '', detail);
    });
  }

  test('another numbering plan: the UK (national 0 → 44, international 00 only)', () => {
    const uk: NumberingPlan = {
      countryCode: '44',
      nationalPrefix: '0',
      internationalPrefixes: ['00'],
    };
    assert.deepEqual(normalizeNumber('020 7946 0000', uk), { ok: true, value: '442079460000' });
    assert.deepEqual(normalizeNumber('0082 10 1234 5678', uk), { ok: true, value: '821012345678' });
    // + is international everywhere, even when the plan does not list it.
    assert.deepEqual(normalizeNumber('+33 1 23 45 67 89', uk), { ok: true, value: '33123456789' });
  });
});
