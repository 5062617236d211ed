import { openColumns, sealToColumns, type SealedBody } from './body-seal.ts';

/**
 * SMS texts are sealed like e-mail bodies (body-seal.ts): AES-256-GCM under the notify body
 * key, a fresh 96-bit nonce per row, the row id in the associated data (with its own label, so
 * an e-mail body and an SMS text never open as each other). A sold PIN travels in an SMS.
 */
export type SealedText = SealedBody;

function aad(rowId: string): string {
  return `onepin:notify_sms:v1:${rowId}`;
}

export function sealSmsText(key: Buffer, rowId: string, text: string): SealedText {
  return sealToColumns(key, aad(rowId), text);
}

/** Throws when the key is wrong or the row was tampered with (GCM authentication fails). */
export function openSmsText(key: Buffer, rowId: string, stored: SealedText): string {
  return openColumns(key, aad(rowId), stored);
}
