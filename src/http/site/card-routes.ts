import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticate,
  cardBalance,
  changePassword,
  checkPassword,
  getCard,
  normalizePin,
  type Card,
} from '../../cards/index.ts';
import { fail, formatMoney, type ErrorCode, type Outcome } from '../../kernel/index.ts';
import { statusOf } from '../shared/errors.ts';
import type { Locale } from './i18n.ts';
import type { FieldError } from './site-messages.ts';
import type { SiteKit } from './site-web.ts';
import { siteDate } from './site-time.ts';

/** Passwords are at most 12 digits; anything much longer is not worth hashing. */
const PASSWORD_INPUT_MAX_CHARS = 64;

/** Confirmations /card may show after a redirect (a closed list: no free text from the URL). */
const CARD_NOTICES = ['password', 'signedout'] as const;

/** What happens after a password change (the lead's e-mail to the holder). */
export type PasswordChangedHook = (card: Card) => Promise<void>;

/** The pages a signed-in holder can reach from the overview (FIG. 3 "My card"). */
const CARD_LINKS = [
  { href: '/card/statement', key: 'card.linkStatement' },
  { href: '/card/password', key: 'card.linkPassword' },
  { href: '/card/profile', key: 'card.linkProfile' },
  { href: '/recharge', key: 'card.linkRecharge' },
  { href: '/card/refund', key: 'card.linkRefund' },
  { href: '/card/rekey', key: 'card.linkRekey' },
  { href: '/card/foreign', key: 'card.linkForeign' },
  { href: '/verify', key: 'card.linkVerify' },
] as const;

/** A password field's value as typed, or '' when it cannot be a password at all. */
export function secretField(site: SiteKit, body: unknown, name: string): string {
  const value = site.formField(body, name);
  return value.length > PASSWORD_INPUT_MAX_CHARS ? '' : value;
}

/** The session's card, fresh from the database (its state may have changed); null if none. */
export async function sessionCard(site: SiteKit, request: FastifyRequest): Promise<Card | null> {
  const cardId = site.holder.cardOf(request);
  if (cardId === null) return null;
  const card = await getCard(site.cards, site.payments.db.kysely, { id: cardId });
  return card.ok ? card.value : null;
}

/**
 * "My card": sign-in with PIN + password, the overview, sign-out and the password change. A
 * refusal of the PIN or password is worded the same whether or not the PIN exists, and forms
 * never send a secret back.
 */
export function registerCardRoutes(
  app: FastifyInstance,
  site: SiteKit,
  hooks: { readonly onPasswordChanged?: PasswordChangedHook } = {},
): void {
  const hidden = { schema: { hide: true } } as const;

  async function showSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      readonly error?: { readonly code: ErrorCode; readonly param?: string };
      readonly ended?: boolean;
      readonly notice?: string | null;
      readonly status?: number;
    } = {},
  ): Promise<FastifyReply> {
    const locale = site.localeOf(request);
    const error = extra.error;
    // A malformed PIN or password belongs to its field; a refused pair belongs to both, and
    // the message sits above the form so both fields point at it.
    const fieldCode =
      error !== undefined && (error.param === 'pin' || error.param === 'password')
        ? error.param
        : null;
    const errors =
      error === undefined || fieldCode === null
        ? {}
        : site.fieldErrors(locale, { [fieldCode]: error.code });
    const formError =
      error !== undefined && fieldCode === null
        ? { id: 'signin-error', message: site.messageOf(error.code, locale) }
        : null;
    return site.render(
      request,
      reply,
      'site/sign-in.eta',
      {
        titleKey: 'signIn.title',
        errors,
        formError,
        ended: extra.ended === true,
        notice: extra.notice ?? null,
      },
      { status: extra.status ?? 200 },
    );
  }

  async function showOverview(
    request: FastifyRequest,
    reply: FastifyReply,
    card: Card,
    notice: string | null,
  ): Promise<FastifyReply> {
    const t = site.textOf(site.localeOf(request));
    const balance = await cardBalance(site.cards, site.payments.db.kysely, card.id);
    return site.render(request, reply, 'site/card.eta', {
      titleKey: 'card.title',
      notice,
      card: {
        last4: card.pinLast4,
        state: t(`state.${card.state}`),
        stateCode: card.state,
        active: card.state === 'active',
        balance: formatMoney(balance.ok ? balance.value.balanceMinor : 0n, card.currency),
        held: formatMoney(balance.ok ? balance.value.heldMinor : 0n, card.currency),
        validity:
          card.expiresAtMs === null
            ? t('card.validityNone')
            : t('card.validityUntil', { date: siteDate(card.expiresAtMs) }),
      },
      links: CARD_LINKS.map((l) => ({ href: l.href, label: t(l.key) })),
    });
  }

  app.get<{ Querystring: { done?: string } }>('/card', hidden, async (request, reply) => {
    const done = request.query.done;
    const notice =
      typeof done === 'string' && (CARD_NOTICES as readonly string[]).includes(done) ? done : null;
    const card = await sessionCard(site, request);
    if (card === null) {
      if (site.holder.cardOf(request) !== null) site.holder.end(reply);
      return showSignIn(request, reply, { notice: notice === 'signedout' ? notice : null });
    }
    return showOverview(request, reply, card, notice === 'password' ? notice : null);
  });

  app.post('/card', site.postRoute('card-signin'), async (request, reply) => {
    const pin = site.formField(request.body, 'pin');
    const password = site.formField(request.body, 'password');
    const outcome: Outcome<Card> =
      password === '' || password.length > PASSWORD_INPUT_MAX_CHARS
        ? fail('password_invalid', 'password')
        : await authenticate(site.cards, { pin, password });
    request.log.info(
      outcome.ok ? { result: 'signed_in', card: outcome.value.id } : { result: outcome.error.code },
      'holder site sign-in',
    );
    if (!outcome.ok) {
      return showSignIn(request, reply, {
        error: outcome.error,
        status: statusOf(outcome.error.code),
      });
    }
    site.holder.start(reply, outcome.value.id);
    return reply.redirect('/card', 303);
  });

  app.post('/card/signout', site.postRoute('card-signout'), async (_request, reply) => {
    site.holder.end(reply);
    return reply.redirect('/card?done=signedout', 303);
  });

  async function showPassword(
    request: FastifyRequest,
    reply: FastifyReply,
    card: Card,
    extra: {
      readonly errors?: Record<string, FieldError>;
      readonly formError?: string | null;
      readonly status?: number;
    } = {},
  ): Promise<FastifyReply> {
    return site.render(
      request,
      reply,
      'site/password.eta',
      {
        titleKey: 'password.title',
        last4: card.pinLast4,
        errors: extra.errors ?? {},
        formError:
          extra.formError === undefined || extra.formError === null
            ? null
            : { id: 'password-form-error', message: extra.formError },
      },
      { status: extra.status ?? 200 },
    );
  }

  app.get('/card/password', hidden, async (request, reply) => {
    const card = await sessionCard(site, request);
    if (card === null) return reply.redirect('/card', 303);
    return showPassword(request, reply, card);
  });

  app.post('/card/password', site.postRoute('card-password'), async (request, reply) => {
    const card = await sessionCard(site, request);
    if (card === null) {
      site.holder.end(reply);
      return showSignIn(request, reply, { ended: true, status: 401 });
    }
    const locale = site.localeOf(request);
    const pin = site.formField(request.body, 'pin');
    const current = secretField(site, request.body, 'password');
    const next = secretField(site, request.body, 'new_password');
    const confirm = secretField(site, request.body, 'confirm_password');

    const checked = checkPasswordForm(site, locale, card, { pin, current, next, confirm });
    if (Object.keys(checked).length > 0) {
      request.log.info({ card: card.id, result: 'form_invalid' }, 'holder password change');
      return showPassword(request, reply, card, { errors: checked, status: 400 });
    }
    const outcome = await changePassword(site.cards, { pin, password: current, newPassword: next });
    request.log.info(
      { card: card.id, result: outcome.ok ? 'changed' : outcome.error.code },
      'holder password change',
    );
    if (!outcome.ok) {
      const code = outcome.error.code;
      const param = outcome.error.param;
      const onField = param === 'pin' || param === 'new_password';
      return showPassword(request, reply, card, {
        errors: onField ? site.fieldErrors(locale, { [param]: code }) : {},
        formError: onField ? null : site.messageOf(code, locale),
        status: statusOf(code),
      });
    }
    if (hooks.onPasswordChanged !== undefined) await hooks.onPasswordChanged(outcome.value);
    return reply.redirect('/card?done=password', 303);
  });
}

/**
 * Field checks that need no database: every field is checked, so the holder sees all problems
 * at once. The PIN must be this card's (its last four digits), so a signed-in holder cannot
 * change another card's password from this session.
 */
function checkPasswordForm(
  site: SiteKit,
  locale: Locale,
  card: Card,
  form: { pin: string; current: string; next: string; confirm: string },
): Record<string, FieldError> {
  const t = site.textOf(locale);
  const codes: Record<string, ErrorCode | null> = {};
  const normalized = normalizePin(form.pin);
  if (!normalized.ok) codes.pin = normalized.code;
  else if (normalized.pin.slice(-4) !== card.pinLast4) codes.pin = 'credentials_invalid';
  if (form.current === '') codes.password = 'password_invalid';
  codes.new_password = checkPassword(form.next);
  const errors = site.fieldErrors(locale, codes);
  if (codes.new_password === null && form.confirm !== form.next) {
    errors.confirm_password = {
      code: 'parameter_invalid',
      message: t('password.confirmMismatch'),
      id: 'confirm_password-error',
    };
  }
  return errors;
}
