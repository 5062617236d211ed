import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticate,
  cardBalance,
  getCard,
  type Card,
  type CardState,
} from '../../cards/index.ts';
import {
  fail,
  formatMoney,
  isCurrency,
  isoFromMs,
  type DomainError,
  type Outcome,
} from '../../kernel/index.ts';
import {
  cardActivity,
  flagPayment,
  refusable,
  suspendFlaggedCard,
  type CardActivity,
  type PaymentsContext,
} from '../../payments/index.ts';
import { statusOf } from '../shared/errors.ts';
import { fieldOf, messageOf, type PageMessage } from '../pay/messages.ts';
import { csrfTokenFor, formField, postRateLimit, sendPage } from '../pay/web.ts';
import { endSession, sessionCard, startSession } from './session.ts';

export const VERIFY_STYLESHEET = '/verify/assets/pages.css';

const PAYMENT_ID = /^pay_[a-z0-9]{1,40}$/;
const PASSWORD_INPUT_MAX_CHARS = 64;
const NOTE_LENGTH_MAX = 500;

const CARD_STATE_LABELS: Record<CardState, string> = {
  issued: 'not sold · 미판매',
  consigned: 'not sold · 미판매',
  sold: 'not activated · 미등록',
  active: 'active · 사용 가능',
  suspended: 'suspended · 정지',
  locked: 'locked · 잠김',
  expired: 'expired · 만료',
  refunded: 'refunded · 환불',
  closed: 'closed · 해지',
};

const PAYMENT_STATUS_LABELS: Record<string, string> = {
  requires_payment: 'waiting · 대기',
  requires_capture: 'authorized · 승인',
  partially_captured: 'partly charged · 부분 결제',
  succeeded: 'charged · 결제 완료',
  voided: 'canceled · 취소',
  expired: 'expired · 만료',
};

/** Confirmations the activity list may show after a redirect (a closed list: no free text). */
const CONFIRMATIONS: Record<string, PageMessage> = {
  flagged: {
    en: 'Thank you. We recorded that this payment was not yours and told the shop.',
    ko: '감사합니다. 본인 결제가 아님을 기록하고 상점에 알렸습니다.',
  },
  suspended: {
    en: 'Thank you. We recorded that this payment was not yours, told the shop, and suspended your card. Contact support to use it again.',
    ko: '감사합니다. 본인 결제가 아님을 기록하고 상점에 알렸으며, 카드를 정지했습니다. 다시 사용하려면 고객센터에 문의하세요.',
  },
};

function timeText(ms: bigint): string {
  return `${isoFromMs(ms).slice(0, 16).replace('T', ' ')} UTC`;
}

function money(amountMinor: bigint, currency: string): string {
  return isCurrency(currency) ? formatMoney(amountMinor, currency) : `${amountMinor} ${currency}`;
}

function activityRow(a: CardActivity): Record<string, unknown> {
  return {
    paymentId: a.paymentId,
    associate: a.associateName,
    description: a.description,
    livemode: a.livemode,
    authorized: money(a.authorizedMinor, a.currency),
    captured: money(a.capturedMinor, a.currency),
    refunded: money(a.refundedMinor, a.currency),
    status: PAYMENT_STATUS_LABELS[a.status] ?? a.status,
    time: timeText(a.createdAtMs),
    flagged: a.flagged,
  };
}

/**
 * "Verification of online payment" (patent FIG. 3): the holder signs in with PIN + password,
 * sees what their card paid, and can say a payment was not theirs — which tells the associate
 * (`payment.flagged`) and, if asked, suspends the card at once.
 */
export function registerVerifyRoutes(app: FastifyInstance, ctx: PaymentsContext): void {
  async function showLogin(
    reply: FastifyReply,
    extra: { readonly error?: DomainError; readonly status?: number; readonly ended?: boolean },
  ): Promise<FastifyReply> {
    const error =
      extra.error === undefined
        ? null
        : {
            field: fieldOf(extra.error.code, extra.error.param),
            message: messageOf(extra.error.code),
          };
    return sendPage(
      reply,
      'verify-login.eta',
      {
        title: 'Check your payments · OnePIN',
        csrf: csrfTokenFor(ctx, reply),
        error,
        ended: extra.ended === true,
      },
      { status: extra.status ?? 200, stylesheetPath: VERIFY_STYLESHEET },
    );
  }

  async function showActivity(
    reply: FastifyReply,
    card: Card,
    extra: {
      readonly confirmation?: PageMessage | null;
      readonly error?: DomainError;
      readonly status?: number;
    } = {},
  ): Promise<FastifyReply> {
    const executor = ctx.db.kysely;
    const rows = await cardActivity(executor, card.id);
    const balance = await cardBalance(ctx.cards, executor, card.id);
    return sendPage(
      reply,
      'verify-activity.eta',
      {
        title: 'Your payments · OnePIN',
        csrf: csrfTokenFor(ctx, reply),
        card: {
          last4: card.pinLast4,
          state: CARD_STATE_LABELS[card.state],
          active: card.state === 'active',
          balance: balance.ok ? formatMoney(balance.value.balanceMinor, card.currency) : '',
        },
        rows: rows.map(activityRow),
        confirmation: extra.confirmation ?? null,
        error: extra.error === undefined ? null : messageOf(extra.error.code),
      },
      { status: extra.status ?? 200, stylesheetPath: VERIFY_STYLESHEET },
    );
  }

  /** The session's card, fresh from the database (its state may have changed). */
  async function currentCard(request: FastifyRequest): Promise<Card | null> {
    const cardId = sessionCard(ctx, request);
    if (cardId === null) return null;
    const card = await getCard(ctx.cards, ctx.db.kysely, { id: cardId });
    return card.ok ? card.value : null;
  }

  app.get('/verify', { schema: { hide: true } }, async (request, reply) => {
    if (sessionCard(ctx, request) !== null) return reply.redirect('/verify/activity', 303);
    return showLogin(reply, {});
  });

  app.post(
    '/verify',
    {
      schema: { hide: true },
      config: { rateLimit: postRateLimit('verify') },
      preValidation: app.csrfProtection.bind(app),
    },
    async (request, reply) => {
      const pin = formField(request.body, 'pin');
      const password = formField(request.body, 'password');
      const outcome: Outcome<Card> =
        password === '' || password.length > PASSWORD_INPUT_MAX_CHARS
          ? fail('parameter_invalid', 'password')
          : await authenticate(ctx.cards, { pin, password });
      request.log.info(
        outcome.ok
          ? { result: 'signed_in', card: outcome.value.id }
          : { result: outcome.error.code },
        'holder verification sign-in',
      );
      if (!outcome.ok) {
        return showLogin(reply, { error: outcome.error, status: statusOf(outcome.error.code) });
      }
      startSession(ctx, reply, outcome.value.id);
      return reply.redirect('/verify/activity', 303);
    },
  );

  app.get<{ Querystring: { done?: string } }>(
    '/verify/activity',
    { schema: { hide: true } },
    async (request, reply) => {
      const card = await currentCard(request);
      if (card === null) {
        endSession(ctx, reply);
        return reply.redirect('/verify', 303);
      }
      const done = request.query.done;
      return showActivity(reply, card, {
        confirmation:
          typeof done === 'string' && Object.hasOwn(CONFIRMATIONS, done)
            ? (CONFIRMATIONS[done] ?? null)
            : null,
      });
    },
  );

  app.post(
    '/verify/flag',
    {
      schema: { hide: true },
      config: { rateLimit: postRateLimit('verify-flag') },
      preValidation: app.csrfProtection.bind(app),
    },
    async (request, reply) => {
      const card = await currentCard(request);
      if (card === null) {
        endSession(ctx, reply);
        return showLogin(reply, { ended: true, status: 401 });
      }
      const paymentId = formField(request.body, 'payment');
      const note = formField(request.body, 'note').trim();
      const suspend = formField(request.body, 'suspend') === 'yes';
      let result: Outcome<{ readonly suspended: boolean }>;
      if (!PAYMENT_ID.test(paymentId)) result = fail('payment_not_found', 'payment');
      else if (note.length > NOTE_LENGTH_MAX) result = fail('parameter_invalid', 'note');
      else
        result = await refusable(ctx.db, (tx) =>
          flagPayment(ctx, tx, { card, paymentId, note, suspend }),
        );
      request.log.info(
        {
          card: card.id,
          payment: PAYMENT_ID.test(paymentId) ? paymentId : 'malformed',
          result: result.ok ? 'flagged' : result.error.code,
        },
        'holder flagged a payment',
      );
      if (!result.ok) {
        return showActivity(reply, card, {
          error: result.error,
          status: statusOf(result.error.code),
        });
      }
      const suspended = result.value.suspended && (await suspendFlaggedCard(ctx, card));
      return reply.redirect(`/verify/activity?done=${suspended ? 'suspended' : 'flagged'}`, 303);
    },
  );

  app.post(
    '/verify/logout',
    {
      schema: { hide: true },
      config: { rateLimit: postRateLimit('verify-logout') },
      preValidation: app.csrfProtection.bind(app),
    },
    async (_request, reply) => {
      endSession(ctx, reply);
      return reply.redirect('/verify', 303);
    },
  );
}
