import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Outcome } from '../kernel/index.ts';

/**
 * The acquirer's webhook signature:
 * `Acquirer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * Several `v1=` entries may appear (while the acquirer rotates its secret); one match is
 * enough. Pure: the caller passes the current time.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'acquirer-signature';
/** A webhook older or newer than this is refused, so a captured one cannot be replayed later. */
export const WEBHOOK_TOLERANCE_S = 300n;
/** Longer headers are refused before any parsing. */
const HEADER_CHARS_MAX = 1_024;
const TIMESTAMP = /^[0-9]{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

function hmacHex(secret: string, timestampS: bigint, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex');
}

/** The header value for a body: what the acquirer sends, and what tests use to forge one. */
export function webhookSignatureHeader(input: {
  readonly secret: string;
  readonly timestampS: bigint;
  readonly rawBody: string;
}): string {
  return `t=${input.timestampS},v1=${hmacHex(input.secret, input.timestampS, input.rawBody)}`;
}

export function verifyWebhookSignature(input: {
  readonly secret: string;
  readonly rawBody: string;
  readonly header: string | undefined;
  readonly nowMs: bigint;
}): Outcome<{ readonly timestampS: bigint }> {
  const header = input.header?.trim() ?? '';
  if (header === '') return fail('signature_missing', WEBHOOK_SIGNATURE_HEADER);
  if (header.length > HEADER_CHARS_MAX) return fail('signature_invalid', WEBHOOK_SIGNATURE_HEADER);
  let t: string | undefined;
  const given: string[] = [];
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const key = piece.slice(0, eq).trim();
    const value = piece.slice(eq + 1).trim();
    if (key === 't') t = value;
    else if (key === 'v1' && HEX_SHA256.test(value)) given.push(value);
  }
  if (t === undefined || !TIMESTAMP.test(t) || given.length === 0) {
    return fail('signature_invalid', WEBHOOK_SIGNATURE_HEADER);
  }
  const timestampS = BigInt(t);
  const nowS = input.nowMs / 1_000n;
  const skewS = nowS > timestampS ? nowS - timestampS : timestampS - nowS;
  if (skewS > WEBHOOK_TOLERANCE_S) return fail('signature_expired', WEBHOOK_SIGNATURE_HEADER);
  const expected = Buffer.from(hmacHex(input.secret, timestampS, input.rawBody), 'hex');
  // Every candidate is compared in constant time; the loop does not stop at the first match.
  let matched = false;
  for (const candidate of given) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
  }
  return matched ? ok({ timestampS }) : fail('signature_invalid', WEBHOOK_SIGNATURE_HEADER);
}
