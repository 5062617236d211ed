import { createHmac } from 'node:crypto';
import { writeTransaction } from '../storage/index.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import type { Payment } from './payment-row.ts';
import { SIGNATURE_MEMORY_MS } from './signature.ts';

/**
 * An associate's webhook signing secret in the Standard Webhooks form (`whsec_` + base64 of 32
 * bytes), derived from the server's webhook key so it is never stored and can be shown again.
 */
export function webhookSecretOf(ctx: PaymentsContext, associateId: string): string {
  const raw = createHmac('sha256', ctx.keys.webhookKey.secret)
    .update(`webhook:${associateId}`)
    .digest();
  return `whsec_${raw.toString('base64')}`;
}

function webhookSecretBytes(ctx: PaymentsContext, associateId: string): Buffer {
  return Buffer.from(webhookSecretOf(ctx, associateId).slice('whsec_'.length), 'base64');
}

/** Standard Webhooks signature: base64 HMAC-SHA256 over `id.timestamp.body`. */
export function signWebhook(
  ctx: PaymentsContext,
  associateId: string,
  input: { readonly id: string; readonly timestampS: number; readonly body: string },
): string {
  const mac = createHmac('sha256', webhookSecretBytes(ctx, associateId))
    .update(`${input.id}.${input.timestampS}.${input.body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/**
 * Where the hosted page sends the holder back: the associate's return URL with the payment id,
 * its status, a timestamp and an HMAC over them under the associate's webhook secret, so the
 * shop can trust the redirect without calling us (though it should still check with GET).
 */
export function signedReturnUrl(
  ctx: PaymentsContext,
  payment: Payment,
  outcome: string,
): string | null {
  if (payment.returnUrl === null) return null;
  const ts = Math.floor(Number(ctx.clock.nowMs()) / 1000);
  const mac = createHmac('sha256', webhookSecretBytes(ctx, payment.associateId))
    .update(`${payment.id}.${outcome}.${ts}`)
    .digest('hex');
  const url = new URL(payment.returnUrl);
  url.searchParams.set('payment_id', payment.id);
  url.searchParams.set('status', outcome);
  url.searchParams.set('ts', String(ts));
  url.searchParams.set('signature', mac);
  return url.toString();
}

/** Remembers a request signature; false when it was seen before (a replay). */
export async function rememberSignature(
  ctx: PaymentsContext,
  keyId: string,
  signature: string,
): Promise<boolean> {
  return writeTransaction(ctx.db, async (tx) => {
    const seen = await paymentTables(tx)
      .selectFrom('api_signature_seen')
      .select('key_id')
      .where('key_id', '=', keyId)
      .where('signature', '=', signature)
      .executeTakeFirst();
    if (seen !== undefined) return false;
    await paymentTables(tx)
      .insertInto('api_signature_seen')
      .values({ key_id: keyId, signature, expires_at_ms: ctx.clock.nowMs() + SIGNATURE_MEMORY_MS })
      .execute();
    return true;
  });
}
