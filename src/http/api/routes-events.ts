import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listEvents, getEvent } from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import type { GatewayDeps } from './context.ts';
import { EventSchema, IdParams, ListQuery, errorResponses, listOf, security } from './schemas.ts';

export function registerEventRoutes(root: FastifyInstance, deps: GatewayDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = deps.payments;

  app.get('/events', {
    config: { scope: 'events:read' },
    schema: {
      tags: ['events'],
      summary: 'List events',
      description: 'Every event sent (or to be sent) to your webhook, newest first.',
      security,
      querystring: Type.Intersect([
        ListQuery,
        Type.Object({ type: Type.Optional(Type.String({ maxLength: 64 })) }),
      ]),
      response: { 200: listOf(EventSchema, 'EventList'), ...errorResponses },
    },
    handler: async (request) => {
      const principal = request.principal;
      if (principal === undefined) throw apiError('api_key_invalid');
      const q = request.query;
      const page = await listEvents(ctx.db.kysely, principal, {
        limit: q.limit ?? 10,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
        ...(q.type !== undefined ? { type: q.type } : {}),
      });
      if (!page.ok) throw apiError(page.error.code, page.error.param);
      return { object: 'list' as const, data: page.value.data, has_more: page.value.hasMore };
    },
  });

  app.get('/events/:id', {
    config: { scope: 'events:read' },
    schema: {
      tags: ['events'],
      summary: 'Retrieve an event',
      security,
      params: IdParams,
      response: { 200: EventSchema, ...errorResponses },
    },
    handler: async (request) => {
      const principal = request.principal;
      if (principal === undefined) throw apiError('api_key_invalid');
      const event = await getEvent(ctx.db.kysely, principal, request.params.id);
      if (event === undefined) throw apiError('event_not_found', 'id');
      return event;
    },
  });
}
