import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ok } from '../../kernel/index.ts';
import {
  capturePayment,
  chargeCard,
  chargeCredentials,
  createPayment,
  getRefund,
  listPayments,
  listRefunds,
  loadPayment,
  paymentJson,
  refundJson,
  refundPayment,
  voidPayment,
  type Principal,
} from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import type { GatewayDeps } from './context.ts';
import { mutate, replayIfSeen } from './mutate.ts';
import {
  CaptureBody,
  ChargeBody,
  CreatePaymentBody,
  IdParams,
  ListQuery,
  PaymentSchema,
  RefundBody,
  RefundSchema,
  listOf,
  PostHeaders,
  errorResponses,
  security,
  signedSecurity,
} from './schemas.ts';

function me(principal: Principal | undefined): Principal {
  if (principal === undefined) throw apiError('api_key_invalid');
  return principal;
}

export function registerPaymentRoutes(root: FastifyInstance, deps: GatewayDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = deps.payments;

  app.post('/payments', {
    config: { scope: 'payments:write', signed: true },
    schema: {
      tags: ['payments'],
      summary: 'Create a payment',
      description: 'Creates a payment and returns the `hosted_url` to send the holder to.',
      security: signedSecurity,
      headers: PostHeaders,
      body: CreatePaymentBody,
      response: { 201: PaymentSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      const b = request.body;
      return mutate(
        deps,
        request,
        reply,
        async (tx) => {
          const created = await createPayment(ctx, tx, principal, {
            amountMinor: BigInt(b.amount),
            currency: b.currency,
            orderReference: b.order_reference,
            ...(b.description !== undefined ? { description: b.description } : {}),
            ...(b.return_url !== undefined ? { returnUrl: b.return_url } : {}),
            ...(b.capture_mode !== undefined ? { captureMode: b.capture_mode } : {}),
            ...(b.hold_lifetime_seconds !== undefined
              ? { holdLifetimeMs: BigInt(b.hold_lifetime_seconds) * 1_000n }
              : {}),
          });
          return created.ok ? ok(paymentJson(ctx, created.value)) : created;
        },
        201,
      );
    },
  });

  app.get('/payments', {
    config: { scope: 'payments:read' },
    schema: {
      tags: ['payments'],
      summary: 'List payments',
      security,
      querystring: ListQuery,
      response: { 200: listOf(PaymentSchema, 'PaymentList'), ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const page = await listPayments(ctx, ctx.db.kysely, principal, {
        limit: request.query.limit ?? 10,
        ...(request.query.starting_after !== undefined
          ? { startingAfter: request.query.starting_after }
          : {}),
      });
      if (!page.ok) throw apiError(page.error.code, page.error.param);
      return {
        object: 'list' as const,
        data: page.value.data.map((p) => paymentJson(ctx, p)),
        has_more: page.value.hasMore,
      };
    },
  });

  app.get('/payments/:id', {
    config: { scope: 'payments:read' },
    schema: {
      tags: ['payments'],
      summary: 'Retrieve a payment',
      security,
      params: IdParams,
      response: { 200: PaymentSchema, ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const payment = await loadPayment(ctx, ctx.db.kysely, request.params.id, {
        associateId: principal.associateId,
        livemode: principal.livemode,
      });
      if (payment === undefined) throw apiError('payment_not_found', 'id');
      return paymentJson(ctx, payment);
    },
  });

  const scoped = async (tx: Parameters<typeof loadPayment>[1], principal: Principal, id: string) =>
    loadPayment(ctx, tx, id, {
      associateId: principal.associateId,
      livemode: principal.livemode,
      lock: true,
    });

  app.post('/payments/:id/capture', {
    config: { scope: 'payments:write', signed: true },
    schema: {
      tags: ['payments'],
      summary: 'Capture a payment',
      description: 'Captures all or part of what is authorized; may be called several times.',
      security: signedSecurity,
      headers: PostHeaders,
      params: IdParams,
      body: CaptureBody,
      response: { 200: PaymentSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      return mutate(deps, request, reply, async (tx) => {
        const payment = await scoped(tx, principal, request.params.id);
        if (payment === undefined)
          return { ok: false, error: { code: 'payment_not_found', param: 'id' } };
        const amount = request.body.amount;
        const captured = await capturePayment(
          ctx,
          tx,
          payment,
          amount === undefined ? undefined : BigInt(amount),
        );
        return captured.ok ? ok(paymentJson(ctx, captured.value)) : captured;
      });
    },
  });

  app.post('/payments/:id/void', {
    config: { scope: 'payments:write', signed: true },
    schema: {
      tags: ['payments'],
      summary: 'Void a payment',
      description: 'Releases everything still held.',
      security: signedSecurity,
      headers: PostHeaders,
      params: IdParams,
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: PaymentSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      return mutate(deps, request, reply, async (tx) => {
        const payment = await scoped(tx, principal, request.params.id);
        if (payment === undefined)
          return { ok: false, error: { code: 'payment_not_found', param: 'id' } };
        const voided = await voidPayment(ctx, tx, payment);
        return voided.ok ? ok(paymentJson(ctx, voided.value)) : voided;
      });
    },
  });

  app.post('/refunds', {
    config: { scope: 'refunds:write', signed: true },
    schema: {
      tags: ['refunds'],
      summary: 'Refund a payment',
      description:
        'Returns captured money to the cards it came from; partial and repeated refunds allowed.',
      security: signedSecurity,
      headers: PostHeaders,
      body: RefundBody,
      response: { 201: RefundSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      const b = request.body;
      return mutate(
        deps,
        request,
        reply,
        async (tx) => {
          const payment = await scoped(tx, principal, b.payment);
          if (payment === undefined)
            return { ok: false, error: { code: 'payment_not_found', param: 'payment' } };
          const refunded = await refundPayment(ctx, tx, payment, {
            ...(b.amount !== undefined ? { amountMinor: BigInt(b.amount) } : {}),
            ...(b.reason !== undefined ? { reason: b.reason } : {}),
          });
          return refunded.ok ? ok(refundJson(refunded.value.refund)) : refunded;
        },
        201,
      );
    },
  });

  app.get('/refunds', {
    config: { scope: 'payments:read' },
    schema: {
      tags: ['refunds'],
      summary: 'List refunds',
      security,
      querystring: Type.Intersect([
        ListQuery,
        Type.Object({ payment: Type.Optional(Type.String({ maxLength: 64 })) }),
      ]),
      response: { 200: listOf(RefundSchema, 'RefundList'), ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const q = request.query;
      const page = await listRefunds(
        ctx.db.kysely,
        {
          associateId: principal.associateId,
          livemode: principal.livemode,
          ...(q.payment !== undefined ? { paymentId: q.payment } : {}),
        },
        q.limit ?? 10,
        q.starting_after,
      );
      if (!page.ok) throw apiError(page.error.code, page.error.param);
      return {
        object: 'list' as const,
        data: page.value.data.map(refundJson),
        has_more: page.value.hasMore,
      };
    },
  });

  app.get('/refunds/:id', {
    config: { scope: 'payments:read' },
    schema: {
      tags: ['refunds'],
      summary: 'Retrieve a refund',
      security,
      params: IdParams,
      response: { 200: RefundSchema, ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const refund = await getRefund(ctx.db.kysely, request.params.id, principal);
      if (refund === undefined) throw apiError('refund_not_found', 'id');
      return refundJson(refund);
    },
  });

  app.post('/charges', {
    config: { scope: 'charges:write', signed: true },
    schema: {
      tags: ['payments'],
      summary: 'Charge a card server to server',
      description:
        'For trusted channels (IVR, PC communication): PIN + password + amount, captured at once. The same card lockout applies.',
      security: signedSecurity,
      headers: PostHeaders,
      body: ChargeBody,
      response: { 201: PaymentSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      const b = request.body;
      if (!principal.trusted) throw apiError('associate_not_trusted');
      // A retry of a charge already made gets its answer without checking the password again
      // (the holder may have changed it since).
      const replayed = await replayIfSeen(deps, request, reply);
      if (replayed !== null) return replayed;
      // Credentials are checked outside the idempotent transaction: a wrong password counts
      // against the card even though no charge is made.
      const card = await chargeCredentials(ctx, principal, { pin: b.pin, password: b.password });
      if (!card.ok) throw apiError(card.error.code, card.error.param);
      return mutate(
        deps,
        request,
        reply,
        async (tx) => {
          const charged = await chargeCard(ctx, tx, principal, card.value, {
            amountMinor: BigInt(b.amount),
            currency: b.currency,
            orderReference: b.order_reference,
            ...(b.description !== undefined ? { description: b.description } : {}),
          });
          return charged.ok ? ok(paymentJson(ctx, charged.value)) : charged;
        },
        201,
      );
    },
  });
}
