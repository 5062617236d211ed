import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listDenominations } from '../../cards/index.ts';
import { formatMoney, isCurrency, parseAmountMinor, type ErrorCode } from '../../kernel/index.ts';
import {
  GIFT_DESIGNS,
  ORDER_QUANTITY_MAX,
  buyerView,
  claimGift,
  createPurchaseOrder,
  createRechargeOrder,
  giftView,
  keepForSelf,
  returnFromProvider,
  sendAsGift,
  startPayment,
  type Order,
  type OrderStarted,
  type SalesContext,
} from '../../sales/index.ts';
import { statusOf } from '../shared/errors.ts';
import { secretField } from './card-routes.ts';
import { SITE_CSP, type SiteKit, type SiteRoutes } from './site-web.ts';
import { siteDate } from './site-time.ts';

/**
 * Buying cards (FIG. 4, 10A–10E), the order page that shows PINs once and lets the buyer keep
 * or give each card, the gift claim, and recharge (FIG. 5, 10F–10G). Handlers are thin: they
 * read the form, call one sales use case and draw the answer.
 */

/** The buyer's browser holds the order form's key in this cookie: it is the right to see the order. */
export const ORDER_COOKIE = 'onepin_order';
const ORDER_COOKIE_MAX_AGE_S = 7 * 86_400;
const ORDER_ID = /^ord_[a-z0-9]{1,40}$/;
const GIFT_ID = /^gft_[a-z0-9]{1,40}$/;
const SECRET = /^[A-Za-z0-9_-]{10,64}$/;

function newOrderKey(): string {
  return randomBytes(18).toString('base64url');
}

function setOrderCookie(
  sales: SalesContext,
  reply: FastifyReply,
  orderId: string,
  key: string,
): void {
  // Lax, not Strict: the buyer comes back from the card company's page by a cross-site redirect.
  void reply.setCookie(ORDER_COOKIE, `${orderId}.${key}`, {
    path: '/orders',
    httpOnly: true,
    sameSite: 'lax',
    secure: sales.publicUrl.startsWith('https:'),
    maxAge: ORDER_COOKIE_MAX_AGE_S,
  });
}

function orderKeyFrom(request: FastifyRequest, orderId: string): string {
  const raw = request.cookies[ORDER_COOKIE] ?? '';
  const dot = raw.indexOf('.');
  if (dot < 0 || raw.slice(0, dot) !== orderId) return '';
  return raw.slice(dot + 1);
}

/** A PIN in groups of four with spaces, as printed on cards (easy to read back and retype). */
export function spacedPin(pin: string): string {
  return pin.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Where the browser goes once an order was made: the card company's page, or the order. */
function nextStop(started: OrderStarted): string {
  const o = started.order;
  if (o.status === 'awaiting_payment' && o.method === 'card' && o.redirectUrl !== null)
    return o.redirectUrl;
  return `/orders/${o.id}`;
}

/** The param a refusal belongs to, as the form names its fields. */
function fieldOfParam(param: string | undefined, fallback: string): string {
  return param ?? fallback;
}

/**
 * Pages whose forms are answered with a redirect to the provider's card page: browsers check
 * `form-action` against the redirect too, so the provider's origin is allowed there.
 */
function allowProviderForms(sales: SalesContext, reply: FastifyReply): void {
  const origin = sales.funding.pageOrigin;
  if (origin === null || !/^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin)) return;
  reply.helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...SITE_CSP, formAction: ["'self'", origin] },
    },
  });
}

export function salesRoutes(sales: SalesContext): SiteRoutes {
  return (app: FastifyInstance, site: SiteKit): void => {
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (path === '/buy' || path === '/recharge' || path.startsWith('/orders/'))
        allowProviderForms(sales, reply);
    });
    const hidden = { schema: { hide: true } } as const;

    // ---------------------------------------------------------------- buy (FIG. 10A–10C)
    async function showBuy(
      request: FastifyRequest,
      reply: FastifyReply,
      form: {
        readonly key: string;
        readonly quantities: Record<string, string>;
        readonly name: string;
        readonly email: string;
        readonly phone: string;
        readonly method: string;
      },
      error?: { readonly code: ErrorCode; readonly param?: string },
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const denominations = (await listDenominations(sales.db.kysely)).filter((d) => d.onSale);
      const field = error === undefined ? null : fieldOfParam(error.param, 'form');
      const known = ['name', 'email', 'phone', 'method', 'quantity'];
      const errors =
        error !== undefined && field !== null && known.includes(field)
          ? site.fieldErrors(locale, { [field]: error.code })
          : {};
      const formError =
        error !== undefined && (field === null || !known.includes(field))
          ? { id: 'buy-error', message: site.messageOf(error.code, locale) }
          : null;
      return site.render(
        request,
        reply,
        'sales/buy.eta',
        {
          titleKey: 'buy.title',
          form,
          quantityMax: ORDER_QUANTITY_MAX,
          denominations: denominations.map((d) => ({
            id: d.id,
            name: d.name,
            price: formatMoney(d.amountMinor, d.currency),
            design: d.design,
          })),
          errors,
          formError,
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    app.get<{ Querystring: { denomination?: string } }>('/buy', hidden, async (request, reply) => {
      const chosen = request.query.denomination;
      return showBuy(request, reply, {
        key: newOrderKey(),
        quantities: typeof chosen === 'string' ? { [chosen]: '1' } : {},
        name: '',
        email: '',
        phone: '',
        method: 'card',
      });
    });

    app.post('/buy', site.postRoute('buy'), async (request, reply) => {
      const body = request.body;
      const denominations = await listDenominations(sales.db.kysely);
      const quantities: Record<string, string> = {};
      const lines = [];
      let badQuantity = false;
      for (const d of denominations) {
        const raw = site.formField(body, `qty_${d.id}`).trim();
        if (raw === '' || raw === '0') continue;
        quantities[d.id] = raw;
        if (!/^[0-9]{1,3}$/.test(raw)) badQuantity = true;
        else lines.push({ denominationId: d.id, quantity: Number(raw) });
      }
      const form = {
        key: site.formField(body, 'order_key'),
        quantities,
        name: site.formField(body, 'name'),
        email: site.formField(body, 'email'),
        phone: site.formField(body, 'phone'),
        method: site.formField(body, 'method'),
      };
      if (badQuantity)
        return showBuy(request, reply, form, { code: 'quantity_invalid', param: 'quantity' });
      const started = await createPurchaseOrder(sales, {
        orderKey: form.key,
        locale: site.localeOf(request),
        buyer: { name: form.name, email: form.email, phone: form.phone },
        method: form.method,
        lines,
      });
      request.log.info(
        started.ok
          ? { order: started.value.order.id, replayed: started.value.replayed }
          : { result: started.error.code },
        'web purchase order',
      );
      if (!started.ok) {
        // An order that exists but could not reach the provider is resumed by the same form.
        const key = started.error.code === 'parameter_invalid' ? newOrderKey() : form.key;
        return showBuy(request, reply, { ...form, key }, started.error);
      }
      setOrderCookie(sales, reply, started.value.order.id, form.key);
      return reply.redirect(nextStop(started.value), 303);
    });

    // ---------------------------------------------------------------- the order (FIG. 10D–10E)
    async function showOrder(
      request: FastifyRequest,
      reply: FastifyReply,
      orderId: string,
      extra: {
        readonly notice?: string | null;
        readonly cardError?: {
          readonly cardId: string;
          readonly code: ErrorCode;
          readonly param?: string;
        };
        readonly status?: number;
      } = {},
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const key = orderKeyFrom(request, orderId);
      const view = await buyerView(sales, { orderId, key });
      if (!view.ok) return site.renderError(request, reply, 'order_not_found');
      const o = view.value.order;
      const t = site.textOf(locale);
      const money = (m: bigint): string => formatMoney(m, o.currency);
      const cardError = extra.cardError;
      return site.render(
        request,
        reply,
        'sales/order.eta',
        {
          titleKey: 'order.title',
          notice: extra.notice ?? null,
          order: {
            id: o.id,
            kind: o.kind,
            status: o.status,
            statusText: t(`order.status.${o.status}`),
            method: o.method,
            amount: money(o.amountMinor),
            redirectUrl: o.redirectUrl,
            virtualAccount:
              o.virtualAccount === null
                ? null
                : { ...o.virtualAccount, dueAt: siteDate(o.virtualAccount.dueAtMs) },
            failure:
              o.failureCode === null ? null : site.messageOf(o.failureCode as ErrorCode, locale),
            instrument: o.instrument,
            buyerName: o.buyerName,
          },
          revealed: view.value.revealedNow,
          cards: view.value.cards.map((c) => ({
            id: c.cardId,
            serial: c.serial,
            last4: c.last4,
            value: money(c.faceValueMinor),
            handover: c.handover,
            pin: c.pin === null ? null : spacedPin(c.pin),
            errors:
              cardError?.cardId === c.cardId
                ? site.fieldErrors(locale, { [cardError.param ?? 'password']: cardError.code })
                : {},
          })),
        },
        { status: extra.status ?? 200 },
      );
    }

    const ORDER_NOTICES = ['self', 'gift'] as const;

    app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
      '/orders/:id',
      hidden,
      async (request, reply) => {
        const id = request.params.id;
        if (!ORDER_ID.test(id)) return site.renderError(request, reply, 'order_not_found');
        const done = request.query.done;
        const notice =
          typeof done === 'string' && (ORDER_NOTICES as readonly string[]).includes(done)
            ? done
            : null;
        // A waiting order is checked with the provider on every view (the answer may be lost).
        const key = orderKeyFrom(request, id);
        if (key !== '') await returnFromProvider(sales, id);
        return showOrder(request, reply, id, { notice });
      },
    );

    app.get<{ Params: { id: string } }>('/orders/:id/return', hidden, async (request, reply) => {
      const id = request.params.id;
      if (!ORDER_ID.test(id)) return site.renderError(request, reply, 'order_not_found');
      // The query string the provider added is not trusted: the provider is asked.
      await returnFromProvider(sales, id);
      return reply.redirect(`/orders/${id}`, 303);
    });

    app.post<{ Params: { id: string } }>(
      '/orders/:id/pay',
      site.postRoute('order-pay'),
      async (request, reply) => {
        const id = request.params.id;
        if (!ORDER_ID.test(id) || orderKeyFrom(request, id) === '')
          return site.renderError(request, reply, 'order_not_found');
        const started = await startPayment(sales, id);
        if (!started.ok)
          return showOrder(request, reply, id, { status: statusOf(started.error.code) });
        return reply.redirect(nextStop({ order: started.value, replayed: true }), 303);
      },
    );

    app.post<{ Params: { id: string; card: string } }>(
      '/orders/:id/cards/:card/self',
      site.postRoute('order-self'),
      async (request, reply) => {
        const { id, card } = request.params;
        const result = await keepForSelf(sales, {
          orderId: id,
          key: orderKeyFrom(request, id),
          cardId: card,
          password: secretField(site, request.body, 'password'),
          passwordConfirm: secretField(site, request.body, 'password_confirm'),
        });
        request.log.info(
          { order: id, result: result.ok ? 'activated' : result.error.code },
          'keep card',
        );
        if (!result.ok) {
          if (result.error.code === 'order_not_found')
            return site.renderError(request, reply, 'order_not_found');
          return showOrder(request, reply, id, {
            cardError: {
              cardId: card,
              code: result.error.code,
              param: result.error.param ?? 'password',
            },
            status: statusOf(result.error.code),
          });
        }
        return reply.redirect(`/orders/${id}?done=self`, 303);
      },
    );

    // ---------------------------------------------------------------- gift (FIG. 10E)
    async function showGiftForm(
      request: FastifyRequest,
      reply: FastifyReply,
      order: { readonly id: string; readonly buyerName: string },
      cardId: string,
      form: Record<string, string>,
      error?: { readonly code: ErrorCode; readonly param?: string },
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const known = [
        'sender_name',
        'recipient_name',
        'recipient_email',
        'design',
        'message',
        'deliver_on',
      ];
      const param = error?.param ?? '';
      return site.render(
        request,
        reply,
        'sales/gift.eta',
        {
          titleKey: 'gift.title',
          orderId: order.id,
          cardId,
          designs: GIFT_DESIGNS,
          form: { sender_name: order.buyerName, design: 'classic', ...form },
          errors:
            error !== undefined && known.includes(param)
              ? site.fieldErrors(locale, { [param]: error.code })
              : {},
          formError:
            error !== undefined && !known.includes(param)
              ? { id: 'gift-error', message: site.messageOf(error.code, locale) }
              : null,
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    async function buyerOrder(request: FastifyRequest, id: string): Promise<Order | null> {
      const view = await buyerView(sales, { orderId: id, key: orderKeyFrom(request, id) });
      return view.ok ? view.value.order : null;
    }

    app.get<{ Params: { id: string; card: string } }>(
      '/orders/:id/cards/:card/gift',
      hidden,
      async (request, reply) => {
        const { id, card } = request.params;
        const order = ORDER_ID.test(id) ? await buyerOrder(request, id) : null;
        if (order === null) return site.renderError(request, reply, 'order_not_found');
        return showGiftForm(request, reply, order, card, {});
      },
    );

    app.post<{ Params: { id: string; card: string } }>(
      '/orders/:id/cards/:card/gift',
      site.postRoute('order-gift'),
      async (request, reply) => {
        const { id, card } = request.params;
        const b = request.body;
        const form: Record<string, string> = {};
        for (const f of [
          'sender_name',
          'recipient_name',
          'recipient_email',
          'design',
          'message',
          'deliver_on',
        ])
          form[f] = site.formField(b, f);
        const result = await sendAsGift(sales, {
          orderId: id,
          key: orderKeyFrom(request, id),
          cardId: card,
          senderName: form.sender_name ?? '',
          recipientName: form.recipient_name ?? '',
          recipientEmail: form.recipient_email ?? '',
          design: form.design ?? '',
          message: form.message ?? '',
          deliverOn: form.deliver_on ?? '',
          locale: site.localeOf(request),
        });
        request.log.info(
          { order: id, result: result.ok ? 'gift' : result.error.code },
          'send gift',
        );
        if (!result.ok) {
          const order = await buyerOrder(request, id);
          if (order === null) return site.renderError(request, reply, 'order_not_found');
          return showGiftForm(request, reply, order, card, form, result.error);
        }
        return reply.redirect(`/orders/${id}?done=gift`, 303);
      },
    );

    // ---------------------------------------------------------------- claim a gift
    async function showClaim(
      request: FastifyRequest,
      reply: FastifyReply,
      giftId: string,
      secret: string,
      extra: {
        readonly error?: { readonly code: ErrorCode; readonly param?: string };
        readonly done?: string;
      } = {},
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const gift =
        GIFT_ID.test(giftId) && SECRET.test(secret) ? await giftView(sales, giftId) : null;
      if (gift?.ok !== true) return site.renderError(request, reply, 'activation_secret_invalid');
      const g = gift.value;
      const error = extra.error;
      const fields = ['pin', 'password', 'password_confirm'];
      const param = error?.param ?? '';
      return site.render(
        request,
        reply,
        'sales/claim.eta',
        {
          titleKey: 'claim.title',
          action: `/claim/${g.giftId}/${secret}`,
          gift: {
            sender: g.senderName,
            recipient: g.recipientName,
            design: g.design,
            message: g.message,
            amount: isCurrency(g.currency) ? formatMoney(g.amountMinor, g.currency) : '',
            claimed: g.claimed,
            expired: g.expired,
          },
          done: extra.done ?? null,
          errors:
            error !== undefined && fields.includes(param)
              ? site.fieldErrors(locale, { [param]: error.code })
              : {},
          formError:
            error !== undefined && !fields.includes(param)
              ? { id: 'claim-error', message: site.messageOf(error.code, locale) }
              : null,
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    app.get<{ Params: { gift: string; secret: string } }>(
      '/claim/:gift/:secret',
      hidden,
      async (request, reply) =>
        showClaim(request, reply, request.params.gift, request.params.secret),
    );

    app.post<{ Params: { gift: string; secret: string } }>(
      '/claim/:gift/:secret',
      site.postRoute('claim'),
      async (request, reply) => {
        const { gift, secret } = request.params;
        if (!GIFT_ID.test(gift) || !SECRET.test(secret))
          return site.renderError(request, reply, 'activation_secret_invalid');
        const result = await claimGift(sales, {
          giftId: gift,
          secret,
          pin: site.formField(request.body, 'pin'),
          password: secretField(site, request.body, 'password'),
          passwordConfirm: secretField(site, request.body, 'password_confirm'),
        });
        request.log.info({ gift, result: result.ok ? 'claimed' : result.error.code }, 'gift claim');
        if (!result.ok) return showClaim(request, reply, gift, secret, { error: result.error });
        return showClaim(request, reply, gift, secret, { done: result.value.last4 });
      },
    );

    // ---------------------------------------------------------------- recharge (FIG. 10F–10G)
    async function showRecharge(
      request: FastifyRequest,
      reply: FastifyReply,
      form: {
        readonly key: string;
        readonly amount: string;
        readonly method: string;
        readonly email: string;
      },
      error?: { readonly code: ErrorCode; readonly param?: string },
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const fields = ['pin', 'password', 'amount', 'method', 'email'];
      const param = error?.param ?? '';
      return site.render(
        request,
        reply,
        'sales/recharge.eta',
        {
          titleKey: 'recharge.title',
          form,
          presets: ['10000', '30000', '50000', '100000'],
          errors:
            error !== undefined && fields.includes(param)
              ? site.fieldErrors(locale, { [param]: error.code })
              : {},
          formError:
            error !== undefined && !fields.includes(param)
              ? { id: 'recharge-error', message: site.messageOf(error.code, locale) }
              : null,
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    app.get('/recharge', hidden, async (request, reply) =>
      showRecharge(request, reply, { key: newOrderKey(), amount: '', method: 'card', email: '' }),
    );

    app.post('/recharge', site.postRoute('recharge'), async (request, reply) => {
      const b = request.body;
      const form = {
        key: site.formField(b, 'order_key'),
        amount: site.formField(b, 'amount').replace(/[,\s]/g, ''),
        method: site.formField(b, 'method'),
        email: site.formField(b, 'email'),
      };
      const amount = parseAmountMinor(form.amount === '' ? 'x' : form.amount);
      if (!amount.ok)
        return showRecharge(request, reply, form, { code: amount.code, param: 'amount' });
      const password = secretField(site, b, 'password');
      if (password === '')
        return showRecharge(request, reply, form, { code: 'password_invalid', param: 'password' });
      const started = await createRechargeOrder(sales, {
        orderKey: form.key,
        locale: site.localeOf(request),
        pin: site.formField(b, 'pin'),
        password,
        amountMinor: amount.amountMinor,
        method: form.method,
        email: form.email,
      });
      request.log.info(
        started.ok ? { order: started.value.order.id } : { result: started.error.code },
        'recharge order',
      );
      if (!started.ok) {
        const param =
          started.error.code === 'credentials_invalid' || started.error.code === 'card_locked'
            ? undefined
            : started.error.param;
        return showRecharge(
          request,
          reply,
          { ...form, key: newOrderKey() },
          {
            code: started.error.code,
            ...(param !== undefined ? { param } : {}),
          },
        );
      }
      setOrderCookie(sales, reply, started.value.order.id, form.key);
      return reply.redirect(nextStop(started.value), 303);
    });
  };
}
