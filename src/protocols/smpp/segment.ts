import { encodeGsm, gsmSeptetsOf } from './gsm.ts';

/**
 * How a text becomes SMS parts (3GPP TS 23.038 / 23.040), as pure functions.
 *
 * - GSM 03.38 default alphabet (data_coding 0) when every character is in it or in its
 *   extension table (`€ [ ] { } \ ^ ~ |` and form feed cost 2 septets: escape + character);
 *   otherwise UCS-2 (data_coding 8, UTF-16BE), where a character outside the BMP (an emoji)
 *   takes 2 units, a surrogate pair. Korean is always UCS-2.
 * - One part holds 160 septets or 70 UCS-2 units. A longer text is split into parts that
 *   each start with a 6-octet concatenation header (IEI 0x00, 8-bit reference), which leaves
 *   153 septets or 67 units per part. An escape and its character, and a surrogate pair,
 *   always stay in the same part.
 */
export const SMS_SINGLE_GSM_SEPTETS = 160;
export const SMS_PART_GSM_SEPTETS = 153;
export const SMS_SINGLE_UCS2_UNITS = 70;
export const SMS_PART_UCS2_UNITS = 67;
/** The 8-bit concatenation header counts parts in one octet. */
export const SMS_PARTS_PROTOCOL_MAX = 255;
/** data_coding values we send. */
export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
/** esm_class bit: short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegments {
  readonly encoding: SmsEncoding;
  readonly dataCoding: typeof DATA_CODING_GSM | typeof DATA_CODING_UCS2;
  /** The text of each part, in order; joined they give the input back. */
  readonly parts: readonly string[];
  /** Septets (GSM) or UTF-16 units (UCS-2) of each part. */
  readonly units: readonly number[];
}

/** Splits `text` into SMS parts. Pure; the empty text is one empty part. */
export function segmentSms(text: string): SmsSegments {
  const chars = Array.from(text);
  const septets = chars.map(gsmSeptetsOf);
  const gsm = septets.every((s) => s !== null);
  const costs = gsm ? (septets as number[]) : chars.map((c) => c.length);
  const single = gsm ? SMS_SINGLE_GSM_SEPTETS : SMS_SINGLE_UCS2_UNITS;
  const perPart = gsm ? SMS_PART_GSM_SEPTETS : SMS_PART_UCS2_UNITS;
  const total = costs.reduce((a, b) => a + b, 0);
  const encoding: SmsEncoding = gsm ? 'gsm7' : 'ucs2';
  const dataCoding = gsm ? DATA_CODING_GSM : DATA_CODING_UCS2;
  if (total <= single) return { encoding, dataCoding, parts: [text], units: [total] };
  const parts: string[] = [];
  const units: number[] = [];
  let current = '';
  let used = 0;
  chars.forEach((char, i) => {
    const cost = costs[i] ?? 0;
    // A character that does not fit whole starts the next part: an escape sequence or a
    // surrogate pair is never cut in two.
    if (used + cost > perPart) {
      parts.push(current);
      units.push(used);
      current = '';
      used = 0;
    }
    current += char;
    used += cost;
  });
  parts.push(current);
  units.push(used);
  return { encoding, dataCoding, parts, units };
}

/** What goes into each submit_sm of a text: the same data_coding and esm_class for all. */
export interface SmsSubmitParts {
  readonly encoding: SmsEncoding;
  readonly dataCoding: number;
  /** 0 for a single part, ESM_CLASS_UDHI when the parts carry the concatenation header. */
  readonly esmClass: number;
  /** Each part's short_message: header (when split) then the encoded text. */
  readonly shortMessages: readonly Buffer[];
}

/** The 6-octet concatenation header: IEI 0x00 (8-bit reference), length 3, ref, total, seq. */
export function concatHeader(reference: number, total: number, seq: number): Buffer {
  if (!Number.isInteger(reference) || reference < 0 || reference > 255) {
    throw new RangeError('the concatenation reference is one octet');
  }
  if (!Number.isInteger(total) || total < 2 || total > SMS_PARTS_PROTOCOL_MAX) {
    throw new RangeError('a concatenated message has 2 to 255 parts');
  }
  if (!Number.isInteger(seq) || seq < 1 || seq > total) throw new RangeError('part out of range');
  return Buffer.from([0x05, 0x00, 0x03, reference, total, seq]);
}

/**
 * The short_message octets of every part of `text`. `reference` (0–255) ties the parts of one
 * message together on the handset; the same text and reference always give the same octets,
 * so a part sent again after a failure joins the parts sent before it.
 */
export function smsSubmitParts(text: string, reference: number): SmsSubmitParts {
  const segments = segmentSms(text);
  const total = segments.parts.length;
  if (total > SMS_PARTS_PROTOCOL_MAX) throw new RangeError('more than 255 parts');
  const encode = (part: string): Buffer =>
    segments.encoding === 'gsm7' ? encodeGsm(Array.from(part)) : Buffer.from(utf16be(part));
  const shortMessages = segments.parts.map((part, i) =>
    total === 1
      ? encode(part)
      : Buffer.concat([concatHeader(reference, total, i + 1), encode(part)]),
  );
  return {
    encoding: segments.encoding,
    dataCoding: segments.dataCoding,
    esmClass: total === 1 ? 0 : ESM_CLASS_UDHI,
    shortMessages,
  };
}

function utf16be(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}
