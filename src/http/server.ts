import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import type { DestinationStream } from 'pino';
import type { CardsContext } from '../cards/index.ts';
import type { NotifyContext } from '../notify/index.ts';
import type { PaymentsContext } from '../payments/index.ts';
import type { SalesContext } from '../sales/index.ts';
import type { SessionsContext } from '../charging/index.ts';
import type { ForeignContext } from '../foreign/index.ts';
import type { Database } from '../storage/index.ts';
import type { ErrorCode } from '../kernel/index.ts';
import type { AgentsContext } from '../agents/index.ts';
import { AGENT_PREFIX, agentsPlugin } from './agents/plugin.ts';
import type { CarriersContext } from '../carriers/index.ts';
import { CARRIER_PREFIX, carriersPlugin } from './carriers/plugin.ts';
import { apiPlugin } from './api/plugin.ts';
import { payPlugin } from './pay/plugin.ts';
import { verifyPlugin } from './site/verify-plugin.ts';
import { sitePlugin } from './site/site-plugin.ts';
import { salesRoutes } from './site/sales-routes.ts';
import { holderRoutes } from './site/holder-routes.ts';
import { foreignRoutes } from './site/foreign-routes.ts';
import { carrierRoutes } from './site/carrier-routes.ts';
import { fundingPlugin } from './funding/plugin.ts';
import { mailboxPlugin } from './mailbox/plugin.ts';
import { ivrPlugin, type IvrWebhookOptions } from './ivr/plugin.ts';
import { ApiError, sendError } from './shared/errors.ts';

/**
 * Schema failures get the same codes as the domain would give: amounts say what is wrong with
 * them, a missing Idempotency-Key says so, everything else is `parameter_invalid`.
 */
function validationCode(param: string, keyword: string | undefined): ErrorCode {
  if (param === 'Idempotency-Key') return 'idempotency_key_required';
  if (param === 'currency') return 'currency_invalid';
  if (param === 'amount' || param.endsWith('.amount')) {
    if (keyword === 'minimum' || keyword === 'exclusiveMinimum') return 'amount_must_be_positive';
    if (keyword === 'maximum' || keyword === 'exclusiveMaximum') return 'amount_exceeds_limit';
    if (keyword === 'type' || keyword === 'multipleOf') return 'amount_invalid';
  }
  return 'parameter_invalid';
}

export interface HttpDeps {
  readonly db: Database;
  readonly payments: PaymentsContext;
  readonly cards: CardsContext;
  readonly logLevel?: string;
  /** Where log lines go instead of stdout (tests read them to prove no secret is logged). */
  readonly logStream?: DestinationStream;
  /** Requests per minute per API key (or per IP without one). */
  readonly rateLimitPerMinute?: number;
  /** The holder site's sales pages (buy, orders, gifts, recharge, refunds) and the provider's webhook. */
  readonly sales?: SalesContext;
  /** The dev mailbox at /dev/mailbox, when e-mails are held instead of sent (no SMTP_URL). */
  readonly mailbox?: NotifyContext;
  /** Real-time charging: the /api/v1/charging routes and the IVR webhook. */
  readonly charging?: SessionsContext;
  /** Foreign PIN exchange: the holder site's /card/foreign pages. */
  readonly foreign?: ForeignContext;
  /** Selling agents: the /agent/v1 point-of-sale API. */
  readonly agents?: AgentsContext;
  /** Mobile carriers: the /carrier/v1 sale-report API and the /carrier/register page. */
  readonly carriers?: CarriersContext;
  /** The calling-card IVR webhook's configuration (docs/ivr.md); it runs when `charging` is set. */
  readonly ivr?: IvrWebhookOptions;
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
 * A gift's claim link carries its activation secret in the path: logged request lines show
 * `/claim/<gift>/…` instead. The IVR's action URLs carry the sealed call state: its query is
 * dropped.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^\/claim\/([^/?#]+)\/[^?#]*/, '/claim/$1/[redacted]')
    .replace(/^(\/ivr\/[^?#]*)\?.*$/s, '$1?[redacted]');
}

/**
 * The HTTP server: merchant API (/api/v1, documented at /openapi.json and /docs), health, and
 * the pages that later issues add (hosted payment page, holder site, back office).
 */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // A stop must not wait for idle keep-alive connections (browsers open spare ones).
    forceCloseConnections: true,
    logger: {
      level: deps.logLevel ?? 'info',
      redact: LOG_REDACT,
      serializers: {
        req: (request: { method: string; url: string; ip?: string; id?: string }) => ({
          method: request.method,
          url: redactUrl(request.url),
          ...(request.ip !== undefined ? { remoteAddress: request.ip } : {}),
        }),
      },
      ...(deps.logStream !== undefined ? { stream: deps.logStream } : {}),
    },
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    bodyLimit: 64 * 1024,
  });
  // Bodies are JSON and must arrive with the right types ("1000" is not an amount); query
  // strings and path parameters are text and are converted.
  const strict = new Ajv({
    coerceTypes: false,
    removeAdditional: false,
    allErrors: false,
    useDefaults: true,
    strict: false,
  });
  const lenient = new Ajv({
    coerceTypes: 'array',
    removeAdditional: false,
    allErrors: false,
    useDefaults: true,
    strict: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : lenient).compile(schema),
  );

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
      const details = first?.params as
        { missingProperty?: string; additionalProperty?: string } | undefined;
      const named = details?.missingProperty ?? details?.additionalProperty;
      const raw = path !== '' ? path : (named ?? error.validationContext ?? 'request');
      // Header names are case-insensitive; report the one people write.
      const param = raw === 'idempotency-key' ? 'Idempotency-Key' : raw;
      return sendError(request, reply, {
        code: validationCode(param, first?.keyword),
        param,
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

  // Per IP, in front of everything (made-up keys must not escape it); the per-key limit is
  // applied after authentication, in api/auth.ts.
  const perKey = deps.rateLimitPerMinute ?? 600;
  await app.register(fastifyRateLimit, {
    max: perKey * 2,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => {
      const error = new Error('rate limited') as FastifyError;
      error.statusCode = context.statusCode;
      return error;
    },
  });

  await app.register(fastifySwagger, {
    // Components are named by their $id (Payment, Refund, …), not def-0, def-1.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
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

  await app.register(
    apiPlugin({
      payments: deps.payments,
      cards: deps.cards,
      perKeyPerMinute: perKey,
      ...(deps.charging !== undefined ? { charging: deps.charging } : {}),
    }),
    {
      prefix: API_PREFIX,
    },
  );
  if (deps.agents !== undefined)
    await app.register(agentsPlugin({ agents: deps.agents, payments: deps.payments }), {
      prefix: AGENT_PREFIX,
    });
  if (deps.carriers !== undefined)
    await app.register(carriersPlugin({ carriers: deps.carriers, payments: deps.payments }), {
      prefix: CARRIER_PREFIX,
    });
  await app.register(payPlugin({ payments: deps.payments }));
  await app.register(verifyPlugin({ payments: deps.payments }));
  const sales = deps.sales;
  await app.register(
    sitePlugin({
      payments: deps.payments,
      cards: deps.cards,
      ...(deps.charging !== undefined ? { charging: deps.charging } : {}),
      routes: [
        ...(sales === undefined ? [] : [salesRoutes(sales), holderRoutes(sales)]),
        ...(deps.foreign === undefined ? [] : [foreignRoutes(deps.foreign)]),
        ...(deps.carriers === undefined ? [] : [carrierRoutes(deps.carriers)]),
      ],
    }),
  );
  if (sales !== undefined) await app.register(fundingPlugin({ sales }));
  if (deps.mailbox !== undefined) await app.register(mailboxPlugin({ notify: deps.mailbox }));
  if (deps.charging !== undefined) {
    await app.register(
      ivrPlugin({
        charging: deps.charging,
        keys: deps.cards.keys,
        ...(deps.ivr !== undefined ? { options: deps.ivr } : {}),
      }),
    );
  }
  return app;
}
