import type { FastifyInstance } from 'fastify';
import type { PaymentsContext } from '../../payments/index.ts';
import { registerPageBasics } from '../pay/web.ts';
import { VERIFY_STYLESHEET, registerVerifyRoutes } from './verify-routes.ts';

/** The holder's payment verification pages under /verify, in their own encapsulated scope. */
export function verifyPlugin(deps: { readonly payments: PaymentsContext }) {
  return async (app: FastifyInstance): Promise<void> => {
    await registerPageBasics(app, deps.payments, { stylesheetPath: VERIFY_STYLESHEET });
    registerVerifyRoutes(app, deps.payments);
  };
}
