import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import smpp from 'smpp';
import {
  SMS_PART_GSM_SEPTETS,
  SMS_PART_UCS2_UNITS,
  concatHeader,
  gsmSeptetsOf,
  segmentSms,
  smsSubmitParts,
} from '../../../src/protocols/smpp/index.ts';

const KOREAN_PIN =
  'OnePIN 카드 PIN: 4929 1837 6650 2918 3345. 웹에서 비밀번호를 등록하면 사용할 수 있습니다.';

describe('segmentSms: encoding and split points', () => {
  const rows: {
    readonly name: string;
    readonly text: string;
    readonly encoding: 'gsm7' | 'ucs2';
    readonly units: readonly number[];
  }[] = [
    { name: 'empty', text: '', encoding: 'gsm7', units: [0] },
    { name: 'plain GSM', text: 'Your code is 482913', encoding: 'gsm7', units: [19] },
    {
      name: 'GSM specials',
      text: '@£$¥èéùìòÇ\nØø\rÅåΔ_ÆæßÉ¡¿äöñüà§',
      encoding: 'gsm7',
      units: [30],
    },
    { name: 'extension chars cost 2', text: '€[]{}\\^~|', encoding: 'gsm7', units: [18] },
    { name: '160 septets fit one part', text: 'a'.repeat(160), encoding: 'gsm7', units: [160] },
    { name: '161 septets split 153 + 8', text: 'a'.repeat(161), encoding: 'gsm7', units: [153, 8] },
    { name: '400 GSM characters', text: 'x'.repeat(400), encoding: 'gsm7', units: [153, 153, 94] },
    {
      name: '80 euro signs fit (160 septets)',
      text: '€'.repeat(80),
      encoding: 'gsm7',
      units: [160],
    },
    { name: '81 euro signs: 76 + 5', text: '€'.repeat(81), encoding: 'gsm7', units: [152, 10] },
    {
      name: 'an escape never splits: € at septet 153 moves to part 2',
      text: `${'a'.repeat(152)}€${'b'.repeat(10)}`,
      encoding: 'gsm7',
      units: [152, 12],
    },
    { name: 'lowercase ç is not GSM', text: 'ça va', encoding: 'ucs2', units: [5] },
    { name: 'Korean', text: '안녕하세요', encoding: 'ucs2', units: [5] },
    {
      name: 'one Korean letter makes it UCS-2',
      text: 'PIN 1234 김',
      encoding: 'ucs2',
      units: [10],
    },
    { name: '70 UCS-2 units fit', text: '가'.repeat(70), encoding: 'ucs2', units: [70] },
    { name: '71 UCS-2 units: 67 + 4', text: '가'.repeat(71), encoding: 'ucs2', units: [67, 4] },
    { name: 'an emoji is 2 units', text: '🎉', encoding: 'ucs2', units: [2] },
    { name: '35 emoji fit (70 units)', text: '😀'.repeat(35), encoding: 'ucs2', units: [70] },
    { name: '36 emoji: 33 + 3', text: '😀'.repeat(36), encoding: 'ucs2', units: [66, 6] },
    {
      name: 'a surrogate pair never splits',
      text: `${'x'.repeat(66)}😀${'y'.repeat(5)}`,
      encoding: 'ucs2',
      units: [66, 7],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const s = segmentSms(row.text);
      assert.equal(s.encoding, row.encoding);
      assert.equal(s.dataCoding, row.encoding === 'gsm7' ? 0 : 8);
      assert.deepEqual(s.units, row.units);
      assert.equal(s.parts.join(''), row.text);
    });
  }

  test('the Korean PIN message is one UCS-2 part', () => {
    const s = segmentSms(KOREAN_PIN);
    assert.equal(s.encoding, 'ucs2');
    assert.equal(s.parts.length, 1);
    assert.deepEqual(s.units, [KOREAN_PIN.length]);
  });

  test('invariants on random texts: parts rejoin, none over its limit, none empty, greedy', () => {
    const chars = ['a', 'Z', ' ', '€', '[', '가', '😀', '\n', 'é', 'ç'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 700 }), (list) => {
        const text = list.join('');
        const s = segmentSms(text);
        assert.equal(s.parts.join(''), text);
        const multi = s.parts.length > 1;
        const limit = s.encoding === 'gsm7' ? SMS_PART_GSM_SEPTETS : SMS_PART_UCS2_UNITS;
        s.parts.forEach((part, i) => {
          const cost = Array.from(part).reduce(
            (sum, c) => sum + (s.encoding === 'gsm7' ? (gsmSeptetsOf(c) ?? 99) : c.length),
            0,
          );
          assert.equal(cost, s.units[i]);
          if (multi) {
            assert.ok(cost <= limit && cost > 0);
            // Greedy: the next part's first character would not have fitted in this one.
            const next = Array.from(s.parts[i + 1] ?? '')[0];
            if (next !== undefined) {
              const nextCost = s.encoding === 'gsm7' ? (gsmSeptetsOf(next) ?? 99) : next.length;
              assert.ok(cost + nextCost > limit);
            }
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('smsSubmitParts: the octets of each short_message', () => {
  test('GSM: unpacked septets, the euro sign as escape + 0x65', () => {
    const p = smsSubmitParts('Hi€@', 7);
    assert.equal(p.dataCoding, 0);
    assert.equal(p.esmClass, 0);
    assert.deepEqual([...(p.shortMessages[0] ?? [])], [0x48, 0x69, 0x1b, 0x65, 0x00]);
  });

  test('UCS-2: UTF-16BE, an emoji as its surrogate pair', () => {
    const p = smsSubmitParts('김🎉', 7);
    assert.equal(p.dataCoding, 8);
    assert.deepEqual([...(p.shortMessages[0] ?? [])], [0xae, 0x40, 0xd8, 0x3c, 0xdf, 0x89]);
  });

  test('split: the 6-octet concatenation header, same reference, parts numbered in order', () => {
    const text = 'x'.repeat(400);
    const p = smsSubmitParts(text, 200);
    assert.equal(p.esmClass, 0x40);
    assert.equal(p.shortMessages.length, 3);
    p.shortMessages.forEach((sm, i) => {
      assert.deepEqual([...sm.subarray(0, 6)], [0x05, 0x00, 0x03, 200, 3, i + 1]);
    });
    assert.deepEqual(
      p.shortMessages.map((sm) => sm.length),
      [6 + 153, 6 + 153, 6 + 94],
    );
  });

  test('every part fits short_message (≤ 140 octets of user data for UCS-2)', () => {
    const p = smsSubmitParts('가'.repeat(150), 1);
    assert.deepEqual(
      p.shortMessages.map((sm) => sm.length),
      [6 + 134, 6 + 134, 6 + 32],
    );
  });

  test("the smpp package's own decoders read our octets back to the text", () => {
    for (const text of ['Hello [world] ~ {ok} | \\ ^ €5 @ home', KOREAN_PIN, '🎉 축하합니다 😀']) {
      const p = smsSubmitParts(text, 9);
      const decoder = p.dataCoding === 0 ? smpp.encodings.ASCII : smpp.encodings.UCS2;
      assert.ok(decoder !== undefined);
      assert.equal(decoder.decode(p.shortMessages[0] ?? Buffer.alloc(0)), text);
    }
  });

  test('the concatenation header refuses what one octet cannot say', () => {
    assert.throws(() => concatHeader(256, 2, 1), RangeError);
    assert.throws(() => concatHeader(1, 1, 1), RangeError);
    assert.throws(() => concatHeader(1, 3, 4), RangeError);
    assert.deepEqual([...concatHeader(0, 2, 2)], [5, 0, 3, 0, 2, 2]);
  });
});
