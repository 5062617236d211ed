import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { ErrorCode } from '../../kernel/index.ts';
import type { PaymentsContext } from '../../payments/index.ts';
import { statusOf } from '../shared/errors.ts';
import { messageOf } from './messages.ts';

/**
 * What every server-rendered page scope shares (the hosted payment page, the holder's
 * verification page): form bodies, cookies, CSRF tokens, security headers, Eta templates and an
 * error handler that answers with a page instead of JSON. Each page plugin calls
 * `registerPageBasics` in its own encapsulated scope, so none of this reaches the merchant API.
 */

/** POSTs one IP may make to one page route per minute (the card lockout is the real guard). */
export const PAGE_POSTS_PER_MINUTE = 10;

export const CSRF_COOKIE = 'onepin_csrf';

const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));
const STYLESHEET = readFileSync(new URL('../views/pages.css', import.meta.url), 'utf8');

/**
 * The key that signs our page cookies, derived from the webhook key so no new key has to be
 * kept. The label cannot collide with the per-associate labels (`webhook:asc_…`).
 */
export function cookieSecretOf(ctx: PaymentsContext): Buffer {
  return createHmac('sha256', ctx.keys.webhookKey.secret).update('onepin:web-cookie:v1').digest();
}

/** Cookies are `Secure` whenever holders reach us over https. */
export function isHttps(ctx: PaymentsContext): boolean {
  return ctx.publicUrl.startsWith('https:');
}

/** An origin that may go into a CSP source list: scheme, host and port only. */
function cspOrigin(url: string | null): string | null {
  if (url === null) return null;
  try {
    const origin = new URL(url).origin;
    return /^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin) ? origin : null;
  } catch {
    return null;
  }
}

/**
 * No script at all, styles only from our own stylesheet, no framing. `form-action` must also
 * allow where a form's answer redirects to (browsers check redirects after a form post), so
 * the hosted page adds the associate's return URL origin.
 */
function cspDirectives(formTarget: string | null): Record<string, string[]> {
  const origin = cspOrigin(formTarget);
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: origin === null ? ["'self'"] : ["'self'", origin],
  };
}

export interface PageOptions {
  /** Where the page's stylesheet is served, under the plugin's own path. */
  readonly stylesheetPath: string;
}

export async function registerPageBasics(
  app: FastifyInstance,
  ctx: PaymentsContext,
  options: PageOptions,
): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: 8 * 1024 });
  await app.register(fastifyCookie, { secret: cookieSecretOf(ctx) });
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(null) },
    frameguard: { action: 'deny' },
  });
  await app.register(fastifyView, {
    engine: { eta: new Eta({ views: VIEWS_DIR }) },
    templates: VIEWS_DIR,
    production: process.env.NODE_ENV === 'production',
  });

  app.addHook('onSend', async (_request, reply) => {
    // Pages show balances and payment details: never keep them in a shared or browser cache.
    if (reply.getHeader('cache-control') === undefined)
      void reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return sendMessage(request, reply, 'csrf_invalid');
    }
    if (error.statusCode === 429) return sendMessage(request, reply, 'rate_limited');
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendMessage(request, reply, 'parameter_invalid', error.statusCode);
    }
    request.log.error({ err: error }, 'unhandled error on a page');
    return sendMessage(request, reply, 'internal_error');
  });

  app.get(options.stylesheetPath, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(STYLESHEET),
  );
}

/** Renders a template inside the layout, with the CSP the page needs. */
export async function sendPage(
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown>,
  options: {
    readonly status?: number;
    /** The return URL whose origin forms on this page may be redirected to. */
    readonly formTarget?: string | null;
    readonly stylesheetPath: string;
  },
): Promise<FastifyReply> {
  reply.helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: cspDirectives(options.formTarget ?? null),
    },
  });
  const html = await reply.viewAsync(template, {
    stylesheet: options.stylesheetPath,
    ...data,
  });
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(html);
}

/** A page that only says what went wrong, with the catalog's status for the code. */
export async function sendMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  status: number = statusOf(code),
): Promise<FastifyReply> {
  const stylesheet = request.url.startsWith('/verify')
    ? '/verify/assets/pages.css'
    : '/pay/assets/pages.css';
  return sendPage(
    reply,
    'message.eta',
    {
      title: 'OnePIN',
      heading: code === 'payment_not_found' ? 'Payment not found' : 'Something went wrong',
      headingKo: code === 'payment_not_found' ? '결제를 찾을 수 없습니다' : '문제가 발생했습니다',
      message: messageOf(code),
      requestId: request.id,
      back: backLinkOf(request),
    },
    { status, stylesheetPath: stylesheet },
  );
}

/** Where "try again" leads from an error page: the GET page of the form that failed. */
function backLinkOf(request: FastifyRequest): string | null {
  const path = request.url.split('?')[0] ?? '';
  const pay = /^\/pay\/(pay_[a-z0-9]{1,40})(\/cancel)?$/.exec(path);
  if (pay !== null) return `/pay/${pay[1] ?? ''}`;
  if (path.startsWith('/verify')) return '/verify';
  return null;
}

/** One text field of a parsed form body: '' when absent, repeated or not text. */
export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** Per-IP limit for a page's POST route (each route counts separately). */
export function postRateLimit(prefix: string): {
  readonly max: number;
  readonly timeWindow: number;
  readonly keyGenerator: (request: FastifyRequest) => string;
} {
  return {
    max: PAGE_POSTS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => `${prefix}:${request.ip}`,
  };
}

/** The CSRF token for the page's forms; sets the secret cookie on first use. */
export function csrfTokenFor(ctx: PaymentsContext, reply: FastifyReply): string {
  return reply.generateCsrf({
    path: '/',
    sameSite: 'strict',
    httpOnly: true,
    secure: isHttps(ctx),
  });
}
