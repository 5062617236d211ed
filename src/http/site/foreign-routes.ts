import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cardBalance, type Card } from '../../cards/index.ts';
import {
  createQuote,
  getQuote,
  listOffers,
  listSwitches,
  describeRate,
  switchToForeign,
  type ForeignContext,
  type Quote,
  type SwitchResult,
} from '../../foreign/index.ts';
import { formatMoney, type ErrorCode } from '../../kernel/index.ts';
import { statusOf } from '../shared/errors.ts';
import { secretField, sessionCard } from './card-routes.ts';
import type { Locale } from './i18n.ts';
import type { SiteKit, SiteRoutes } from './site-web.ts';
import { siteDateTime } from './site-time.ts';
import { FOREIGN_TEXT } from './text/foreign.ts';

/**
 * Foreign PIN exchange on the holder site (patent FIG. 9): a signed-in holder picks a partner's
 * PIN and value, sees the exact price (a quote that holds for 2 minutes), confirms with PIN and
 * password, and sees the partner's PIN once (it is also e-mailed). Refusals say that nothing
 * was charged, which is true of each of them.
 */

const OFFER = /^(fxp_[a-z0-9]{1,40}):([0-9]{1,15})$/;
const QUOTE_ID = /^fxq_[a-z0-9]{1,40}$/;
/** Errors that send the holder back to choosing (the quote cannot be used any more). */
const BACK_TO_CHOICE: readonly ErrorCode[] = [
  'fx_quote_expired',
  'fx_quote_not_found',
  'foreign_pool_empty',
  'foreign_provider_suspended',
  'foreign_provider_not_found',
  'fx_rate_not_found',
  'insufficient_funds',
];

interface Refusal {
  readonly code: ErrorCode;
  readonly param?: string;
}

function messageOf(site: SiteKit, code: ErrorCode, locale: Locale): string {
  const own = FOREIGN_TEXT[`foreign.error.${code}`];
  return own !== undefined ? own[locale] : site.messageOf(code, locale);
}

/** "1.5" for 150 basis points. */
function percentOf(bps: bigint): string {
  const whole = bps / 100n;
  const rest = bps % 100n;
  return rest === 0n
    ? whole.toString()
    : `${whole}.${rest.toString().padStart(2, '0').replace(/0$/, '')}`;
}

export function foreignRoutes(foreign: ForeignContext): SiteRoutes {
  return (app: FastifyInstance, site: SiteKit): void => {
    const hidden = { schema: { hide: true } } as const;

    async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<Card | null> {
      const card = await sessionCard(site, request);
      if (card === null) {
        site.holder.end(reply);
        await reply.redirect('/card', 303);
      }
      return card;
    }

    async function showOffers(
      request: FastifyRequest,
      reply: FastifyReply,
      card: Card,
      error?: Refusal,
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const t = site.textOf(locale);
      const offers = await listOffers(foreign, card.currency);
      const history = await listSwitches(foreign, card.id, 10);
      const balance = await cardBalance(site.cards, site.payments.db.kysely, card.id);
      return site.render(
        request,
        reply,
        'foreign/offers.eta',
        {
          titleKey: 'foreign.title',
          last4: card.pinLast4,
          balance: formatMoney(balance.ok ? balance.value.balanceMinor : 0n, card.currency),
          offers: offers.map((o) => ({
            key: `${o.providerId}:${o.faceValueMinor}`,
            label: t('foreign.offer', {
              provider: o.providerName,
              value: formatMoney(o.faceValueMinor, o.faceCurrency),
            }),
            price:
              o.indicativePayMinor === null
                ? t('foreign.noRate')
                : t('foreign.about', { price: formatMoney(o.indicativePayMinor, card.currency) }),
          })),
          history: history.map((h) => ({
            text: t('foreign.historyItem', {
              when: siteDateTime(h.createdAtMs),
              provider: h.providerName,
              value: formatMoney(h.faceValueMinor, h.faceCurrency),
              paid: formatMoney(h.payMinor, h.payCurrency),
              state: t(`foreign.state.${h.state}`),
            }),
            pin:
              h.state === 'completed' && h.pinLast4 !== null
                ? t('foreign.historyPin', { last4: h.pinLast4 })
                : null,
          })),
          formError:
            error === undefined
              ? null
              : { id: 'foreign-error', message: messageOf(site, error.code, locale) },
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    async function showQuote(
      request: FastifyRequest,
      reply: FastifyReply,
      quote: Quote,
      email: string,
      error?: Refusal,
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const t = site.textOf(locale);
      const onField = error !== undefined && (error.param === 'pin' || error.param === 'email');
      return site.render(
        request,
        reply,
        'foreign/quote.eta',
        {
          titleKey: 'foreign.quoteTitle',
          quote: {
            id: quote.id,
            provider: quote.providerName,
            value: formatMoney(quote.faceValueMinor, quote.faceCurrency),
            pay: formatMoney(quote.payMinor, quote.payCurrency),
            rate: describeRate(quote.rateText, quote.faceCurrency, quote.payCurrency),
            margin:
              quote.marginBps === 0n
                ? null
                : t('foreign.quoteMarginValue', { percent: percentOf(quote.marginBps) }),
            until: siteDateTime(quote.expiresAtMs),
          },
          email,
          errors:
            onField && error.param !== undefined
              ? site.fieldErrors(locale, { [error.param]: error.code })
              : {},
          formError:
            error === undefined || onField
              ? null
              : { id: 'quote-error', message: messageOf(site, error.code, locale) },
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    async function showDone(
      request: FastifyRequest,
      reply: FastifyReply,
      done: SwitchResult,
    ): Promise<FastifyReply> {
      return site.render(request, reply, 'foreign/done.eta', {
        titleKey: 'foreign.doneTitle',
        provider: done.providerName,
        value: formatMoney(done.faceValueMinor, done.faceCurrency),
        paid: formatMoney(done.payMinor, done.payCurrency),
        balance: formatMoney(done.balanceMinor, done.payCurrency),
        email: done.emailedTo,
        pin: done.pin,
        last4: done.pinLast4 ?? '',
      });
    }

    async function contactEmail(cardId: string): Promise<string> {
      if (foreign.holderContact === null) return '';
      const contact = await foreign.holderContact(site.payments.db.kysely, cardId);
      return contact?.email ?? '';
    }

    app.get('/card/foreign', hidden, async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      return showOffers(request, reply, card);
    });

    app.post('/card/foreign/quote', site.postRoute('foreign-quote'), async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const match = OFFER.exec(site.formField(request.body, 'offer'));
      if (match === null) {
        return showOffers(request, reply, card, { code: 'parameter_invalid', param: 'offer' });
      }
      const quote = await createQuote(foreign, {
        cardId: card.id,
        providerId: match[1] ?? '',
        faceValueMinor: BigInt(match[2] ?? '0'),
      });
      request.log.info(
        { card: card.id, result: quote.ok ? quote.value.id : quote.error.code },
        'foreign PIN quote',
      );
      if (!quote.ok) return showOffers(request, reply, card, quote.error);
      return showQuote(request, reply, quote.value, await contactEmail(card.id));
    });

    app.post('/card/foreign/switch', site.postRoute('foreign-switch'), async (request, reply) => {
      const card = await signedIn(request, reply);
      if (card === null) return reply;
      const quoteId = site.formField(request.body, 'quote_id');
      const email = site.formField(request.body, 'email');
      if (!QUOTE_ID.test(quoteId)) {
        return showOffers(request, reply, card, { code: 'fx_quote_not_found', param: 'quote' });
      }
      const quote = await getQuote(foreign, { quoteId, cardId: card.id });
      if (!quote.ok) return showOffers(request, reply, card, quote.error);
      const password = secretField(site, request.body, 'password');
      if (password === '') {
        return showQuote(request, reply, quote.value, email, {
          code: 'password_invalid',
          param: 'password',
        });
      }
      const done = await switchToForeign(foreign, {
        quoteId,
        pin: site.formField(request.body, 'pin'),
        password,
        email,
        locale: site.localeOf(request),
      });
      if (!done.ok) {
        request.log.info(
          { card: card.id, quote: quoteId, result: done.error.code },
          'foreign PIN switch',
        );
        if (BACK_TO_CHOICE.includes(done.error.code)) {
          return showOffers(request, reply, card, done.error);
        }
        return showQuote(request, reply, quote.value, email, done.error);
      }
      const result = done.value;
      // Never a simulation here: the form does not ask for one.
      if ('simulate' in result) return site.renderError(request, reply, 'internal_error');
      request.log.info(
        { card: card.id, switch: result.switchId, result: result.state, replayed: result.replayed },
        'foreign PIN switch',
      );
      if (result.lowStock !== null) {
        request.log.warn(
          {
            provider: result.lowStock.providerId,
            faceValueMinor: result.lowStock.faceValueMinor.toString(),
            available: result.lowStock.available.toString(),
            threshold: result.lowStock.threshold.toString(),
          },
          'foreign PIN stock below its threshold; alert e-mail queued',
        );
      }
      return showDone(request, reply, result);
    });
  };
}
