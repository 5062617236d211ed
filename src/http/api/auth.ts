import type { FastifyInstance } from 'fastify';
import { principalOf, signingSecretOf } from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import { bearerSecret, checkRequestSignature } from '../shared/signed-request.ts';
import { WindowCounter } from '../shared/window-counter.ts';
import type { GatewayDeps } from './context.ts';

/**
 * Every /api/v1 call: the API key resolves to a principal (401 otherwise), the route's scope is
 * checked (403), and money-moving calls must carry a fresh signature over method, path,
 * timestamp and body digest that was never seen before (401).
 */
export function registerAuth(app: FastifyInstance, deps: GatewayDeps): void {
  const perKey = new WindowCounter(deps.perKeyPerMinute, 60_000);
  app.addHook('onRequest', async (request, reply) => {
    const secret = bearerSecret(request);
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
    await checkRequestSignature(request, {
      payments: deps.payments,
      keyId: principal.keyId,
      signingSecret: signingSecretOf(deps.payments, principal.keyId),
      nowMs: deps.payments.clock.nowMs(),
    });
  });
}
