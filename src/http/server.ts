import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import type { CardsContext } from '../cards/index.ts';
import type { PaymentsContext } from '../payments/index.ts';
import type { Database } from '../storage/index.ts';
import { apiPlugin } from './api/plugin.ts';
import { ApiError, sendError } from './shared/errors.ts';

export interface HttpDeps {
  readonly db: Database;
  readonly payments: PaymentsContext;
  readonly cards: CardsContext;
  readonly logLevel?: string;
  /** Requests per minute per API key (or per IP without one). */
  readonly rateLimitPerMinute?: number;
}

export const API_PREFIX = '/api/v1';

/** Every field that could carry a secret is redacted from the logs. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["onepin-signature"]',
  'req.body.pin',
  'req.body.password',
];

/**
 * The HTTP server: merchant API (/api/v1, documented at /openapi.json and /docs), health, and
 * the pages that later issues add (hosted payment page, holder site, back office).
 */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'info', redact: LOG_REDACT },
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });

  // Keep the raw body: request signatures are computed over the exact bytes sent.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new ApiError({
          code: 'parameter_invalid',
          param: 'body',
          detail: 'the body is not valid JSON',
        }),
        undefined,
      );
    }
  });

  app.setErrorHandler(async (error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return sendError(request, reply, error.domain);
    if (error.validation !== undefined) {
      const first = error.validation[0];
      const path = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
      const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const param = path !== '' ? path : (missing ?? error.validationContext);
      return sendError(request, reply, {
        code: 'parameter_invalid',
        ...(param ? { param } : {}),
        detail: `${error.validationContext ?? 'request'} ${first?.message ?? 'is invalid'}`,
      });
    }
    if (error.statusCode === 429) return sendError(request, reply, { code: 'rate_limited' });
    if (error.statusCode === 413)
      return sendError(request, reply, {
        code: 'parameter_invalid',
        param: 'body',
        detail: 'the body is too large',
      });
    if (error.statusCode === 415)
      return sendError(request, reply, {
        code: 'parameter_invalid',
        param: 'Content-Type',
        detail: 'send application/json',
      });
    if (error.statusCode === 400)
      return sendError(request, reply, { code: 'parameter_invalid', detail: error.message });
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, { code: 'internal_error' });
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, { code: 'route_not_found' }),
  );

  await app.register(fastifyRateLimit, {
    max: deps.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return typeof auth === 'string' ? `key:${auth.slice(-24)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      const error = new Error('rate limited') as FastifyError;
      error.statusCode = context.statusCode;
      return error;
    },
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OnePIN merchant API',
        version: '1.0.0',
        description:
          'Take payments with OnePIN prepaid cards. Amounts are integers in the currency’s minor unit. Every mutating call needs an `Idempotency-Key`; money-moving calls also an `OnePIN-Signature` (see docs/api.md).',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'Your secret key, sk_test_… or sk_live_…',
          },
          signature: {
            type: 'apiKey',
            in: 'header',
            name: 'OnePIN-Signature',
            description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.METHOD.path.sha256(body)">',
          },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db.kysely);
      return { status: 'ok', database: deps.db.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.dialect });
    }
  });

  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OnePIN</title></head>' +
          '<body><h1>OnePIN</h1><p>One prepaid card, one PIN, spendable everywhere.</p>' +
          '<p>The system is running. Health: <a href="/healthz">/healthz</a>. Merchant API: <a href="/docs">/docs</a>.</p></body></html>',
      ),
  );

  await app.register(apiPlugin({ payments: deps.payments, cards: deps.cards }), {
    prefix: API_PREFIX,
  });
  return app;
}
