import { fail, isCurrency, limits, newId, ok, type Outcome } from '../kernel/index.ts';
import { beforeCursor, type Executor } from '../storage/index.ts';
import type { Principal } from './api-keys.ts';
import { getAssociate, returnUrlAllowed } from './associates.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { loadPayment, type CaptureMode, type Payment } from './payment-row.ts';

export const HOLD_LIFETIME_DEFAULT_MS = 7n * 86_400_000n;
export const HOLD_LIFETIME_MIN_MS = 60_000n;

export interface CreatePaymentInput {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly orderReference: string;
  readonly description?: string;
  readonly returnUrl?: string;
  readonly captureMode?: CaptureMode;
  readonly holdLifetimeMs?: bigint;
}

/** A new payment waiting for the holder; the holder pays on the hosted page at `hosted_url`. */
export async function createPayment(
  ctx: PaymentsContext,
  tx: Executor,
  principal: Principal,
  input: CreatePaymentInput,
): Promise<Outcome<Payment>> {
  if (input.amountMinor <= 0n) return fail('amount_must_be_positive', 'amount');
  if (input.amountMinor > limits.amountMaxMinor) return fail('amount_exceeds_limit', 'amount');
  if (!isCurrency(input.currency)) return fail('currency_invalid', 'currency');
  if (
    input.orderReference.trim() === '' ||
    input.orderReference.length > limits.referenceLengthMax
  ) {
    return fail('parameter_invalid', 'order_reference');
  }
  if ((input.description ?? '').length > 500) return fail('parameter_invalid', 'description');
  const lifetime = input.holdLifetimeMs ?? HOLD_LIFETIME_DEFAULT_MS;
  if (lifetime < HOLD_LIFETIME_MIN_MS || lifetime > limits.holdTimeoutMaxMs) {
    return fail('parameter_invalid', 'hold_lifetime_seconds', 'from 60 seconds to 30 days');
  }
  const associate = await getAssociate(tx, principal.associateId);
  if (associate === undefined) return fail('associate_not_found');
  if (input.returnUrl !== undefined && !returnUrlAllowed(associate, input.returnUrl)) {
    return fail('return_url_not_allowed', 'return_url');
  }
  const nowMs = ctx.clock.nowMs();
  const id = newId('pay');
  await paymentTables(tx)
    .insertInto('payment')
    .values({
      id,
      associate_id: associate.id,
      livemode: principal.livemode ? 1n : 0n,
      amount_minor: input.amountMinor,
      currency: input.currency,
      order_reference: input.orderReference,
      description: input.description ?? '',
      return_url: input.returnUrl ?? null,
      capture_mode: input.captureMode ?? 'manual',
      hold_lifetime_ms: lifetime,
      status: 'requires_payment',
      amount_authorized_minor: 0n,
      amount_captured_minor: 0n,
      amount_refunded_minor: 0n,
      fee_minor: 0n,
      fee_refunded_minor: 0n,
      expires_at_ms: null,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    })
    .execute();
  const payment = await loadPayment(ctx, tx, id);
  return payment === undefined ? fail('payment_not_found') : ok(payment);
}

export interface ListQuery {
  readonly limit: number;
  /** A payment id: the page starts after it (newest first). */
  readonly startingAfter?: string;
}

/** One page of an associate's payments in one mode, newest first. */
export async function listPayments(
  ctx: PaymentsContext,
  executor: Executor,
  principal: Principal,
  q: ListQuery,
): Promise<Outcome<{ readonly data: Payment[]; readonly hasMore: boolean }>> {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > 100)
    return fail('parameter_invalid', 'limit');
  const t = paymentTables(executor);
  let query = t
    .selectFrom('payment')
    .select(['id', 'created_at_ms'])
    .where('associate_id', '=', principal.associateId)
    .where('livemode', '=', principal.livemode ? 1n : 0n)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.startingAfter !== undefined) {
    const cursor = await t
      .selectFrom('payment')
      .select(['id', 'created_at_ms'])
      .where('id', '=', q.startingAfter)
      .where('associate_id', '=', principal.associateId)
      .executeTakeFirst();
    if (cursor === undefined) return fail('parameter_invalid', 'starting_after');
    query = query.where(beforeCursor('created_at_ms', 'id', cursor));
  }
  const rows = await query.execute();
  const data: Payment[] = [];
  for (const row of rows.slice(0, q.limit)) {
    const payment = await loadPayment(ctx, executor, row.id);
    if (payment !== undefined) data.push(payment);
  }
  return ok({ data, hasMore: rows.length > q.limit });
}
