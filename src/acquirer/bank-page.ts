import type { FastifyInstance } from 'fastify';
import { formatMoney, parseAmountMinor } from '../kernel/index.ts';
import type { Acquirer, DepositResult } from './acquirer.ts';
import { normalizeAccountNumber } from './ids.ts';
import { BANK_BRAND, STATUS_TEXT, type Text } from './page-texts.ts';
import { formField, sendPage, type FieldSpec } from './page-render.ts';
import { AMOUNT_MAX_MINOR, checkSender } from './request-checks.ts';

/**
 * The bank's page, `/bank`: "send a transfer" to a virtual account, as a holder's bank would.
 * Only the exact amount due pays the payment; anything else is refused and shown as such.
 */
type BankField = 'account_number' | 'amount' | 'from_account';

function bankFields(values: Readonly<Record<BankField, string>>): FieldSpec[] {
  return [
    {
      name: 'account_number',
      label: 'To account',
      labelKo: '받는 계좌',
      hint: 'The virtual account number shown with the order.',
      hintKo: '주문 화면의 가상계좌 번호',
      maxlength: 30,
      value: values.account_number,
      required: true,
    },
    {
      name: 'amount',
      label: 'Amount',
      labelKo: '금액',
      hint: 'In minor units (won), digits only.',
      hintKo: '숫자만 입력(원)',
      maxlength: 15,
      value: values.amount,
      required: true,
    },
    {
      name: 'from_account',
      label: 'From account (optional)',
      labelKo: '보내는 계좌(선택)',
      hint: 'Your account; refunds go back to it.',
      hintKo: '환불받을 본인 계좌',
      maxlength: 30,
      value: values.from_account,
    },
  ];
}

const BANK_PROBLEMS = {
  account_number: {
    en: 'Enter an account number of 6 to 20 digits.',
    ko: '6~20자리 계좌 번호를 입력하세요.',
  },
  amount: {
    en: 'Enter the amount as whole digits, above zero.',
    ko: '금액을 0보다 큰 숫자로 입력하세요.',
  },
  from_account: {
    en: 'The sending account is 6 to 20 digits.',
    ko: '보내는 계좌는 6~20자리 숫자입니다.',
  },
} as const satisfies Record<BankField, Text>;

function depositNotice(result: DepositResult): {
  readonly ok: boolean;
  readonly heading: Text;
  readonly message: Text;
  readonly status: number;
} {
  switch (result.kind) {
    case 'matched':
      return {
        ok: true,
        status: 200,
        heading: { en: 'Transfer sent', ko: '이체 완료' },
        message: {
          en: `${formatMoney(result.payment.amountMinor, result.payment.currency)} reached the account; the shop has been told.`,
          ko: `${formatMoney(result.payment.amountMinor, result.payment.currency)} 입금되었습니다. 상점에 알렸습니다.`,
        },
      };
    case 'amount_mismatch':
      return {
        ok: false,
        status: 422,
        heading: { en: 'Transfer refused', ko: '이체 거절' },
        message: {
          en: 'The amount is not the amount due. Nothing was paid; send exactly the amount shown with the order.',
          ko: '입금할 금액과 다릅니다. 결제되지 않았습니다. 주문에 표시된 금액을 정확히 보내세요.',
        },
      };
    case 'account_not_found':
      return {
        ok: false,
        status: 404,
        heading: { en: 'No such account', ko: '없는 계좌' },
        message: {
          en: 'No virtual account has that number. Check it against the order.',
          ko: '그 번호의 가상계좌가 없습니다. 주문의 계좌 번호를 확인하세요.',
        },
      };
    case 'not_awaiting_deposit':
      return {
        ok: false,
        status: 409,
        heading: { en: 'Account closed', ko: '입금할 수 없는 계좌' },
        message: {
          en: `This account no longer takes transfers: the payment is ${STATUS_TEXT[result.status].en}.`,
          ko: `이 계좌는 더 이상 입금을 받지 않습니다: ${STATUS_TEXT[result.status].ko}.`,
        },
      };
  }
}

export function registerBankPage(
  pages: FastifyInstance,
  options: { readonly acquirer: Acquirer },
): void {
  const { acquirer } = options;

  pages.get('/bank', async (request, reply) => {
    // A link from the shop may fill in the account and the amount.
    const query = request.query as Record<string, unknown>;
    const values = {
      account_number: typeof query.account === 'string' ? query.account.slice(0, 30) : '',
      amount: typeof query.amount === 'string' ? query.amount.slice(0, 15) : '',
      from_account: '',
    };
    return sendPage(reply, 'bank.eta', {
      title: 'Send a transfer',
      brand: BANK_BRAND,
      problems: {},
      fields: bankFields(values),
      result: null,
    });
  });

  pages.post('/bank', async (request, reply) => {
    const values = {
      account_number: formField(request.body, 'account_number').slice(0, 30),
      amount: formField(request.body, 'amount').slice(0, 15),
      from_account: formField(request.body, 'from_account').slice(0, 30),
    };
    const problems: Partial<Record<BankField, Text>> = {};
    const accountNumber = normalizeAccountNumber(values.account_number);
    if (accountNumber === null) problems.account_number = BANK_PROBLEMS.account_number;
    const amount = parseAmountMinor(values.amount.replace(/[\s,]/g, ''));
    if (!amount.ok || amount.amountMinor > AMOUNT_MAX_MINOR) problems.amount = BANK_PROBLEMS.amount;
    const sender = checkSender(undefined, values.from_account);
    if (!sender.ok) problems.from_account = BANK_PROBLEMS.from_account;
    if (accountNumber === null || !amount.ok || !sender.ok || problems.amount !== undefined) {
      return sendPage(
        reply,
        'bank.eta',
        {
          title: 'Send a transfer',
          brand: BANK_BRAND,
          problems,
          fields: bankFields(values),
          result: null,
        },
        { status: 422 },
      );
    }
    const result = acquirer.deposit({
      accountNumber,
      amountMinor: amount.amountMinor,
      ...sender.value,
    });
    const notice = depositNotice(result);
    return sendPage(
      reply,
      'bank.eta',
      {
        title: notice.heading.en,
        brand: BANK_BRAND,
        problems: {},
        fields: bankFields(
          notice.ok ? { account_number: '', amount: '', from_account: '' } : values,
        ),
        result: notice,
      },
      { status: notice.status },
    );
  });
}
