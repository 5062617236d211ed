import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, rememberSignature, verifySignature } from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import { WindowCounter } from '../shared/window-counter.ts';
import type { GatewayDeps } from './context.ts';
import { signingSecretOf } from '../../payments/index.ts';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^bearer +(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * Every /api/v1 call: the API key resolves to a principal (401 otherwise), the route's scope is
 * checked (403), and money-moving calls must carry a fresh signature over method, path,
 * timestamp and body digest that was never seen before (401).
 */
export function registerAuth(app: FastifyInstance, deps: GatewayDeps): void {
  const perKey = new WindowCounter(deps.perKeyPerMinute, 60_000);
  app.addHook('onRequest', async (request, reply) => {
    const secret = bearer(request);
    const principal = secret === undefined ? null : await principalOf(deps.payments, secret);
    if (principal === null) throw apiError('api_key_invalid');
    const scope = request.routeOptions.config.scope;
    if (scope !== undefined && !principal.scopes.includes(scope))
      throw apiError('scope_missing', undefined, scope);
    const waitS = perKey.hit(principal.keyId, Date.now());
    if (waitS !== null) {
      void reply.header('retry-after', String(waitS));
      throw apiError('rate_limited');
    }
    request.principal = principal;
  });
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.signed !== true) return;
    const principal = request.principal;
    if (principal === undefined) throw apiError('api_key_invalid');
    const header = request.headers['onepin-signature'];
    const idempotency = request.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(idempotency) ? idempotency[0] : idempotency;
    const check = verifySignature({
      header: Array.isArray(header) ? header[0] : header,
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      secret: signingSecretOf(deps.payments, principal.keyId),
      method: request.method,
      path: request.url,
      body: request.rawBody ?? '',
      nowS: Math.floor(Number(deps.payments.clock.nowMs()) / 1000),
    });
    if (!check.ok) throw apiError(check.code);
    if (!(await rememberSignature(deps.payments, principal.keyId, check.signature))) {
      throw apiError('signature_replayed');
    }
  });
}
