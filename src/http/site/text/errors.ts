import type { ErrorCode } from '../../../kernel/index.ts';
import type { Words } from '../i18n.ts';

/**
 * Holder wording for refusals the site's own forms meet and the hosted payment page's list
 * (pay/messages.ts) does not cover. Codes in neither list fall back to that file's fallback:
 * the catalog's English and a general Korean line. None of these repeats what was typed.
 */
export const SITE_ERROR_TEXT: Partial<Record<ErrorCode, Words>> = {
  password_invalid: {
    en: 'A password is 4 to 12 digits.',
    ko: '비밀번호는 4~12자리 숫자입니다.',
  },
  password_too_weak: {
    en: 'This password is too easy to guess (the same digit repeated, or digits in a row). Choose another.',
    ko: '추측하기 쉬운 비밀번호입니다 (같은 숫자 반복 또는 연속된 숫자). 다른 비밀번호를 선택하세요.',
  },
  period_invalid: {
    en: 'The period is not valid: the first day must not be after the last day.',
    ko: '기간이 올바르지 않습니다. 시작일이 종료일보다 늦을 수 없습니다.',
  },
  card_state_invalid: {
    en: 'This card cannot do that in its current state.',
    ko: '현재 카드 상태에서는 이 작업을 할 수 없습니다.',
  },
  card_not_found: {
    en: 'We could not find this card.',
    ko: '카드를 찾을 수 없습니다.',
  },
  route_not_found: {
    en: 'There is no page at this address.',
    ko: '이 주소에는 페이지가 없습니다.',
  },
  amount_invalid: {
    en: 'Enter the amount in whole won.',
    ko: '금액은 원 단위의 정수로 입력하세요.',
  },
  amount_must_be_positive: {
    en: 'The amount must be greater than zero.',
    ko: '금액은 0보다 커야 합니다.',
  },
  amount_exceeds_limit: {
    en: 'The amount is larger than allowed.',
    ko: '허용된 금액보다 큽니다.',
  },
  denomination_invalid: {
    en: 'This card value is not on sale.',
    ko: '판매하지 않는 카드 금액입니다.',
  },
  activation_secret_invalid: {
    en: 'The PIN or the link is not correct, or the link has expired.',
    ko: 'PIN 또는 링크가 올바르지 않거나 링크가 만료되었습니다.',
  },
  recharge_exceeds_limit: {
    en: 'This is more than one recharge may be.',
    ko: '1회 충전 한도를 넘었습니다.',
  },
  balance_exceeds_limit: {
    en: 'The card would hold more than its maximum balance.',
    ko: '카드의 최대 잔액을 넘게 됩니다.',
  },
  order_not_found: {
    en: 'We could not find this order.',
    ko: '주문을 찾을 수 없습니다.',
  },
  order_state_invalid: {
    en: 'This order cannot do that now.',
    ko: '지금은 이 주문에서 이 작업을 할 수 없습니다.',
  },
  quantity_invalid: {
    en: 'Choose a quantity within the order limits.',
    ko: '주문 한도 안에서 수량을 선택하세요.',
  },
  order_limit_exceeded: {
    en: 'This order is larger than one order may be.',
    ko: '1회 주문 한도를 넘었습니다.',
  },
  name_invalid: {
    en: 'Enter a name (at most 60 characters).',
    ko: '이름을 입력하세요 (최대 60자).',
  },
  email_invalid: {
    en: 'Enter a valid e-mail address.',
    ko: '올바른 이메일 주소를 입력하세요.',
  },
  phone_invalid: {
    en: 'Enter a valid phone number.',
    ko: '올바른 전화번호를 입력하세요.',
  },
  payment_method_invalid: {
    en: 'Choose card or bank transfer.',
    ko: '카드 또는 계좌이체를 선택하세요.',
  },
  design_invalid: {
    en: 'Choose one of the card designs.',
    ko: '카드 디자인 중 하나를 선택하세요.',
  },
  delivery_date_invalid: {
    en: 'The delivery date must be today or within the next 90 days.',
    ko: '전달일은 오늘부터 90일 이내여야 합니다.',
  },
  recharge_daily_limit_exceeded: {
    en: 'The card has reached its recharge limit for today.',
    ko: '오늘의 충전 한도에 도달했습니다.',
  },
  one_time_code_invalid: {
    en: 'The code is wrong, expired or already used.',
    ko: '인증 코드가 틀렸거나 만료되었거나 이미 사용되었습니다.',
  },
  balance_refund_not_allowed: {
    en: "The refund rules do not allow a refund of this card's balance now.",
    ko: '환불 규정상 지금은 이 카드의 잔액을 환불할 수 없습니다.',
  },
  balance_refund_not_found: {
    en: 'We could not find this refund request.',
    ko: '환불 요청을 찾을 수 없습니다.',
  },
  balance_refund_state_invalid: {
    en: 'This refund request cannot do that now.',
    ko: '지금은 이 환불 요청에서 이 작업을 할 수 없습니다.',
  },
  funding_declined: {
    en: 'The card company declined the payment.',
    ko: '카드사에서 결제를 거절했습니다.',
  },
  funding_insufficient_funds: {
    en: 'The card or account does not have enough funds.',
    ko: '카드 또는 계좌의 잔액이 부족합니다.',
  },
  funding_unavailable: {
    en: 'The card company or bank did not answer. Nothing was charged; try again.',
    ko: '카드사 또는 은행이 응답하지 않았습니다. 결제되지 않았으니 다시 시도하세요.',
  },
  funding_failed: {
    en: 'The payment at the card company or bank did not go through.',
    ko: '카드사 또는 은행에서 결제가 완료되지 않았습니다.',
  },
};
