import type { FastifyInstance } from 'fastify';
import { registerAuth } from './auth.ts';
import { registerChargingRoutes } from './routes-charging.ts';
import type { GatewayDeps } from './context.ts';
import { registerEventRoutes } from './routes-events.ts';
import { registerPaymentRoutes } from './routes-payments.ts';
import { registerWebhookRoutes } from './routes-webhooks.ts';

/** The merchant API under /api/v1: an encapsulated plugin, so its auth hooks apply only here. */
export function apiPlugin(deps: GatewayDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    registerAuth(app, deps);
    // A POST without a body means "no parameters" (capture everything, void): validate it as {}.
    app.addHook('preValidation', async (request) => {
      if (request.method === 'POST' && request.body === undefined) request.body = {};
    });
    registerPaymentRoutes(app, deps);
    registerEventRoutes(app, deps);
    registerWebhookRoutes(app, deps);
    if (deps.charging !== undefined) registerChargingRoutes(app, deps, deps.charging);
  };
}
