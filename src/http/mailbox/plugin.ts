import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { NotifyContext } from '../../notify/index.ts';
import { isLoopback } from './links.ts';
import {
  MAILBOX_OWN_STYLESHEET,
  MAILBOX_PATH,
  MAILBOX_STYLESHEET,
  sendMailboxMessage,
} from './pages.ts';
import { registerMailboxRoutes } from './routes.ts';

export { MAILBOX_PATH } from './pages.ts';

const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));
const PAGES_CSS = readFileSync(new URL('../views/pages.css', import.meta.url), 'utf8');
const MAILBOX_CSS = readFileSync(new URL('./mailbox.css', import.meta.url), 'utf8');

export interface MailboxOptions {
  readonly notify: NotifyContext;
  /** False registers nothing (a server that sends through SMTP has no mailbox). Default true. */
  readonly enabled?: boolean;
  /** Answer only requests from a loopback address; others get 404. Default true. */
  readonly localOnly?: boolean;
}

/**
 * The dev mailbox: with no SMTP server configured, e-mails are held in the outbox and shown
 * here, so that on `npm start` a gift's recipient can open the claim link. Read-only pages
 * (no forms that change anything, so no cookies or CSRF), no script, and by default only for
 * requests from this machine: the mails carry PINs and one-time codes.
 */
export function mailboxPlugin(options: MailboxOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    if (options.enabled === false) return;
    const localOnly = options.localOnly ?? true;

    if (localOnly) {
      app.addHook('onRequest', async (request, reply) => {
        if (!request.url.startsWith(MAILBOX_PATH) || isLoopback(request.ip)) return;
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      });
    }
    // Strict by default; sendPage sets each page's own policy, the body route its sandbox.
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      frameguard: { action: 'deny' },
    });
    await app.register(fastifyView, {
      engine: { eta: new Eta({ views: VIEWS_DIR }) },
      templates: VIEWS_DIR,
      production: process.env.NODE_ENV === 'production',
    });
    app.addHook('onSend', async (_request, reply) => {
      // The pages show PINs: never keep them in any cache.
      if (reply.getHeader('cache-control') === undefined) {
        void reply.header('cache-control', 'no-store');
      }
    });
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      request.log.error({ err: error }, 'unhandled error in the mailbox');
      return sendMailboxMessage(request, reply, 'error');
    });

    const css = (text: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(text);
    app.get(MAILBOX_STYLESHEET, { schema: { hide: true } }, css(PAGES_CSS));
    app.get(MAILBOX_OWN_STYLESHEET, { schema: { hide: true } }, css(MAILBOX_CSS));

    registerMailboxRoutes(app, options.notify);
  };
}
