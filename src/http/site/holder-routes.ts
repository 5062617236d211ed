import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Card } from '../../cards/index.ts';
import { formatMoney, type ErrorCode } from '../../kernel/index.ts';
import {
  confirmPasswordReset,
  holderOf,
  listBalanceRefunds,
  previewBalanceRefund,
  rekeyForHolder,
  requestBalanceRefund,
  requestPasswordReset,
  updateHolder,
  type SalesContext,
} from '../../sales/index.ts';
import { statusOf } from '../shared/errors.ts';
import { secretField, sessionCard } from './card-routes.ts';
import { spacedPin } from './sales-routes.ts';
import type { SiteKit, SiteRoutes } from './site-web.ts';

/**
 * What a signed-in holder asks for about their card (FIG. 3: change user information, refund
 * of balance; and a new PIN when the old one was exposed), and "forgot my password" by a
 * one-time code to the address on file.
 */

interface Refusal {
  readonly code: ErrorCode;
  readonly param?: string;
}

function split(
  site: SiteKit,
  request: FastifyRequest,
  fields: readonly string[],
  error: Refusal | undefined,
  id: string,
): { errors: Record<string, unknown>; formError: { id: string; message: string } | null } {
  const locale = site.localeOf(request);
  if (error === undefined) return { errors: {}, formError: null };
  const param = error.param ?? '';
  if (fields.includes(param))
    return { errors: site.fieldErrors(locale, { [param]: error.code }), formError: null };
  return { errors: {}, formError: { id, message: site.messageOf(error.code, locale) } };
}

export function holderRoutes(sales: SalesContext): SiteRoutes {
  return (app: FastifyInstance, site: SiteKit): void => {
    const hidden = { schema: { hide: true } } as const;

    /** The signed-in card, or a redirect to sign in. */
    async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<Card | null> {
      const card = await sessionCard(site, request);
      if (card === null) {
        site.holder.end(reply);
        await reply.redirect('/card', 303);
      }
      return card;
    }

    // ------------------------------------------------------------------ user information
    async function showProfile(
      request: FastifyRequest,
      reply: FastifyReply,
      card: Card,
      form: Record<string, string>,
      extra: { readonly error?: Refusal; readonly saved?: boolean } = {},
    ): Promise<FastifyReply> {
      const { errors, formError } = split(
        site,
        request,
        ['name', 'email', 'phone'],
        extra.error,
        'profile-error',
      );
      return site.render(
        request,
        reply,
        'sales/profile.eta',
        {
          titleKey: 'profile.title',
          last4: card.pinLast4,
          form,
          errors,
          formError,
          saved: extra.saved === true,
        },
        { status: extra.error === undefined ? 200 : statusOf(extra.error.code) },
      );
    }

    app.get<{ Querystring: { done?: string } }>('/card/profile', hidden, async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const holder = await holderOf(sales, sales.db.kysely, card.id);
      return showProfile(
        request,
        reply,
        card,
        { name: holder?.name ?? '', email: holder?.email ?? '', phone: holder?.phone ?? '' },
        { saved: request.query.done === 'saved' },
      );
    });

    app.post('/card/profile', site.postRoute('card-profile'), async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const form = {
        name: site.formField(request.body, 'name'),
        email: site.formField(request.body, 'email'),
        phone: site.formField(request.body, 'phone'),
      };
      const saved = await updateHolder(sales, {
        cardId: card.id,
        ...form,
        locale: site.localeOf(request),
      });
      if (!saved.ok) return showProfile(request, reply, card, form, { error: saved.error });
      return reply.redirect('/card/profile?done=saved', 303);
    });

    // ------------------------------------------------------------------ refund of balance
    async function showRefund(
      request: FastifyRequest,
      reply: FastifyReply,
      card: Card,
      extra: { readonly error?: Refusal } = {},
    ): Promise<FastifyReply> {
      const t = site.textOf(site.localeOf(request));
      const money = (m: bigint): string => formatMoney(m, card.currency);
      const rules = sales.refundRules;
      const [latest] = await listBalanceRefunds(sales, { cardId: card.id, limit: 1 });
      const preview = await previewBalanceRefund(sales, card.id);
      const decision = preview.ok ? preview.value : null;
      return site.render(
        request,
        reply,
        'sales/refund.eta',
        {
          titleKey: 'refund.title',
          last4: card.pinLast4,
          rules: t('refund.rules', {
            percent: rules.usedPercentMin,
            days: rules.unusedDays,
            fee:
              rules.feeBps === 0n && rules.feeFixedMinor === 0n
                ? '0'
                : `${money(rules.feeFixedMinor)} + ${Number(rules.feeBps) / 100}%`,
            min: money(rules.payoutMinMinor),
            review: money(rules.reviewAboveMinor),
          }),
          latest:
            latest === undefined
              ? null
              : {
                  status: latest.status,
                  text: t(`refund.status.${latest.status}`, { payout: money(latest.payoutMinor) }),
                },
          decision:
            decision === null
              ? null
              : decision.allowed
                ? {
                    allowed: true,
                    text: t('refund.preview', {
                      amount: money(decision.amountMinor),
                      fee: money(decision.feeMinor),
                      payout: money(decision.payoutMinor),
                    }),
                    review: decision.needsReview,
                  }
                : { allowed: false, text: t(`refund.why.${decision.why}`) },
          formError:
            extra.error === undefined
              ? null
              : {
                  id: 'refund-error',
                  message: site.messageOf(extra.error.code, site.localeOf(request)),
                },
          active: card.state === 'active',
        },
        { status: extra.error === undefined ? 200 : statusOf(extra.error.code) },
      );
    }

    app.get('/card/refund', hidden, async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      return showRefund(request, reply, card);
    });

    app.post('/card/refund', site.postRoute('card-refund'), async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const result = await requestBalanceRefund(sales, {
        cardId: card.id,
        locale: site.localeOf(request),
      });
      request.log.info(
        { card: card.id, result: result.ok ? result.value.status : result.error.code },
        'balance refund request',
      );
      const fresh = (await sessionCard(site, request)) ?? card;
      return showRefund(request, reply, fresh, result.ok ? {} : { error: result.error });
    });

    // ------------------------------------------------------------------ new PIN
    app.get('/card/rekey', hidden, async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      return site.render(request, reply, 'sales/rekey.eta', {
        titleKey: 'rekey.title',
        last4: card.pinLast4,
        pin: null,
      });
    });

    app.post('/card/rekey', site.postRoute('card-rekey'), async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const done = await rekeyForHolder(sales, { cardId: card.id, locale: site.localeOf(request) });
      request.log.info(
        { card: card.id, result: done.ok ? 'rekeyed' : done.error.code },
        'holder re-key',
      );
      if (!done.ok) return site.renderError(request, reply, done.error.code);
      return site.render(request, reply, 'sales/rekey.eta', {
        titleKey: 'rekey.title',
        last4: done.value.last4,
        pin: spacedPin(done.value.pin),
      });
    });

    // ------------------------------------------------------------------ forgot password
    async function showReset(
      request: FastifyRequest,
      reply: FastifyReply,
      extra: {
        readonly step?: 'ask' | 'code' | 'done';
        readonly sentTo?: string | null;
        readonly error?: Refusal;
      } = {},
    ): Promise<FastifyReply> {
      const fields = ['pin', 'code', 'new_password', 'new_password_confirm'];
      const { errors, formError } = split(site, request, fields, extra.error, 'reset-error');
      return site.render(
        request,
        reply,
        'sales/reset.eta',
        {
          titleKey: 'reset.title',
          step: extra.step ?? 'ask',
          sentTo: extra.sentTo ?? null,
          errors,
          formError,
        },
        { status: extra.error === undefined ? 200 : statusOf(extra.error.code) },
      );
    }

    app.get('/password/reset', hidden, async (request, reply) => showReset(request, reply));

    app.post('/password/reset', site.postRoute('password-reset'), async (request, reply) => {
      const sent = await requestPasswordReset(sales, {
        pin: site.formField(request.body, 'pin'),
        locale: site.localeOf(request),
      });
      request.log.info({ result: sent.ok ? 'answered' : sent.error.code }, 'password reset code');
      if (!sent.ok) return showReset(request, reply, { error: sent.error });
      return showReset(request, reply, { step: 'code', sentTo: sent.value.sentTo });
    });

    app.post(
      '/password/reset/confirm',
      site.postRoute('password-reset-confirm'),
      async (request, reply) => {
        const field = (name: string): string => secretField(site, request.body, name);
        const done = await confirmPasswordReset(sales, {
          pin: site.formField(request.body, 'pin'),
          code: field('code'),
          newPassword: field('new_password'),
          newPasswordConfirm: field('new_password_confirm'),
          locale: site.localeOf(request),
        });
        request.log.info({ result: done.ok ? 'reset' : done.error.code }, 'password reset');
        if (!done.ok) return showReset(request, reply, { step: 'code', error: done.error });
        return showReset(request, reply, { step: 'done' });
      },
    );
  };
}
