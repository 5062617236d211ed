import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ok } from '../../kernel/index.ts';
import {
  attemptJson,
  deliveryJson,
  getDelivery,
  listDeliveries,
  redeliverEvent,
  type Principal,
} from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import type { GatewayDeps } from './context.ts';
import { mutate } from './mutate.ts';
import {
  DeliveryDetailSchema,
  DeliveryListQuery,
  DeliverySchema,
  IdParams,
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

/** The delivery log of webhooks (read with events:read) and manual redelivery. */
export function registerWebhookRoutes(root: FastifyInstance, deps: GatewayDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = deps.payments;

  app.get('/webhook_deliveries', {
    config: { scope: 'events:read' },
    schema: {
      tags: ['webhooks'],
      summary: 'List webhook deliveries',
      description:
        'Each delivery of an event to your webhook URL with its attempt count, last answer and next retry, newest first.',
      security,
      querystring: DeliveryListQuery,
      response: { 200: listOf(DeliverySchema, 'WebhookDeliveryList'), ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const q = request.query;
      const page = await listDeliveries(ctx.db.kysely, principal, {
        limit: q.limit ?? 10,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
        ...(q.event !== undefined ? { eventId: q.event } : {}),
      });
      if (!page.ok) throw apiError(page.error.code, page.error.param);
      return {
        object: 'list' as const,
        data: page.value.data.map(deliveryJson),
        has_more: page.value.hasMore,
      };
    },
  });

  app.get('/webhook_deliveries/:id', {
    config: { scope: 'events:read' },
    schema: {
      tags: ['webhooks'],
      summary: 'Retrieve a webhook delivery',
      description: 'The delivery with every attempt: when, your status code, the error, how long.',
      security,
      params: IdParams,
      response: { 200: DeliveryDetailSchema, ...errorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal);
      const found = await getDelivery(ctx.db.kysely, principal, request.params.id);
      if (found === undefined) throw apiError('webhook_delivery_not_found', 'id');
      return { ...deliveryJson(found.delivery), attempt_log: found.attempts.map(attemptJson) };
    },
  });

  app.post('/events/:id/redeliver', {
    config: { scope: 'payments:write', signed: true },
    schema: {
      tags: ['webhooks'],
      summary: 'Redeliver an event',
      description:
        'Sends the event to your current webhook URL again, now, as a new delivery with its own retries. The `webhook-id` header is the event id, as before.',
      security: signedSecurity,
      headers: PostHeaders,
      params: IdParams,
      response: { 201: DeliverySchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal);
      return mutate(
        deps,
        request,
        reply,
        async (tx) => {
          const delivery = await redeliverEvent(ctx, tx, principal, request.params.id);
          return delivery.ok ? ok(deliveryJson(delivery.value)) : delivery;
        },
        201,
      );
    },
  });
}
