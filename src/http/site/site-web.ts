import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { CardsContext } from '../../cards/index.ts';
import type { SessionsContext } from '../../charging/index.ts';
import type { ErrorCode } from '../../kernel/index.ts';
import type { PaymentsContext } from '../../payments/index.ts';
import { statusOf } from '../shared/errors.ts';
import {
  CSRF_COOKIE,
  cookieSecretOf,
  csrfTokenFor,
  formField,
  isHttps,
  postRateLimit,
} from '../pay/web.ts';
import { holderSession, type HolderSession } from './holder-session.ts';
import {
  LANG_COOKIE,
  LANG_COOKIE_MAX_AGE_S,
  LANG_PARAM,
  isLocale,
  requestedLocale,
  strictText,
  textFunction,
  type Locale,
  type TextFn,
} from './i18n.ts';
import { fieldErrors, siteMessageOf, type FieldError } from './site-messages.ts';
import { SITE_TEXT } from './text/index.ts';

/**
 * The holder site's page machinery, one encapsulated scope mounted at '/': form bodies,
 * cookies, CSRF tokens, security headers, Eta templates, the language, the layout with the
 * FIG. 3 navigation, and an error page in the holder's language. The sales pages plug into the
 * same scope through `SiteRoutes`, so they share all of it.
 */

/** The site's policy, for pages that must widen one directive (forms leading to a provider). */
export { SITE_CSP };

export const SITE_STYLESHEET = '/assets/site.css';
export const SITE_LAYOUT = 'site/layout.eta';
const SITE_ERROR_TEMPLATE = 'site/error.eta';

const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));
const STYLESHEET = readFileSync(new URL('../views/site.css', import.meta.url), 'utf8');
/** Form bodies on the site are a handful of short fields. */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;

/** No script at all, styles only from our stylesheet, forms only to ourselves, no framing. */
const SITE_CSP: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** Route options for a POST form: hidden from the API docs, rate limited per IP, CSRF-checked. */
export interface PostRouteOptions {
  readonly schema: { readonly hide: true };
  readonly config: { readonly rateLimit: ReturnType<typeof postRateLimit> };
  readonly preValidation: FastifyInstance['csrfProtection'];
}

export interface RenderOptions {
  readonly status?: number;
}

/**
 * What a page handler gets: everything a page of the holder site needs, so the lead's sales
 * pages and these pages look and behave alike.
 *
 * Templates live under src/http/views/ (e.g. `site/home.eta`, `sales/buy.eta`) and are the
 * page's body only: `render` wraps them in the site layout, so a template must not call
 * `layout()`. Inside a template `it` holds the page's data plus `it.t(key, vars?)`,
 * `it.locale`, `it.csrf` (the token for `<input type="hidden" name="_csrf">`), `it.path` and
 * `it.signedIn`. `include('/site/field', {...})` renders one labelled form field.
 */
export interface SiteKit {
  readonly payments: PaymentsContext;
  readonly cards: CardsContext;
  /** Calls and other charged services: their usage records describe the statement's lines. */
  readonly charging?: SessionsContext;
  /**
   * Renders `template` inside the layout. `data.title` (already translated) or `data.titleKey`
   * (a text key) names the page in `<title>` and defaults to "OnePIN".
   */
  render(
    request: FastifyRequest,
    reply: FastifyReply,
    template: string,
    data: Record<string, unknown>,
    options?: RenderOptions,
  ): Promise<FastifyReply>;
  /** An error page in the holder's language, with the catalog's status for the code. */
  renderError(
    request: FastifyRequest,
    reply: FastifyReply,
    code: ErrorCode,
    options?: RenderOptions,
  ): Promise<FastifyReply>;
  localeOf(request: FastifyRequest): Locale;
  /** The text function of a locale (the same one templates get as `it.t`). */
  textOf(locale: Locale): TextFn;
  /** The CSRF token for a page's forms (sets the secret cookie on first use). */
  csrfToken(reply: FastifyReply): string;
  /** The signed-in card (`onepin_card` cookie, 15 minutes). */
  readonly holder: HolderSession;
  /** One text field of a parsed form body: '' when absent, repeated or not text. */
  formField(body: unknown, name: string): string;
  /** Per-IP limit for one POST route (every PIN-taking POST must use it). */
  postRateLimit(name: string): ReturnType<typeof postRateLimit>;
  /** Route options for a POST form: `app.post('/x', site.postRoute('x'), handler)`. */
  postRoute(name: string): PostRouteOptions;
  /** `{ field: { code, message, id } }` for templates; fields without an error are left out. */
  fieldErrors(
    locale: Locale,
    errors: Readonly<Record<string, ErrorCode | null | undefined>>,
  ): Record<string, FieldError>;
  /** What to tell a holder about a catalog code, in their language. */
  messageOf(code: ErrorCode, locale: Locale): string;
}

export type SiteRoutes = (app: FastifyInstance, site: SiteKit) => void;

/** The navigation of FIG. 3; `match` says which paths make an item current. */
interface NavItem {
  readonly href: string;
  readonly key: string;
  readonly match: readonly string[];
}

export const SITE_NAV: readonly NavItem[] = [
  { href: '/buy', key: 'nav.buy', match: ['/buy', '/claim'] },
  { href: '/recharge', key: 'nav.recharge', match: ['/recharge'] },
  { href: '/card', key: 'nav.card', match: ['/card', '/password'] },
  { href: '/verify', key: 'nav.verify', match: ['/verify'] },
  { href: '/associates', key: 'nav.associates', match: ['/associates'] },
  { href: '/about/onepin', key: 'nav.whatIs', match: ['/about/onepin', '/about/terms'] },
  { href: '/about', key: 'nav.about', match: ['/about', '/news'] },
];

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}

function isCurrent(item: NavItem, path: string): boolean {
  // "/about" is current only on itself and /news, not under /about/onepin.
  return item.match.some((m) =>
    m === '/about' ? path === m : path === m || path.startsWith(`${m}/`),
  );
}

/** The current address with `lang` set, for the language switch (a plain link: no script). */
export function languageHref(request: FastifyRequest, locale: Locale): string {
  const url = new URL(request.url, 'http://site.invalid');
  url.searchParams.set(LANG_PARAM, locale);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

export async function registerSiteBasics(
  app: FastifyInstance,
  deps: {
    readonly payments: PaymentsContext;
    readonly cards: CardsContext;
    readonly charging?: SessionsContext;
  },
): Promise<SiteKit> {
  const ctx = deps.payments;
  await app.register(fastifyFormbody, { bodyLimit: FORM_BODY_LIMIT_BYTES });
  await app.register(fastifyCookie, { secret: cookieSecretOf(ctx) });
  // The same CSRF cookie as /pay and /verify, so a holder moving between them keeps one secret.
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: SITE_CSP },
    frameguard: { action: 'deny' },
  });
  await app.register(fastifyView, {
    engine: { eta: new Eta({ views: VIEWS_DIR }) },
    templates: VIEWS_DIR,
    production: process.env.NODE_ENV === 'production',
  });

  const strict = strictText();
  const texts: Record<Locale, TextFn> = {
    ko: textFunction(SITE_TEXT, 'ko', { strict }),
    en: textFunction(SITE_TEXT, 'en', { strict }),
  };
  const holder = holderSession(ctx);
  const csrfToken = (reply: FastifyReply): string => csrfTokenFor(ctx, reply);

  app.addHook('preHandler', async (request, reply) => {
    // `?lang=` on any page remembers the choice; the page itself is answered in it at once.
    const query = request.query as Record<string, unknown> | undefined;
    const lang = query?.[LANG_PARAM];
    if (isLocale(lang) && request.cookies[LANG_COOKIE] !== lang) {
      void reply.setCookie(LANG_COOKIE, lang, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        secure: isHttps(ctx),
        maxAge: LANG_COOKIE_MAX_AGE_S,
      });
    }
  });

  app.addHook('onSend', async (_request, reply) => {
    // Pages show balances and card details: never keep them in a shared or browser cache.
    if (reply.getHeader('cache-control') === undefined)
      void reply.header('cache-control', 'no-store');
  });

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    template: string,
    data: Record<string, unknown>,
    options: RenderOptions = {},
  ): Promise<FastifyReply> {
    const locale = requestedLocale(request);
    const t = texts[locale];
    const path = pathOf(request);
    const signedIn = holder.cardOf(request) !== null;
    const titleKey = typeof data.titleKey === 'string' ? data.titleKey : null;
    const pageTitle =
      typeof data.title === 'string' ? data.title : titleKey !== null ? t(titleKey) : null;
    const it: Record<string, unknown> = {
      ...data,
      t,
      locale,
      path,
      signedIn,
      csrf: csrfToken(reply),
      stylesheet: SITE_STYLESHEET,
    };
    const body = await reply.viewAsync(template, it);
    const html = await reply.viewAsync(SITE_LAYOUT, {
      ...it,
      body,
      documentTitle: pageTitle === null ? 'OnePIN' : `${pageTitle} · OnePIN`,
      nav: SITE_NAV.map((item) => ({
        href: item.href,
        label: t(item.key),
        current: isCurrent(item, path),
      })),
      languages: [
        { locale: 'ko', label: '한국어', href: languageHref(request, 'ko') },
        { locale: 'en', label: 'English', href: languageHref(request, 'en') },
      ],
    });
    return reply
      .code(options.status ?? 200)
      .type('text/html; charset=utf-8')
      .header('content-language', locale)
      .header('vary', 'Accept-Language, Cookie')
      .send(html);
  }

  async function renderError(
    request: FastifyRequest,
    reply: FastifyReply,
    code: ErrorCode,
    options: RenderOptions = {},
  ): Promise<FastifyReply> {
    const locale = requestedLocale(request);
    // "Try again" leads to the GET page of the form that failed, which every site form has.
    const back = request.method === 'POST' ? pathOf(request) : '/';
    return render(
      request,
      reply,
      SITE_ERROR_TEMPLATE,
      {
        titleKey: code === 'route_not_found' ? 'error.notFoundTitle' : 'error.title',
        headingKey: code === 'route_not_found' ? 'error.notFoundTitle' : 'error.title',
        message: siteMessageOf(code, locale),
        requestId: request.id,
        back,
      },
      { status: options.status ?? statusOf(code) },
    );
  }

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return renderError(request, reply, 'csrf_invalid');
    }
    if (error.statusCode === 429) return renderError(request, reply, 'rate_limited');
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return renderError(request, reply, 'parameter_invalid', { status: error.statusCode });
    }
    request.log.error({ err: error }, 'unhandled error on a site page');
    return renderError(request, reply, 'internal_error');
  });

  app.get(SITE_STYLESHEET, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(STYLESHEET),
  );

  return {
    payments: deps.payments,
    cards: deps.cards,
    ...(deps.charging !== undefined ? { charging: deps.charging } : {}),
    render,
    renderError,
    localeOf: requestedLocale,
    textOf: (locale) => texts[locale],
    csrfToken,
    holder,
    formField,
    postRateLimit,
    postRoute: (name) => ({
      schema: { hide: true },
      config: { rateLimit: postRateLimit(`site-${name}`) },
      preValidation: app.csrfProtection.bind(app),
    }),
    fieldErrors,
    messageOf: siteMessageOf,
  };
}
