import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  PIN_LENGTH,
  PIN_RANDOM_DIGITS,
  dammCheckDigit,
  dammValid,
  formatPin,
  generatePin,
  generatePins,
  normalizePin,
  pinLast4,
} from '../../src/cards/pin.ts';

const MILLION = 1_000_000;

// Generated once and shared: the 1M-PIN tests are the expensive part of this file.
let millionCache: string[] | undefined;
function millionPins(): string[] {
  millionCache ??= generatePins(MILLION, randomBytes);
  return millionCache;
}

/** Every PIN reachable from `pin` by changing exactly one digit. */
function* substitutions(pin: string): Generator<string> {
  for (let i = 0; i < pin.length; i++) {
    const orig = pin.charCodeAt(i) - 48;
    for (let d = 0; d <= 9; d++) {
      if (d !== orig) yield pin.slice(0, i) + String(d) + pin.slice(i + 1);
    }
  }
}

/** Every PIN reachable by swapping two different adjacent digits. */
function* adjacentTranspositions(pin: string): Generator<string> {
  for (let i = 0; i + 1 < pin.length; i++) {
    const a = pin[i]!;
    const b = pin[i + 1]!;
    if (a !== b) yield pin.slice(0, i) + b + a + pin.slice(i + 2);
  }
}

test('constants: 19 random digits (≥ 60 bits) + 1 check digit', () => {
  assert.equal(PIN_RANDOM_DIGITS, 19);
  assert.equal(PIN_LENGTH, 20);
  assert.ok(PIN_RANDOM_DIGITS * Math.log2(10) >= 60);
});

test('Damm known vectors', () => {
  // Wikipedia worked example.
  assert.equal(dammCheckDigit('572'), 4);
  assert.equal(dammValid('5724'), true);
  assert.equal(dammValid('5720'), false);
  assert.equal(dammValid('5742'), false); // adjacent transposition
  assert.equal(dammValid('5274'), false); // adjacent transposition
  // All-zero payload folds to 0 (zero diagonal of the quasigroup).
  assert.equal(dammCheckDigit('0'), 0);
  assert.equal(dammCheckDigit('000000'), 0);
  assert.equal(dammCheckDigit(''), 0);
  // Empty or non-digit input is never valid; check digit computation refuses non-digits.
  assert.equal(dammValid(''), false);
  assert.equal(dammValid('57a4'), false);
  assert.equal(dammValid('５７２４'), false); // full-width digits are not ASCII digits
  assert.throws(() => dammCheckDigit('57x'), TypeError);
  assert.throws(() => dammCheckDigit('5 7'), TypeError);
});

test('Damm exhaustive: every 3-digit payload + check detects all substitutions and transpositions', () => {
  // A 3-digit prefix reaches every interim state, so this checks the whole table's properties.
  for (let x = 0; x < 1000; x++) {
    const payload = String(x).padStart(3, '0');
    const word = payload + String(dammCheckDigit(payload));
    assert.ok(dammValid(word), word);
    for (const bad of substitutions(word)) assert.equal(dammValid(bad), false, `${word} -> ${bad}`);
    for (const bad of adjacentTranspositions(word)) {
      assert.equal(dammValid(bad), false, `${word} -> ${bad}`);
    }
  }
});

test('1,000,000 PINs from crypto.randomBytes: right shape, valid check digit, no duplicates', () => {
  const start = performance.now();
  const pins = millionPins();
  const elapsed = performance.now() - start;
  assert.equal(pins.length, MILLION);
  const seen = new Set<string>();
  const shape = /^[0-9]{20}$/;
  for (const pin of pins) {
    if (pin.length !== PIN_LENGTH || !shape.test(pin)) assert.fail('PIN has wrong shape');
    if (!dammValid(pin)) assert.fail('PIN has an invalid check digit');
    seen.add(pin);
  }
  assert.equal(seen.size, MILLION, 'duplicate PINs generated');
  // Generous bound: the brief asks for "a few seconds" for 1M; typical is well under 1 s.
  assert.ok(elapsed < 10_000, `generation took ${elapsed.toFixed(0)} ms`);
});

test('digit distribution: each digit within ±2% (relative) of 10%, overall and per position', () => {
  const pins = millionPins();
  const overall = new Array<number>(10).fill(0);
  const perPos = Array.from({ length: PIN_RANDOM_DIGITS }, () => new Array<number>(10).fill(0));
  for (const pin of pins) {
    for (let i = 0; i < PIN_RANDOM_DIGITS; i++) {
      const d = pin.charCodeAt(i) - 48;
      overall[d]!++;
      perPos[i]![d]!++;
    }
  }
  const total = pins.length * PIN_RANDOM_DIGITS;
  for (let d = 0; d <= 9; d++) {
    const f = overall[d]! / total;
    assert.ok(Math.abs(f - 0.1) <= 0.002, `digit ${d} overall frequency ${f}`);
  }
  // Per position: 1M samples each; 2% relative is > 6 sigma, so this catches positional bias.
  for (let i = 0; i < PIN_RANDOM_DIGITS; i++) {
    for (let d = 0; d <= 9; d++) {
      const f = perPos[i]![d]! / pins.length;
      assert.ok(Math.abs(f - 0.1) <= 0.002, `position ${i} digit ${d} frequency ${f}`);
    }
  }
});

test('5,000 PINs: every single-digit substitution and adjacent transposition is rejected', () => {
  const pins = generatePins(5000, randomBytes);
  let subs = 0;
  let swaps = 0;
  for (const pin of pins) {
    assert.ok(dammValid(pin));
    for (const bad of substitutions(pin)) {
      subs++;
      if (dammValid(bad))
        assert.fail(`substitution accepted at a PIN of index ${pins.indexOf(pin)}`);
      const r = normalizePin(bad);
      if (r.ok || r.code !== 'pin_check_digit_invalid') assert.fail('normalizePin accepted a typo');
    }
    for (const bad of adjacentTranspositions(pin)) {
      swaps++;
      if (dammValid(bad))
        assert.fail(`transposition accepted at a PIN of index ${pins.indexOf(pin)}`);
    }
  }
  assert.equal(subs, 5000 * PIN_LENGTH * 9);
  assert.ok(swaps > 5000 * 15, `too few transpositions exercised: ${swaps}`);
});

test('normalizePin accepts plain and grouped forms', () => {
  const pin = generatePin(randomBytes);
  const g = pin.match(/.{4}/g)!;
  const forms = [
    pin,
    g.join('-'),
    g.join(' '),
    g.join(' - '),
    ` ${g.join(' ')} `,
    `${pin.slice(0, 3)}-${pin.slice(3, 11)} ${pin.slice(11)}`,
  ];
  for (const form of forms) assert.deepEqual(normalizePin(form), { ok: true, pin });
});

test('normalizePin rejects malformed input and bad check digits with the right codes', () => {
  const pin = generatePin(randomBytes);
  const malformed = [
    '',
    ' ',
    '----',
    pin.slice(0, 19),
    `${pin}0`,
    `${pin.slice(0, 19)}a`,
    `A${pin.slice(1)}`,
    pin.replace(/-/g, '').split('').join('.'),
    `${pin.slice(0, 10)}_${pin.slice(10)}`,
    `${pin.slice(0, 10)}\t${pin.slice(10)}`,
    `${pin}\n`,
    `+${pin}`,
    '٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩', // Arabic-Indic digits
    pin.split('').join('  ') + ' '.repeat(10), // > 64 chars even though digits are fine
    '1'.repeat(1000),
  ];
  for (const input of malformed) {
    assert.deepEqual(
      normalizePin(input),
      { ok: false, code: 'pin_malformed' },
      JSON.stringify(input),
    );
  }
  // Exactly 64 chars with separators is still accepted; 65 is not.
  const padded64 = pin + ' '.repeat(64 - PIN_LENGTH);
  assert.equal(padded64.length, 64);
  assert.deepEqual(normalizePin(padded64), { ok: true, pin });
  assert.deepEqual(normalizePin(padded64 + ' '), { ok: false, code: 'pin_malformed' });

  const last = Number(pin[PIN_LENGTH - 1]);
  const wrongCheck = pin.slice(0, PIN_LENGTH - 1) + String((last + 1) % 10);
  assert.deepEqual(normalizePin(wrongCheck), { ok: false, code: 'pin_check_digit_invalid' });
  assert.deepEqual(normalizePin(formatPin(pin).replace(/.$/, String((last + 3) % 10))), {
    ok: false,
    code: 'pin_check_digit_invalid',
  });
});

test('formatPin groups by 4 and round-trips through normalizePin; pinLast4', () => {
  for (const pin of generatePins(1000, randomBytes)) {
    const f = formatPin(pin);
    assert.match(f, /^\d{4}-\d{4}-\d{4}-\d{4}-\d{4}$/);
    assert.deepEqual(normalizePin(f), { ok: true, pin });
    assert.equal(pinLast4(pin), pin.slice(16));
  }
  assert.equal(formatPin('12345678901234567890'), '1234-5678-9012-3456-7890');
  assert.equal(pinLast4('12345678901234567890'), '7890');
  assert.throws(() => formatPin('1234'), TypeError);
  assert.throws(() => formatPin('1234-5678-9012-3456-7890'), TypeError);
  assert.throws(() => pinLast4('abc'), TypeError);
});

test('errors never echo the PIN value', () => {
  const secret = '9876543210987654321';
  for (const fn of [
    () => formatPin(secret),
    () => pinLast4(secret),
    () => dammCheckDigit(`${secret}x`),
  ]) {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.ok(!err.message.includes(secret.slice(0, 8)), 'error message leaks PIN digits');
      return true;
    });
  }
});

/** Deterministic byte source: byte i = (7i + 3) mod 256 (a full cycle hitting 250..255); records output. */
function counterSource(): { source: (n: number) => Uint8Array; handed: number[]; calls: number[] } {
  let i = 0;
  const handed: number[] = [];
  const calls: number[] = [];
  const source = (n: number): Uint8Array => {
    calls.push(n);
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      out[k] = (7 * i++ + 3) & 0xff;
      handed.push(out[k]!);
    }
    return out;
  };
  return { source, handed, calls };
}

test('generatePins with a counter source is deterministic and consumes bytes in order, skipping ≥ 250', () => {
  const a = counterSource();
  const b = counterSource();
  const count = 10_000; // large enough to span several chunk draws
  const pinsA = generatePins(count, a.source);
  const pinsB = generatePins(count, b.source);
  assert.deepEqual(pinsA, pinsB);
  assert.ok(a.calls.length > 1, 'expected more than one chunk draw');
  assert.ok(
    a.handed.some((x) => x >= 250),
    'fixture must include rejected bytes',
  );

  // Expected digit stream: bytes in the order handed out, rejecting ≥ 250, mapped with % 10.
  const stream = a.handed.filter((x) => x < 250).map((x) => x % 10);
  const randomPart = pinsA.map((p) => p.slice(0, PIN_RANDOM_DIGITS)).join('');
  assert.equal(randomPart, stream.slice(0, count * PIN_RANDOM_DIGITS).join(''));
  for (const pin of pinsA) {
    assert.equal(pin.length, PIN_LENGTH);
    assert.equal(Number(pin[PIN_RANDOM_DIGITS]), dammCheckDigit(pin.slice(0, PIN_RANDOM_DIGITS)));
  }
});

test('generatePin with a source of mostly rejected bytes uses only the accepted ones', () => {
  // Cycle: 255, 3, 250, 17, 249, 251 → accepted bytes 3, 17, 249 → digits 3, 7, 9.
  const cycle = [255, 3, 250, 17, 249, 251];
  let i = 0;
  const source = (n: number): Uint8Array =>
    Uint8Array.from({ length: n }, () => cycle[i++ % cycle.length]!);
  const payload = '379'.repeat(7).slice(0, PIN_RANDOM_DIGITS);
  assert.equal(generatePin(source), payload + String(dammCheckDigit(payload)));
});

test('generatePin works with a source that returns short chunks (one byte at a time)', () => {
  let i = 0;
  const bytes = [250, 251, 252, 253, 254, 255, 1];
  const source = (): Uint8Array => Uint8Array.of(bytes[i++ % bytes.length]!);
  const payload = '1'.repeat(PIN_RANDOM_DIGITS);
  assert.equal(generatePin(source), payload + String(dammCheckDigit(payload)));
});

test('generatePins validates count and random source', () => {
  assert.deepEqual(generatePins(0, randomBytes), []);
  assert.equal(generatePins(3, randomBytes).length, 3);
  for (const bad of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) {
    assert.throws(() => generatePins(bad, randomBytes), RangeError, String(bad));
  }
  assert.throws(() => generatePins(1, () => new Uint8Array(0)), /no bytes/);
});
