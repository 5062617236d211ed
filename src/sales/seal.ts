import { openText, sealText } from '../kernel/index.ts';

/**
 * A PIN (or a claim secret) must wait between the moment its order is fulfilled and the moment
 * the buyer takes the card (shown once, activated for themselves or sent as a gift). It waits
 * sealed (AES-256-GCM, src/kernel/seal.ts) under a key held outside the database, bound to the
 * row it belongs to, and is erased once handed over.
 */
export function seal(key: Buffer, boundTo: string, plain: string): string {
  return sealText(key, boundTo, plain);
}

/** The sealed text, or null when it was sealed for another row, changed or is malformed. */
export function unseal(key: Buffer, boundTo: string, sealed: string): string | null {
  return openText(key, boundTo, sealed);
}
