import type { FastifyInstance } from 'fastify';
import type { PaymentsContext } from '../../payments/index.ts';
import { PAY_STYLESHEET, registerPayRoutes } from './routes.ts';
import { registerPageBasics } from './web.ts';

/** The hosted payment page under /pay: an encapsulated scope with its own page machinery. */
export function payPlugin(deps: { readonly payments: PaymentsContext }) {
  return async (app: FastifyInstance): Promise<void> => {
    await registerPageBasics(app, deps.payments, { stylesheetPath: PAY_STYLESHEET });
    registerPayRoutes(app, deps.payments);
  };
}
