import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assert } from '../kernel/index.ts';

/**
 * A PIN (or a claim secret) must wait between the moment its order is fulfilled and the moment
 * the buyer takes the card (shown once, activated for themselves or sent as a gift). It waits
 * sealed with AES-256-GCM under a key held outside the database, bound to the row it belongs to
 * (the additional data), and is erased once handed over. Format: `v1.<nonce>.<ciphertext+tag>`.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function seal(key: Buffer, boundTo: string, plain: string): string {
  assert(key.length === 32, 'an AES-256 key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(boundTo, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
}

/** The sealed text, or null when it was sealed for another row, changed or is malformed. */
export function unseal(key: Buffer, boundTo: string, sealed: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const nonce = Buffer.from(parts[1] ?? '', 'base64url');
  const body = Buffer.from(parts[2] ?? '', 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}
