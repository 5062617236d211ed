import { hkdfSync } from 'node:crypto';
import { assert, openBytes, sealBytes } from '../kernel/index.ts';

/**
 * Rendered bodies are sealed with AES-256-GCM before they reach the database: a gift mail
 * carries a card's PIN, and nothing that opens a card may rest in the clear. One fresh 96-bit
 * nonce per row and one sealing per row (text and HTML together), so a nonce is never reused
 * under the key. The row id is the associated data: a sealed body copied into another row does
 * not open there.
 */
export const BODY_KEY_BYTES = 32;

export interface Body {
  readonly text: string;
  readonly html: string;
}

export interface SealedBody {
  /** base64 */
  readonly nonce: string;
  /** base64 of ciphertext then tag */
  readonly sealed: string;
}

function aad(rowId: string): string {
  return `onepin:notify_email:v1:${rowId}`;
}

export function assertBodyKey(key: Buffer): void {
  assert(key.length === BODY_KEY_BYTES, 'the e-mail body key is 32 bytes (AES-256)');
}

/** Stored as two base64 columns (nonce; ciphertext then tag). */
export function sealToColumns(key: Buffer, aadText: string, plain: string): SealedBody {
  assertBodyKey(key);
  const { nonce, body } = sealBytes(key, aadText, Buffer.from(plain, 'utf8'));
  return { nonce: nonce.toString('base64'), sealed: body.toString('base64') };
}

/** Throws when the key is wrong or the row was tampered with (GCM authentication fails). */
export function openColumns(key: Buffer, aadText: string, stored: SealedBody): string {
  assertBodyKey(key);
  const plain = openBytes(key, aadText, {
    nonce: Buffer.from(stored.nonce, 'base64'),
    body: Buffer.from(stored.sealed, 'base64'),
  });
  // Not an assertion: a replaced key is an operating condition the outbox handles (it gives up).
  if (plain === null) throw new Error('the sealed row does not open under this key');
  return plain.toString('utf8');
}

export function sealBody(key: Buffer, rowId: string, body: Body): SealedBody {
  return sealToColumns(key, aad(rowId), JSON.stringify({ text: body.text, html: body.html }));
}

/** Throws when the key is wrong or the row was tampered with (GCM authentication fails). */
export function openBody(key: Buffer, rowId: string, stored: SealedBody): Body {
  const parsed = JSON.parse(openColumns(key, aad(rowId), stored)) as {
    text?: unknown;
    html?: unknown;
  };
  assert(
    typeof parsed.text === 'string' && typeof parsed.html === 'string',
    'a sealed body holds text and html',
  );
  return { text: parsed.text, html: parsed.html };
}

/**
 * A body key derived from another secret of at least 256 bits (HKDF-SHA256 with its own
 * label), for deployments whose key file has no separate e-mail key: no new secret to keep,
 * and the derived key reveals nothing about its root.
 */
export function deriveEmailBodyKey(rootSecret: Buffer): Buffer {
  assert(rootSecret.length >= BODY_KEY_BYTES, 'the root secret has at least 256 bits');
  return Buffer.from(
    hkdfSync('sha256', rootSecret, Buffer.alloc(0), 'onepin:notify:email-body:v1', BODY_KEY_BYTES),
  );
}
