import type { FieldProblem } from './card-form.ts';
import type { PaymentStatus } from './payment.ts';
import { TEST_CARDS, type CardBehaviour, type DeclineCode } from './test-cards.ts';

/** Every text the acquirer's pages show, in English and Korean. */
export interface Text {
  readonly en: string;
  readonly ko: string;
}

export const CARD_BRAND: Text & { readonly kind: 'card' } = {
  kind: 'card',
  en: 'Sandbox Card Company',
  ko: '샌드박스 카드',
};
export const BANK_BRAND: Text & { readonly kind: 'bank' } = {
  kind: 'bank',
  en: 'Sandbox Bank',
  ko: '샌드박스 은행',
};

export const FIELD_PROBLEMS: Record<FieldProblem, Text> = {
  number_missing: { en: 'Enter the card number.', ko: '카드 번호를 입력하세요.' },
  number_malformed: {
    en: 'A card number is 12 to 19 digits.',
    ko: '카드 번호는 12~19자리 숫자입니다.',
  },
  number_mistyped: {
    en: 'The card number has a typing error; check each digit.',
    ko: '카드 번호가 올바르지 않습니다. 숫자를 다시 확인하세요.',
  },
  number_not_test_card: {
    en: 'This is a sandbox: use one of the test card numbers listed below.',
    ko: '테스트 환경입니다. 아래 테스트 카드 번호 중 하나를 사용하세요.',
  },
  expiry_malformed: {
    en: 'Enter the expiry date as MM/YY, for example 12/30.',
    ko: '유효기간을 MM/YY 형식으로 입력하세요. 예: 12/30',
  },
  expiry_past: { en: 'The expiry date has passed.', ko: '유효기간이 지났습니다.' },
  cvc_malformed: {
    en: 'The CVC is the 3 or 4 digits on the back of the card.',
    ko: 'CVC는 카드 뒷면의 3~4자리 숫자입니다.',
  },
  name_missing: { en: 'Enter the name on the card.', ko: '카드에 적힌 이름을 입력하세요.' },
  name_too_long: {
    en: 'The name is too long (100 characters at most).',
    ko: '이름이 너무 깁니다(최대 100자).',
  },
};

const DECLINE_TEXT: Record<DeclineCode, Text> = {
  card_declined: { en: 'Declined', ko: '거절' },
  insufficient_funds: { en: 'Insufficient funds', ko: '잔액 부족' },
  expired_card: { en: 'Expired card', ko: '유효기간 만료 카드' },
  incorrect_cvc: { en: 'Incorrect CVC', ko: 'CVC 오류' },
};

function behaviourText(behaviour: CardBehaviour): Text {
  switch (behaviour.kind) {
    case 'approve':
      return { en: 'Approved', ko: '승인' };
    case 'decline':
      return DECLINE_TEXT[behaviour.declineCode];
    case 'slow':
      return { en: 'Approved after a slow answer', ko: '지연 후 승인' };
    case 'lost':
      return { en: 'Approved, but the answer is lost', ko: '승인되었으나 응답 유실' };
  }
}

/** The test cards as the card page lists them, grouped in fours for reading. */
export const TEST_CARD_LIST: readonly (Text & { readonly number: string })[] = [...TEST_CARDS].map(
  ([number, behaviour]) => ({
    number: number.replace(/(\d{4})(?=\d)/g, '$1 '),
    ...behaviourText(behaviour),
  }),
);

export const STATUS_TEXT: Record<PaymentStatus, Text> = {
  requires_action: { en: 'waiting for card details', ko: '카드 정보 입력 대기' },
  awaiting_deposit: { en: 'waiting for a transfer', ko: '입금 대기' },
  processing: { en: 'being processed', ko: '처리 중' },
  succeeded: { en: 'paid', ko: '결제 완료' },
  declined: { en: 'declined', ko: '거절됨' },
  canceled: { en: 'canceled', ko: '취소됨' },
  expired: { en: 'expired', ko: '기한 만료' },
};
