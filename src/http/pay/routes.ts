import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail, formatMoney, type DomainError, type Outcome } from '../../kernel/index.ts';
import {
  authorizeWithCard,
  loadPayment,
  refusable,
  signedReturnUrl,
  voidPayment,
  type AuthorizeResult,
  type Payment,
  type PaymentsContext,
} from '../../payments/index.ts';
import { statusOf } from '../shared/errors.ts';
import { fieldOf, messageOf, type PageMessage } from './messages.ts';
import { hasLapsed, outcomeOf, paymentView } from './view-model.ts';
import { csrfTokenFor, formField, postRateLimit, sendMessage, sendPage } from './web.ts';

export const PAY_STYLESHEET = '/pay/assets/pages.css';

/** Payment ids as `newId('pay')` makes them; anything else is not looked up at all. */
const PAYMENT_ID = /^pay_[a-z0-9]{1,40}$/;

/** Longest password we pass on (passwords are 4–12 digits; this only bounds the work). */
const PASSWORD_INPUT_MAX_CHARS = 64;

interface IdParams {
  readonly id: string;
}

interface FormError {
  readonly field: 'pin' | 'password' | 'both';
  readonly message: PageMessage;
}

interface Notice {
  readonly en: string;
  readonly ko: string;
}

/**
 * The hosted payment page (patent FIG. 6): the associate sends the holder to `/pay/:id`; the
 * holder enters PIN + password, card after card, until the amount is covered, and is sent back
 * with a signed result. Nothing typed here is ever echoed, logged or put in a URL.
 */
export function registerPayRoutes(app: FastifyInstance, ctx: PaymentsContext): void {
  async function showPayment(
    request: FastifyRequest,
    reply: FastifyReply,
    payment: Payment,
    extra: { readonly error?: FormError; readonly notice?: Notice; readonly status?: number } = {},
  ): Promise<FastifyReply> {
    const view = await paymentView(ctx, payment);
    const open = view.status === 'requires_payment';
    const outcome = outcomeOf(view.status);
    const backUrl = !open && outcome !== null ? signedReturnUrl(ctx, payment, outcome) : null;
    return sendPage(
      reply,
      open ? 'pay.eta' : 'pay-state.eta',
      {
        title: `${view.associateName} · OnePIN`,
        p: view,
        csrf: open ? csrfTokenFor(ctx, reply) : '',
        error: extra.error ?? null,
        notice: extra.notice ?? null,
        backUrl,
      },
      {
        status: extra.status ?? 200,
        formTarget: payment.returnUrl,
        stylesheetPath: PAY_STYLESHEET,
      },
    );
  }

  async function findPayment(id: string): Promise<Payment | undefined> {
    if (!PAYMENT_ID.test(id)) return undefined;
    return loadPayment(ctx, ctx.db.kysely, id);
  }

  app.get<{ Params: IdParams }>('/pay/:id', { schema: { hide: true } }, async (request, reply) => {
    const payment = await findPayment(request.params.id);
    if (payment === undefined) return sendMessage(request, reply, 'payment_not_found');
    return showPayment(request, reply, payment);
  });

  app.post<{ Params: IdParams }>(
    '/pay/:id',
    {
      schema: { hide: true },
      config: { rateLimit: postRateLimit('pay') },
      // The token is in the form body, which is parsed only by preValidation.
      preValidation: app.csrfProtection.bind(app),
    },
    async (request, reply) => {
      const payment = await findPayment(request.params.id);
      if (payment === undefined) return sendMessage(request, reply, 'payment_not_found');
      if (payment.status !== 'requires_payment' || hasLapsed(ctx, payment)) {
        return showPayment(request, reply, payment, { status: statusOf('payment_state_invalid') });
      }
      const pin = formField(request.body, 'pin');
      const password = formField(request.body, 'password');
      // An empty or absurd password is refused before any card is looked up, so no card's
      // attempt counter moves for it.
      const outcome: Outcome<AuthorizeResult> =
        password === '' || password.length > PASSWORD_INPUT_MAX_CHARS
          ? fail('parameter_invalid', 'password')
          : await authorizeWithCard(ctx, { paymentId: payment.id, pin, password });
      request.log.info(
        outcome.ok
          ? { payment: payment.id, result: 'authorized', card: outcome.value.card.id }
          : { payment: payment.id, result: outcome.error.code },
        'hosted page card entry',
      );
      if (!outcome.ok) return refused(request, reply, payment.id, outcome.error);
      const after = outcome.value.payment;
      if (after.status === 'requires_payment') {
        const share = formatMoney(outcome.value.part.amountMinor, after.currency);
        const left = formatMoney(after.amountMinor - after.authorizedMinor, after.currency);
        const last4 = outcome.value.card.pinLast4;
        return showPayment(request, reply, after, {
          notice: {
            en: `Card ending ${last4} covered ${share}. ${left} is still to pay: enter another card.`,
            ko: `끝자리 ${last4} 카드로 ${share}을 결제했습니다. 남은 ${left}은 다른 카드로 결제하세요.`,
          },
        });
      }
      return finish(reply, after, 'succeeded');
    },
  );

  app.post<{ Params: IdParams }>(
    '/pay/:id/cancel',
    {
      schema: { hide: true },
      config: { rateLimit: postRateLimit('pay-cancel') },
      preValidation: app.csrfProtection.bind(app),
    },
    async (request, reply) => {
      const found = await findPayment(request.params.id);
      if (found === undefined) return sendMessage(request, reply, 'payment_not_found');
      const result = await refusable(ctx.db, async (tx) => {
        const payment = await loadPayment(ctx, tx, found.id, { lock: true });
        if (payment === undefined) return fail<Payment>('payment_not_found', 'payment');
        // The holder may drop a payment they have not finished; once it is covered, only the
        // associate decides (capture or void through the API).
        if (payment.status !== 'requires_payment') return fail<Payment>('payment_state_invalid');
        return voidPayment(ctx, tx, payment);
      });
      request.log.info(
        { payment: found.id, result: result.ok ? 'voided' : result.error.code },
        'hosted page cancel',
      );
      if (!result.ok) {
        const now = await loadPayment(ctx, ctx.db.kysely, found.id);
        if (now === undefined) return sendMessage(request, reply, 'payment_not_found');
        return showPayment(request, reply, now, { status: statusOf(result.error.code) });
      }
      return finish(reply, result.value, 'canceled');
    },
  );

  /** The holder is done: back to the associate with a signed result, or to our own page. */
  async function finish(
    reply: FastifyReply,
    payment: Payment,
    outcome: 'succeeded' | 'canceled',
  ): Promise<FastifyReply> {
    const url = signedReturnUrl(ctx, payment, outcome);
    return reply.redirect(url ?? `/pay/${payment.id}`, 303);
  }

  async function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    paymentId: string,
    error: DomainError,
  ): Promise<FastifyReply> {
    const now = await loadPayment(ctx, ctx.db.kysely, paymentId);
    if (now === undefined || error.code === 'payment_not_found') {
      return sendMessage(request, reply, 'payment_not_found');
    }
    return showPayment(request, reply, now, {
      status: statusOf(error.code),
      ...(error.code === 'payment_state_invalid'
        ? {}
        : { error: { field: fieldOf(error.code, error.param), message: messageOf(error.code) } }),
    });
  }
}
