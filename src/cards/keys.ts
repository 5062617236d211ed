import { createHmac, timingSafeEqual } from 'node:crypto';
import { assert, limits } from '../kernel/index.ts';

/**
 * Secrets that never live in the database: PINs, passwords and activation codes are stored as
 * HMAC-SHA256 under these keys, so a stolen database cannot be searched offline. The keys come
 * from a key file or the environment (see src/main/keys-file.ts).
 */
export interface SecretKey {
  readonly id: string;
  readonly secret: Buffer;
}

export interface KeyRing {
  /** Every PIN key ever used, oldest first; the last one is current. */
  readonly pinKeys: readonly SecretKey[];
  readonly passwordKey: SecretKey;
  readonly activationKey: SecretKey;
}

const KEY_ID = /^[a-z0-9]{1,16}$/;

export function checkKeyRing(ring: KeyRing): void {
  assert(ring.pinKeys.length > 0, 'at least one PIN key');
  assert(ring.pinKeys.length <= limits.pinKeysMax, 'PIN keys within pinKeysMax');
  const ids = new Set<string>();
  for (const key of [...ring.pinKeys, ring.passwordKey, ring.activationKey]) {
    assert(KEY_ID.test(key.id), `key id ${key.id} is 1–16 lowercase letters or digits`);
    assert(key.secret.length >= 32, `key ${key.id} has at least 256 bits`);
  }
  for (const key of ring.pinKeys) {
    assert(!ids.has(key.id), `PIN key id ${key.id} is unique`);
    ids.add(key.id);
  }
}

export function currentPinKey(ring: KeyRing): SecretKey {
  const key = ring.pinKeys.at(-1);
  assert(key !== undefined, 'a current PIN key');
  return key;
}

function hmacHex(secret: Buffer, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

function pinKey(ring: KeyRing, id: string): SecretKey | undefined {
  return ring.pinKeys.find((k) => k.id === id);
}

/**
 * A PIN's stored hash under a key chain. A chain is one key id (`k2`) or, after a background
 * re-key that had no PIN to hand, a wrap of an older hash (`k2/k1` = HMAC(k2, HMAC(k1, pin))).
 * Returns null when the chain names a key the ring does not have.
 */
export function pinHashUnder(ring: KeyRing, chain: string, pin: string): string | null {
  const ids = chain.split('/').reverse();
  let value = pin;
  for (const id of ids) {
    const key = pinKey(ring, id);
    if (key === undefined) return null;
    value = hmacHex(key.secret, value);
  }
  return value;
}

/** Wraps a stored hash under the current key: re-keys a card without knowing its PIN. */
export function wrapPinHash(
  ring: KeyRing,
  chain: string,
  hash: string,
): { chain: string; hash: string } {
  const key = currentPinKey(ring);
  return { chain: `${key.id}/${chain}`, hash: hmacHex(key.secret, hash) };
}

/** The password verifier, salted with the card id so equal passwords hash differently. */
export function passwordHash(ring: KeyRing, cardId: string, password: string): string {
  return hmacHex(ring.passwordKey.secret, `${cardId}:${password}`);
}

export function activationHash(ring: KeyRing, cardId: string, secret: string): string {
  return hmacHex(ring.activationKey.secret, `${cardId}:${secret}`);
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
