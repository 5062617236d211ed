import { fail, ok, type Outcome } from '../kernel/index.ts';
import { authenticate, type Card } from '../cards/index.ts';
import type { Executor } from '../storage/index.ts';
import type { Principal } from './api-keys.ts';
import { authorizeCardShare } from './authorize.ts';
import { createPayment, type CreatePaymentInput } from './create.ts';
import type { PaymentsContext } from './context.ts';
import type { Payment } from './payment-row.ts';
import { refuse } from './refusal.ts';

/**
 * Checks PIN + password for a server-to-server charge, outside any transaction so that a wrong
 * password is counted against the card even though the charge does not go ahead.
 */
export async function chargeCredentials(
  ctx: PaymentsContext,
  principal: Principal,
  input: { readonly pin: string; readonly password: string },
): Promise<Outcome<Card>> {
  if (!principal.trusted) return fail('associate_not_trusted');
  return authenticate(ctx.cards, input);
}

/**
 * A server-to-server charge for trusted channels (IVR, PC communication): the whole amount from
 * one card, captured at once. Runs inside the caller's (idempotent) transaction.
 */
export async function chargeCard(
  ctx: PaymentsContext,
  tx: Executor,
  principal: Principal,
  card: Card,
  input: Omit<CreatePaymentInput, 'captureMode' | 'returnUrl'>,
): Promise<Outcome<Payment>> {
  if (!principal.trusted) return fail('associate_not_trusted');
  const created = await createPayment(ctx, tx, principal, { ...input, captureMode: 'auto' });
  if (!created.ok) return created;
  const authorized = await authorizeCardShare(ctx, tx, created.value.id, card, {
    exactAmount: true,
  });
  if (!authorized.ok)
    refuse(authorized.error.code, authorized.error.param, authorized.error.detail);
  return ok(authorized.value.payment);
}
