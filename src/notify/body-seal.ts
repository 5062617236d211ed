import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { assert } from '../kernel/index.ts';

/**
 * Rendered bodies are sealed with AES-256-GCM before they reach the database: a gift mail
 * carries a card's PIN, and nothing that opens a card may rest in the clear. One fresh 96-bit
 * nonce per row and one sealing per row (text and HTML together), so a nonce is never reused
 * under the key. The row id is the associated data: a sealed body copied into another row does
 * not open there.
 */
export const BODY_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

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

function aad(rowId: string): Buffer {
  return Buffer.from(`onepin:notify_email:v1:${rowId}`, 'utf8');
}

export function assertBodyKey(key: Buffer): void {
  assert(key.length === BODY_KEY_BYTES, 'the e-mail body key is 32 bytes (AES-256)');
}

export function sealBody(key: Buffer, rowId: string, body: Body): SealedBody {
  assertBodyKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(rowId));
  const plain = Buffer.from(JSON.stringify({ text: body.text, html: body.html }), 'utf8');
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString('base64'), sealed: sealed.toString('base64') };
}

/** Throws when the key is wrong or the row was tampered with (GCM authentication fails). */
export function openBody(key: Buffer, rowId: string, stored: SealedBody): Body {
  assertBodyKey(key);
  const nonce = Buffer.from(stored.nonce, 'base64');
  const all = Buffer.from(stored.sealed, 'base64');
  assert(nonce.length === NONCE_BYTES, 'a stored nonce is 12 bytes');
  assert(all.length >= TAG_BYTES, 'a stored body carries its tag');
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(rowId));
  decipher.setAuthTag(all.subarray(all.length - TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(all.subarray(0, all.length - TAG_BYTES)),
    decipher.final(),
  ]);
  const parsed = JSON.parse(plain.toString('utf8')) as { text?: unknown; html?: unknown };
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
