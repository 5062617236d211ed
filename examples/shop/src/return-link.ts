import { createHmac, timingSafeEqual } from 'node:crypto';

/** A return link older than this is refused (the holder comes back seconds after paying). */
export const RETURN_LINK_MAX_AGE_S = 600;

export type ReturnCheck =
  | { readonly ok: true; readonly paymentId: string; readonly status: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The gateway sends the holder back to `return_url?payment_id=…&status=…&ts=…&signature=…`, the
 * signature being hex HMAC-SHA256 over `payment_id.status.ts` keyed with the bytes of our webhook
 * secret (`whsec_` + base64). A valid link proves the redirect came from OnePIN; the shop still
 * asks the API for the payment before it ships anything.
 */
export function verifyReturnLink(
  query: URLSearchParams,
  webhookSecret: string,
  nowS: number,
): ReturnCheck {
  const paymentId = query.get('payment_id');
  const status = query.get('status');
  const ts = query.get('ts');
  const signature = query.get('signature');
  if (paymentId === null || status === null || ts === null || signature === null)
    return { ok: false, reason: 'the link lacks payment_id, status, ts or signature' };
  if (!/^[0-9]{1,12}$/.test(ts) || !/^[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'the link is malformed' };
  if (Math.abs(nowS - Number(ts)) > RETURN_LINK_MAX_AGE_S)
    return { ok: false, reason: 'the link has expired' };
  const key = Buffer.from(webhookSecret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${paymentId}.${status}.${ts}`).digest();
  const given = Buffer.from(signature, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true, paymentId, status };
}
