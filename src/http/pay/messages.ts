import { ERROR_CATALOG, type ErrorCode } from '../../kernel/index.ts';

/** What a page tells a holder about a refusal, in English with a Korean line under it. */
export interface PageMessage {
  readonly en: string;
  readonly ko: string;
}

/**
 * Holder-facing wording for the codes a page can meet. The English line is the catalog's
 * message unless a holder needs plainer words; codes without an entry fall back to the
 * catalog with a general Korean line. None of these ever includes what was typed.
 */
const HOLDER_TEXT: Partial<Record<ErrorCode, PageMessage>> = {
  pin_malformed: {
    en: 'A PIN is 20 digits. Check the number on your card and type it again.',
    ko: 'PIN은 20자리 숫자입니다. 카드의 번호를 확인하고 다시 입력하세요.',
  },
  pin_check_digit_invalid: {
    en: 'The PIN has a typing error. Check the number on your card and type it again.',
    ko: 'PIN에 입력 오류가 있습니다. 카드의 번호를 확인하고 다시 입력하세요.',
  },
  parameter_invalid: {
    en: 'Something in the form is missing or not valid. Check it and try again.',
    ko: '입력 내용이 비어 있거나 올바르지 않습니다. 확인 후 다시 시도하세요.',
  },
  credentials_invalid: {
    en: 'The PIN or the password is not correct.',
    ko: 'PIN 또는 비밀번호가 올바르지 않습니다.',
  },
  card_locked: {
    en: 'This card is locked after too many wrong passwords (or by our staff). Contact OnePIN support to unlock it.',
    ko: '비밀번호 오류 횟수 초과 등으로 카드가 잠겼습니다. OnePIN 고객센터에 문의하세요.',
  },
  card_not_active: {
    en: 'This card cannot be used right now (it is not activated, or it is suspended).',
    ko: '이 카드는 지금 사용할 수 없습니다 (미등록 또는 정지 상태).',
  },
  card_expired: {
    en: 'This card has passed its validity date.',
    ko: '이 카드는 유효기간이 지났습니다.',
  },
  card_mode_mismatch: {
    en: 'A test card pays only test payments, and a live card only live ones.',
    ko: '테스트 카드는 테스트 결제에만, 실제 카드는 실제 결제에만 쓸 수 있습니다.',
  },
  currency_mismatch: {
    en: 'This card holds a different currency from the payment.',
    ko: '카드의 통화가 결제 통화와 다릅니다.',
  },
  insufficient_funds: {
    en: 'This card has no balance left. Use another card.',
    ko: '이 카드에는 잔액이 없습니다. 다른 카드를 사용하세요.',
  },
  payment_not_found: {
    en: 'There is no payment at this address. Go back to the shop and start again.',
    ko: '이 주소에는 결제가 없습니다. 상점으로 돌아가 다시 시작하세요.',
  },
  payment_state_invalid: {
    en: 'This payment can no longer be paid or canceled here.',
    ko: '이 결제는 여기서 더 이상 결제하거나 취소할 수 없습니다.',
  },
  csrf_invalid: {
    en: 'The form expired or did not come from this site. Go back, reload the page and try again.',
    ko: '양식이 만료되었거나 이 사이트에서 보낸 것이 아닙니다. 페이지를 새로 고친 뒤 다시 시도하세요.',
  },
  rate_limited: {
    en: 'Too many attempts from your connection. Wait a minute and try again.',
    ko: '시도 횟수가 너무 많습니다. 1분 후 다시 시도하세요.',
  },
  internal_error: {
    en: 'Something went wrong on our side. Nothing was charged by this step; try again.',
    ko: '시스템 오류가 발생했습니다. 이 단계에서는 결제되지 않았습니다. 다시 시도하세요.',
  },
};

export function messageOf(code: ErrorCode): PageMessage {
  return (
    HOLDER_TEXT[code] ?? {
      en: ERROR_CATALOG[code].message,
      ko: '요청을 처리할 수 없습니다.',
    }
  );
}

/** Which form field a refusal belongs to, for `aria-describedby` and the field's own message. */
export function fieldOf(code: ErrorCode, param: string | undefined): 'pin' | 'password' | 'both' {
  if (code === 'credentials_invalid') return 'both';
  if (param === 'password') return 'password';
  return 'pin';
}
