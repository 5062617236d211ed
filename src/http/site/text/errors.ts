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
};
