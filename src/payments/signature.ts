import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signatures for money-moving calls. The header is
 * `OnePIN-Signature: t=<unix seconds>[,n=<nonce>],v1=<hex HMAC-SHA256>`, computed with the API
 * key's signing secret over
 *
 *     <t>.<nonce>.<METHOD>.<path with query>.<Idempotency-Key>.<hex SHA-256 of the raw body>
 *
 * (an absent nonce or key is an empty string). The Idempotency-Key is signed, so a captured
 * request cannot be replayed under a new key to act twice; two different operations never share
 * a signature; and a client that retries at once can add a fresh nonce. Pure: the caller
 * passes the current time.
 */
export const SIGNATURE_TOLERANCE_S = 300;
const NONCE = /^[A-Za-z0-9_-]{1,64}$/;

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number; readonly signature: string }
  | {
      readonly ok: false;
      readonly code: 'signature_missing' | 'signature_invalid' | 'signature_expired';
    };

export interface SignedRequest {
  readonly timestamp: number;
  readonly nonce?: string;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey?: string;
  readonly body: string | Buffer;
}

export function bodyDigest(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signingPayload(input: SignedRequest): string {
  return [
    String(input.timestamp),
    input.nonce ?? '',
    input.method.toUpperCase(),
    input.path,
    input.idempotencyKey ?? '',
    bodyDigest(input.body),
  ].join('.');
}

export function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Builds the header value a client sends; used by our own clients and the docs' example. */
export function signatureHeader(input: SignedRequest & { readonly secret: string }): string {
  const nonce = input.nonce !== undefined ? `,n=${input.nonce}` : '';
  return `t=${input.timestamp}${nonce},v1=${sign(input.secret, signingPayload(input))}`;
}

export function verifySignature(input: {
  readonly header: string | undefined;
  readonly secret: string;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey?: string;
  readonly body: string | Buffer;
  readonly nowS: number;
}): SignatureCheck {
  if (input.header === undefined || input.header === '')
    return { ok: false, code: 'signature_missing' };
  const parts = new Map<string, string>();
  for (const piece of input.header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const t = parts.get('t');
  const v1 = parts.get('v1');
  const nonce = parts.get('n');
  if (
    t === undefined ||
    v1 === undefined ||
    !/^[0-9]{1,12}$/.test(t) ||
    !/^[0-9a-f]{64}$/.test(v1)
  ) {
    return { ok: false, code: 'signature_invalid' };
  }
  if (nonce !== undefined && !NONCE.test(nonce)) return { ok: false, code: 'signature_invalid' };
  const timestamp = Number.parseInt(t, 10);
  if (Math.abs(input.nowS - timestamp) > SIGNATURE_TOLERANCE_S)
    return { ok: false, code: 'signature_expired' };
  const payload = signingPayload({
    timestamp,
    ...(nonce !== undefined ? { nonce } : {}),
    method: input.method,
    path: input.path,
    ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    body: input.body,
  });
  const expected = Buffer.from(sign(input.secret, payload), 'hex');
  const given = Buffer.from(v1, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, code: 'signature_invalid' };
  }
  return { ok: true, timestamp, signature: v1 };
}

/** How long a used signature is remembered: twice the tolerance, so none is accepted twice. */
export const SIGNATURE_MEMORY_MS = BigInt(SIGNATURE_TOLERANCE_S * 2 * 1_000);
