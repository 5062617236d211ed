import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signatures for money-moving calls. The header is
 * `OnePIN-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `<t>.<METHOD>.<path with query>.<hex SHA-256 of the raw body>`, keyed with the API key's
 * signing secret. Pure: the caller passes the current time.
 */
export const SIGNATURE_TOLERANCE_S = 300;

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number; readonly signature: string }
  | {
      readonly ok: false;
      readonly code: 'signature_missing' | 'signature_invalid' | 'signature_expired';
    };

export function bodyDigest(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signingPayload(input: {
  readonly timestamp: number;
  readonly method: string;
  readonly path: string;
  readonly body: string | Buffer;
}): string {
  return `${input.timestamp}.${input.method.toUpperCase()}.${input.path}.${bodyDigest(input.body)}`;
}

export function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Builds the header value a client sends; used by our own clients and the docs' example. */
export function signatureHeader(input: {
  readonly secret: string;
  readonly timestamp: number;
  readonly method: string;
  readonly path: string;
  readonly body: string | Buffer;
}): string {
  return `t=${input.timestamp},v1=${sign(input.secret, signingPayload(input))}`;
}

export function verifySignature(input: {
  readonly header: string | undefined;
  readonly secret: string;
  readonly method: string;
  readonly path: string;
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
  if (
    t === undefined ||
    v1 === undefined ||
    !/^[0-9]{1,12}$/.test(t) ||
    !/^[0-9a-f]{64}$/.test(v1)
  ) {
    return { ok: false, code: 'signature_invalid' };
  }
  const timestamp = Number.parseInt(t, 10);
  if (Math.abs(input.nowS - timestamp) > SIGNATURE_TOLERANCE_S)
    return { ok: false, code: 'signature_expired' };
  const expected = Buffer.from(
    sign(
      input.secret,
      signingPayload({ timestamp, method: input.method, path: input.path, body: input.body }),
    ),
    'hex',
  );
  const given = Buffer.from(v1, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, code: 'signature_invalid' };
  }
  return { ok: true, timestamp, signature: v1 };
}

/** Records a signature as used; false when it was already seen (a replay inside the window). */
export const SIGNATURE_MEMORY_MS = BigInt(SIGNATURE_TOLERANCE_S * 2 * 1_000);
