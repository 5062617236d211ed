import { createHmac } from 'node:crypto';
import { assert, openText, sealText } from '../kernel/index.ts';

/**
 * Provider PINs must be shown again (to the holder who buys one, in the e-mail), so unlike our
 * own PINs they cannot be a one-way hash: each is sealed with AES-256-GCM under a key held
 * outside the database, with a fresh 96-bit nonce, bound to its pool row (the row id is the
 * associated data, so a sealed PIN copied into another row does not open). Format:
 * `v1.<nonce>.<ciphertext+tag>` in base64url. Duplicates are found on a keyed digest
 * (HMAC-SHA256 under a second key), never on the PIN itself.
 */
export const FOREIGN_KEY_BYTES = 32;

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

function aad(rowId: string): string {
  return `onepin:foreign_pin:v1:${rowId}`;
}

export function sealPin(keys: ForeignKeys, rowId: string, pin: string): string {
  return sealText(keys.seal, aad(rowId), pin);
}

/** The PIN, or null when it was sealed for another row or under another key, or was changed. */
export function unsealPin(keys: ForeignKeys, rowId: string, sealed: string): string | null {
  return openText(keys.seal, aad(rowId), sealed);
}

/** The duplicate key of a normalized PIN, per provider. */
export function pinDigest(keys: ForeignKeys, providerId: string, normalized: string): string {
  return createHmac('sha256', keys.digest).update(`${providerId}\n${normalized}`).digest('hex');
}
