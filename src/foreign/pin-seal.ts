import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { assert } from '../kernel/index.ts';

/**
 * Provider PINs must be shown again (to the holder who buys one, in the e-mail), so unlike our
 * own PINs they cannot be a one-way hash: each is sealed with AES-256-GCM under a key held
 * outside the database, with a fresh 96-bit nonce, bound to its pool row (the row id is the
 * associated data, so a sealed PIN copied into another row does not open). Format:
 * `v1.<nonce>.<ciphertext+tag>` in base64url. Duplicates are found on a keyed digest
 * (HMAC-SHA256 under a second key), never on the PIN itself.
 */
export const FOREIGN_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface ForeignKeys {
  /** Seals pool PINs (AES-256-GCM). */
  readonly seal: Buffer;
  /** Keys the duplicate digest (HMAC-SHA256). */
  readonly digest: Buffer;
}

export function assertForeignKeys(keys: ForeignKeys): void {
  assert(
    keys.seal.length === FOREIGN_KEY_BYTES && keys.digest.length === FOREIGN_KEY_BYTES,
    'foreign PIN keys are 32 bytes each',
  );
  assert(!keys.seal.equals(keys.digest), 'the seal and digest keys differ');
}

function aad(rowId: string): Buffer {
  return Buffer.from(`onepin:foreign_pin:v1:${rowId}`, 'utf8');
}

export function sealPin(keys: ForeignKeys, rowId: string, pin: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(rowId));
  const body = Buffer.concat([cipher.update(pin, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
}

/** The PIN, or null when it was sealed for another row or under another key, or was changed. */
export function unsealPin(keys: ForeignKeys, rowId: string, sealed: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const nonce = Buffer.from(parts[1] ?? '', 'base64url');
  const body = Buffer.from(parts[2] ?? '', 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(rowId));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}

/** The duplicate key of a normalized PIN, per provider. */
export function pinDigest(keys: ForeignKeys, providerId: string, normalized: string): string {
  return createHmac('sha256', keys.digest).update(`${providerId}\n${normalized}`).digest('hex');
}
