import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assert } from '../kernel/index.ts';
import { assertBodyKey } from './body-seal.ts';

/**
 * SMS texts are sealed like e-mail bodies (body-seal.ts): AES-256-GCM under the notify body
 * key, a fresh 96-bit nonce per row, the row id in the associated data (with its own label, so
 * an e-mail body and an SMS text never open as each other). A sold PIN travels in an SMS.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export interface SealedText {
  /** base64 */
  readonly nonce: string;
  /** base64 of ciphertext then tag */
  readonly sealed: string;
}

function aad(rowId: string): Buffer {
  return Buffer.from(`onepin:notify_sms:v1:${rowId}`, 'utf8');
}

export function sealSmsText(key: Buffer, rowId: string, text: string): SealedText {
  assertBodyKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(rowId));
  const plain = Buffer.from(text, 'utf8');
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString('base64'), sealed: sealed.toString('base64') };
}

/** Throws when the key is wrong or the row was tampered with (GCM authentication fails). */
export function openSmsText(key: Buffer, rowId: string, stored: SealedText): string {
  assertBodyKey(key);
  const nonce = Buffer.from(stored.nonce, 'base64');
  const all = Buffer.from(stored.sealed, 'base64');
  assert(nonce.length === NONCE_BYTES, 'a stored nonce is 12 bytes');
  assert(all.length >= TAG_BYTES, 'a stored text carries its tag');
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(rowId));
  decipher.setAuthTag(all.subarray(all.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(all.subarray(0, all.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}
