import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../storage/index.ts';

export interface HttpDeps {
  readonly db: Database;
  readonly logLevel?: string;
}

/**
 * The HTTP server. Today: health and a landing page; the merchant API, hosted payment page,
 * holder site and back office mount here as they are built.
 */
export function buildServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    logger: {
      level: deps.logLevel ?? 'info',
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.body.pin',
        'req.body.password',
      ],
    },
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    bodyLimit: 64 * 1024,
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db.kysely);
      return { status: 'ok', database: deps.db.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.dialect });
    }
  });

  app.get('/', async (_request, reply) => {
    return reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OnePIN</title></head>' +
          '<body><h1>OnePIN</h1><p>One prepaid card, one PIN, spendable everywhere.</p>' +
          '<p>The system is running. Health: <a href="/healthz">/healthz</a>.</p></body></html>',
      );
  });

  return app;
}
