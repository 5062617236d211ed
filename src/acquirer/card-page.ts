import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { assert, formatMoney } from '../kernel/index.ts';
import type { Acquirer } from './acquirer.ts';
import { checkCardForm, type CardField, type FieldProblem } from './card-form.ts';
import { PAYMENT_ID } from './ids.ts';
import type { Payment } from './payment.ts';
import {
  CARD_BRAND,
  FIELD_PROBLEMS,
  STATUS_TEXT,
  TEST_CARD_LIST,
  type Text,
} from './page-texts.ts';
import {
  NOT_FOUND,
  formField,
  redirectBack,
  returnTarget,
  sendNotice,
  sendPage,
  type FieldSpec,
} from './page-render.ts';

/**
 * The card company's hosted page, `/pay/:id`: the holder types the card here, never at the
 * merchant. The card number and CVC are never written back into a page, a log or the database.
 */
async function sendNotPayable(reply: FastifyReply, payment: Payment): Promise<FastifyReply> {
  const state = STATUS_TEXT[payment.status];
  if (payment.method === 'bank') {
    return sendNotice(
      reply,
      {
        heading: { en: 'Pay by bank transfer', ko: '계좌 이체 결제' },
        message: {
          en: 'This payment is paid by a transfer to its virtual account, not by card.',
          ko: '이 결제는 카드가 아니라 가상계좌 입금으로 결제합니다.',
        },
      },
      { status: 409 },
    );
  }
  if (payment.status === 'processing') {
    return sendNotice(reply, {
      heading: { en: 'Still processing', ko: '처리 중입니다' },
      message: {
        en: 'The card company has not answered yet. Reload this page in a few seconds; do not pay again.',
        ko: '카드사 응답을 기다리고 있습니다. 잠시 후 새로 고침하세요. 다시 결제하지 마세요.',
      },
    });
  }
  return sendNotice(
    reply,
    {
      heading: { en: `This payment is ${state.en}`, ko: `이 결제는 ${state.ko} 상태입니다` },
      message: {
        en: 'Nothing more can be done on this page.',
        ko: '이 페이지에서 더 할 수 있는 일이 없습니다.',
      },
      tone: payment.status === 'succeeded' ? 'good' : 'bad',
      link: {
        href: returnTarget(payment),
        en: 'Return to the shop',
        ko: '상점으로 돌아가기',
      },
    },
    { status: 409 },
  );
}

function cardFields(previous: { readonly expiry: string; readonly name: string }): FieldSpec[] {
  return [
    {
      name: 'number',
      label: 'Card number',
      labelKo: '카드 번호',
      hint: '12 to 19 digits; spaces are fine.',
      hintKo: '12~19자리 숫자, 띄어쓰기 가능',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'cc-number',
      maxlength: 23,
      value: '',
    },
    {
      name: 'expiry',
      label: 'Expiry date',
      labelKo: '유효기간',
      hint: 'MM/YY',
      hintKo: '월/연도',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'cc-exp',
      maxlength: 7,
      value: previous.expiry,
    },
    {
      name: 'cvc',
      label: 'CVC',
      labelKo: '보안 코드',
      hint: '3 or 4 digits on the back.',
      hintKo: '카드 뒷면 3~4자리',
      type: 'password',
      inputmode: 'numeric',
      autocomplete: 'cc-csc',
      maxlength: 4,
      value: '',
    },
    {
      name: 'name',
      label: 'Name on the card',
      labelKo: '카드 소유자 이름',
      hint: 'As printed on the card.',
      hintKo: '카드에 적힌 대로',
      type: 'text',
      inputmode: 'text',
      autocomplete: 'cc-name',
      maxlength: 100,
      value: previous.name,
    },
  ];
}

async function sendCardForm(
  reply: FastifyReply,
  payment: Payment,
  problems: Partial<Record<CardField, FieldProblem>>,
  previous: { readonly expiry: string; readonly name: string },
): Promise<FastifyReply> {
  const shown: Partial<Record<CardField, Text>> = {};
  for (const [field, problem] of Object.entries(problems) as [CardField, FieldProblem][]) {
    shown[field] = FIELD_PROBLEMS[problem];
  }
  return sendPage(
    reply,
    'card.eta',
    {
      title: 'Pay by card',
      brand: CARD_BRAND,
      payment: {
        id: payment.id,
        description: payment.description,
        reference: payment.reference,
        amount: formatMoney(payment.amountMinor, payment.currency),
      },
      problems: shown,
      fields: cardFields(previous),
      testCards: TEST_CARD_LIST,
    },
    {
      status: Object.keys(problems).length > 0 ? 422 : 200,
      formTarget: payment.returnUrl,
    },
  );
}

export function registerCardPage(
  pages: FastifyInstance,
  options: { readonly acquirer: Acquirer; readonly closing: AbortSignal },
): void {
  const { acquirer, closing } = options;

  pages.get<{ Params: { id: string } }>('/pay/:id', async (request, reply) => {
    const id = request.params.id;
    const payment = PAYMENT_ID.test(id) ? acquirer.get(id) : null;
    if (payment === null) return sendNotice(reply, NOT_FOUND, { status: 404 });
    if (payment.status !== 'requires_action') return sendNotPayable(reply, payment);
    return sendCardForm(reply, payment, {}, { expiry: '', name: '' });
  });

  pages.post<{ Params: { id: string } }>('/pay/:id', async (request, reply) => {
    const id = request.params.id;
    const payment = PAYMENT_ID.test(id) ? acquirer.get(id) : null;
    if (payment === null) return sendNotice(reply, NOT_FOUND, { status: 404 });
    if (payment.status !== 'requires_action') return sendNotPayable(reply, payment);

    const input = {
      number: formField(request.body, 'number'),
      expiry: formField(request.body, 'expiry'),
      cvc: formField(request.body, 'cvc'),
      name: formField(request.body, 'name'),
    };
    const check = checkCardForm(input, acquirer.settings.clock.nowMs());
    if (!check.ok) return sendCardForm(reply, payment, check.problems, input);

    const decision = acquirer.decideCard(id, check.card);
    if (decision === null) return sendNotice(reply, NOT_FOUND, { status: 404 });
    switch (decision.kind) {
      case 'not_payable':
        return sendNotPayable(reply, decision.payment);
      case 'decided':
        return redirectBack(reply, decision.payment);
      case 'lost':
        // The approval is recorded, but the answer never reaches the browser or the shop.
        return sendNotice(
          reply,
          {
            heading: { en: 'Connection lost', ko: '연결이 끊어졌습니다' },
            message: {
              en: 'The connection to the card company was lost before its answer arrived. Do not pay again: the shop will check what happened.',
              ko: '카드사 응답을 받기 전에 연결이 끊어졌습니다. 다시 결제하지 마세요. 상점에서 결과를 확인합니다.',
            },
            tone: 'bad',
          },
          { status: 502 },
        );
      case 'slow': {
        try {
          await sleep(acquirer.settings.slowAnswerMs, undefined, { signal: closing });
        } catch {
          // Shutting down: the approval becomes final when the payment is next read.
          return sendNotice(
            reply,
            {
              heading: { en: 'Still processing', ko: '처리 중입니다' },
              message: {
                en: 'The card company is restarting. Do not pay again: the shop will check what happened.',
                ko: '카드사 시스템이 재시작 중입니다. 다시 결제하지 마세요.',
              },
            },
            { status: 503 },
          );
        }
        const after = acquirer.finishSlow(id);
        assert(after !== null, 'the slow payment still exists');
        return redirectBack(reply, after);
      }
    }
  });

  pages.post<{ Params: { id: string } }>('/pay/:id/cancel', async (request, reply) => {
    const id = request.params.id;
    const payment = PAYMENT_ID.test(id) ? acquirer.get(id) : null;
    if (payment?.method !== 'card') return sendNotice(reply, NOT_FOUND, { status: 404 });
    const result = acquirer.cancel(id);
    if (result === null) return sendNotice(reply, NOT_FOUND, { status: 404 });
    if (result.kind === 'not_cancelable') return sendNotPayable(reply, result.payment);
    return redirectBack(reply, result.payment);
  });
}
