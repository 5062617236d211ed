import type { CardsContext } from '../../cards/index.ts';
import type { SessionsContext } from '../../charging/index.ts';
import type { ApiScope, PaymentsContext, Principal } from '../../payments/index.ts';

/** What the HTTP layer needs from the composition root. */
export interface GatewayDeps {
  readonly payments: PaymentsContext;
  readonly cards: CardsContext;
  /** Requests per minute one API key may make. */
  readonly perKeyPerMinute: number;
  /** Real-time charging (the /charging routes); absent, those routes are not registered. */
  readonly charging?: SessionsContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The associate behind the API key (merchant API routes only). */
    principal?: Principal;
    /** The body exactly as received, for request signatures. */
    rawBody?: string;
  }
  interface FastifyContextConfig {
    /** The API-key scope a route needs; set on every /api/v1 route. */
    scope?: ApiScope;
    /** Money-moving routes: the request must carry a fresh OnePIN-Signature. */
    signed?: boolean;
  }
}
