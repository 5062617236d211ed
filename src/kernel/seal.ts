import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assert } from './assert.ts';

/**
 * AES-256-GCM, the one way secrets that must be read again rest in the database or travel in a
 * URL (PINs waiting for their buyer, foreign PINs, e-mail bodies, SMS texts, IVR call state):
 * a fresh 96-bit nonce for every sealing, a 128-bit tag, and associated data that binds the
 * sealed text to where it belongs (a row id with a label), so it does not open anywhere else.
 */
export const SEAL_KEY_BYTES = 32;
export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;

export interface SealedParts {
  readonly nonce: Buffer;
  /** The ciphertext followed by the tag. */
  readonly body: Buffer;
}

export function sealBytes(key: Uint8Array, aad: string, plain: Uint8Array): SealedParts {
  assert(key.length === SEAL_KEY_BYTES, 'an AES-256 key has 32 bytes');
  const nonce = randomBytes(SEAL_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: SEAL_TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return {
    nonce,
    body: Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]),
  };
}

/** The plain bytes, or null when the key, the associated data or the bytes are not the sealer's. */
export function openBytes(key: Uint8Array, aad: string, parts: SealedParts): Buffer | null {
  assert(key.length === SEAL_KEY_BYTES, 'an AES-256 key has 32 bytes');
  const { nonce, body } = parts;
  if (nonce.length !== SEAL_NONCE_BYTES || body.length < SEAL_TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, {
      authTagLength: SEAL_TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - SEAL_TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - SEAL_TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}

/** Seals a text as `v1.<nonce>.<ciphertext+tag>` (base64url), for one text column. */
export function sealText(key: Uint8Array, aad: string, plain: string): string {
  const { nonce, body } = sealBytes(key, aad, Buffer.from(plain, 'utf8'));
  return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
}

/** The text sealed by `sealText`, or null when it was sealed elsewhere, changed or is malformed. */
export function openText(key: Uint8Array, aad: string, sealed: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const plain = openBytes(key, aad, {
    nonce: Buffer.from(parts[1] ?? '', 'base64url'),
    body: Buffer.from(parts[2] ?? '', 'base64url'),
  });
  return plain === null ? null : plain.toString('utf8');
}
