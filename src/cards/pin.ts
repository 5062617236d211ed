/**
 * PIN codec for prepaid cards: generation, check digit, parsing and display.
 *
 * A PIN is PIN_RANDOM_DIGITS uniformly random decimal digits followed by one
 * Damm check digit. This module is pure and I/O-free: the random source is
 * injected by the caller (e.g. `crypto.randomBytes` from `node:crypto`), which
 * keeps it deterministic under test.
 *
 * Security rule: never log a PIN and never put one (or part of one other than
 * pinLast4) into an error message. Nothing in this module does.
 */

/** 19 random digits ≈ 63.1 bits of entropy — comfortably above the 60-bit floor. */
export const PIN_RANDOM_DIGITS = 19;

/** Random digits plus one Damm check digit. */
export const PIN_LENGTH = 20;

/** Bound raw user input before any work, so a huge paste can't cost us CPU or memory. */
export const PIN_INPUT_MAX_CHARS = 64;

/** Random bytes source: must return `n` (or at least 1) cryptographically secure bytes. */
export type RandomBytes = (n: number) => Uint8Array;

export type NormalizePinResult =
  { ok: true; pin: string } | { ok: false; code: 'pin_malformed' | 'pin_check_digit_invalid' };

// Damm's weakly totally anti-symmetric quasigroup of order 10 (zero diagonal):
// detects all single-digit errors and all adjacent transpositions. Flat row-major for speed.
// prettier-ignore
const DAMM_TABLE = Uint8Array.from([
  0, 3, 1, 7, 5, 9, 8, 6, 4, 2,
  7, 0, 9, 2, 1, 5, 4, 8, 6, 3,
  4, 2, 0, 6, 8, 7, 1, 3, 5, 9,
  1, 7, 5, 0, 9, 8, 3, 4, 2, 6,
  6, 1, 2, 3, 0, 4, 5, 9, 7, 8,
  3, 6, 7, 4, 2, 0, 9, 5, 8, 1,
  5, 8, 6, 9, 7, 2, 0, 1, 3, 4,
  8, 9, 4, 5, 3, 6, 2, 0, 1, 7,
  9, 4, 3, 8, 6, 1, 7, 2, 0, 5,
  2, 5, 8, 1, 4, 3, 6, 7, 9, 0,
]);

const CODE_0 = 0x30;
const CANONICAL_PIN = /^[0-9]{20}$/;
const PIN_INPUT_CHARS = /^[0-9 -]+$/;

// Bytes 250..255 are rejected so that byte % 10 is exactly uniform (250 = 25 × 10).
const BYTE_REJECT_FROM = 250;
// Large draws amortise the per-call cost of the CSPRNG; 64 KiB ≈ 3,300 PINs per call.
const MAX_CHUNK_BYTES = 65536;
// Small floor so tiny requests still have headroom for rejected bytes in one draw.
const MIN_CHUNK_BYTES = 64;

/** Folds digits through the Damm table; returns -1 on a non-digit so callers choose throw vs false. */
function dammInterim(digits: string): number {
  let interim = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - CODE_0;
    if (d < 0 || d > 9) return -1;
    // Index is always in 0..99, so the fallback is unreachable; it only satisfies the type checker.
    interim = DAMM_TABLE[interim * 10 + d] ?? 0;
  }
  return interim;
}

/** Check digit to append to `digits` so the whole string folds to 0; throws on non-digits. */
export function dammCheckDigit(digits: string): number {
  const interim = dammInterim(digits);
  if (interim < 0) throw new TypeError('dammCheckDigit: input must contain only digits 0-9');
  return interim;
}

/** True iff `digits` is non-empty, all digits, and its last digit is the correct Damm check digit. */
export function dammValid(digits: string): boolean {
  return digits.length > 0 && dammInterim(digits) === 0;
}

/**
 * Generates `count` PINs. Digits are uniform via rejection sampling (byte < 250 → byte % 10);
 * bytes are drawn from `randomBytes` in chunks and consumed strictly in order, leftovers discarded.
 */
export function generatePins(count: number, randomBytes: RandomBytes): string[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError('generatePins: count must be a non-negative safe integer');
  }
  const pins = new Array<string>(count);
  if (count === 0) return pins;

  // One reusable ASCII buffer per PIN; String.fromCharCode over 20 codes is cheap and avoids concat.
  const codes = new Array<number>(PIN_LENGTH);
  let remainingDigits = count * PIN_RANDOM_DIGITS;
  let buf: Uint8Array = new Uint8Array(0);
  let pos = 0;

  for (let p = 0; p < count; p++) {
    let interim = 0;
    for (let i = 0; i < PIN_RANDOM_DIGITS; i++) {
      let b: number;
      do {
        if (pos >= buf.length) {
          // Ask for the expected need (×256/250 for rejections) plus slack, capped to bound memory.
          const want = Math.min(
            MAX_CHUNK_BYTES,
            Math.max(MIN_CHUNK_BYTES, Math.ceil((remainingDigits * 256) / 250) + 16),
          );
          buf = randomBytes(want);
          pos = 0;
          if (!(buf instanceof Uint8Array) || buf.length === 0) {
            throw new Error('generatePins: random source returned no bytes');
          }
        }
        b = buf[pos++] ?? BYTE_REJECT_FROM; // pos < buf.length here; fallback is unreachable
      } while (b >= BYTE_REJECT_FROM);
      const d = b % 10;
      codes[i] = CODE_0 + d;
      interim = DAMM_TABLE[interim * 10 + d] ?? 0;
      remainingDigits--;
    }
    codes[PIN_RANDOM_DIGITS] = CODE_0 + interim;
    pins[p] = String.fromCharCode(...codes);
  }
  return pins;
}

/** Generates a single PIN; see generatePins. */
export function generatePin(randomBytes: RandomBytes): string {
  const [pin] = generatePins(1, randomBytes);
  if (pin === undefined) throw new Error('generatePin: no PIN generated'); // unreachable
  return pin;
}

/**
 * Parses user input into a canonical 20-digit PIN. Accepts digits with spaces/hyphens as
 * separators; distinguishes malformed input from a typo caught by the check digit.
 */
export function normalizePin(input: string): NormalizePinResult {
  if (typeof input !== 'string' || input.length === 0 || input.length > PIN_INPUT_MAX_CHARS) {
    return { ok: false, code: 'pin_malformed' };
  }
  if (!PIN_INPUT_CHARS.test(input)) return { ok: false, code: 'pin_malformed' };
  const pin = input.replace(/[ -]/g, '');
  if (pin.length !== PIN_LENGTH) return { ok: false, code: 'pin_malformed' };
  if (!dammValid(pin)) return { ok: false, code: 'pin_check_digit_invalid' };
  return { ok: true, pin };
}

/** Throws (without echoing the value) unless `pin` is a canonical 20-digit PIN. */
function assertCanonical(pin: string, fn: string): void {
  if (typeof pin !== 'string' || !CANONICAL_PIN.test(pin)) {
    throw new TypeError(`${fn}: expected a canonical ${PIN_LENGTH}-digit PIN`);
  }
}

/** Display form "1234-5678-9012-3456-7890": groups of 4 are easier to read and type. */
export function formatPin(pin: string): string {
  assertCanonical(pin, 'formatPin');
  const groups: string[] = [];
  for (let i = 0; i < pin.length; i += 4) groups.push(pin.slice(i, i + 4));
  return groups.join('-');
}

/** Last 4 digits: the only part of a PIN that may be shown to users or kept for display. */
export function pinLast4(pin: string): string {
  assertCanonical(pin, 'pinLast4');
  return pin.slice(-4);
}
