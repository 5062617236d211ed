import type { FastifyInstance } from 'fastify';
import { handleFundingWebhook, type SalesContext } from '../../sales/index.ts';
import { sendError } from '../shared/errors.ts';

/** The header the sandbox acquirer signs its webhooks with (docs/sandbox-acquirer.md). */
const SIGNATURE_HEADER = 'acquirer-signature';

/**
 * The payment provider's webhooks (`POST /funding/webhook`): verified over the raw body, then
 * handled like a check of the order (the order moves forward only; a repeat changes nothing).
 * A bad signature gets 400 and changes nothing; an order we do not know is acknowledged.
 */
export function fundingPlugin(deps: { readonly sales: SalesContext }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/funding/webhook', { schema: { hide: true } }, async (request, reply) => {
      const header = request.headers[SIGNATURE_HEADER];
      const result = await handleFundingWebhook(deps.sales, {
        rawBody: request.rawBody ?? '',
        signature: typeof header === 'string' ? header : undefined,
      });
      request.log.info(
        result.ok ? { order: result.value.orderId } : { result: result.error.code },
        'funding webhook',
      );
      if (!result.ok) return sendError(request, reply, result.error);
      return { received: true };
    });
  };
}
