import type { FastifyInstance } from 'fastify';
import type { CardsContext } from '../../cards/index.ts';
import type { SessionsContext } from '../../charging/index.ts';
import type { PaymentsContext } from '../../payments/index.ts';
import { registerCardRoutes, type PasswordChangedHook } from './card-routes.ts';
import { registerPagesRoutes } from './pages-routes.ts';
import { registerSiteBasics, type SiteRoutes } from './site-web.ts';
import { registerStatementRoutes } from './statement-routes.ts';

export type { PasswordChangedHook } from './card-routes.ts';
export type { SiteKit, SiteRoutes } from './site-web.ts';

/**
 * The holder site at '/' (patent FIG. 3): home, about, news, the associates directory and the
 * holder's own card (sign-in, overview, statement, password). `routes` adds more pages inside
 * the same encapsulated scope, so they share CSRF, cookies, templates, the language, the error
 * page and the rate limits. It does not reach /pay, /verify or /api, which have their own scopes.
 */
export function sitePlugin(deps: {
  readonly payments: PaymentsContext;
  readonly cards: CardsContext;
  /** Calls and other charged services, for the statement's usage records. */
  readonly charging?: SessionsContext;
  readonly routes?: readonly SiteRoutes[];
  /** Called after a holder changed the password on /card/password (to send the e-mail). */
  readonly onPasswordChanged?: PasswordChangedHook;
}) {
  return async (app: FastifyInstance): Promise<void> => {
    const site = await registerSiteBasics(app, deps);
    registerPagesRoutes(app, site);
    registerCardRoutes(
      app,
      site,
      deps.onPasswordChanged !== undefined ? { onPasswordChanged: deps.onPasswordChanged } : {},
    );
    registerStatementRoutes(app, site);
    for (const routes of deps.routes ?? []) routes(app, site);
  };
}
