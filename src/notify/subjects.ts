import type { EmailData, Locale, TemplateName } from './templates.ts';

/**
 * Subjects, per template and language. A subject is stored in the clear (the mailbox lists
 * it), so none carries a secret: no PIN, no one-time code.
 */
type SubjectOf<K extends TemplateName> = (data: EmailData[K]) => string;

type Subjects = { readonly [K in TemplateName]: Readonly<Record<Locale, SubjectOf<K>>> };

const REFUND_STEP_EN = {
  requested: 'received',
  approved: 'approved',
  rejected: 'declined',
  paid: 'paid out',
} as const;
const REFUND_STEP_KO = {
  requested: '신청 접수',
  approved: '승인',
  rejected: '거절',
  paid: '지급 완료',
} as const;

export const SUBJECTS: Subjects = {
  order_receipt: {
    en: (d) => `Your OnePIN order ${d.orderId}`,
    ko: (d) => `[원핀] 주문 영수증 (${d.orderId})`,
  },
  gift: {
    en: (d) => `${d.senderName} sent you a OnePIN gift card`,
    ko: (d) => `[원핀] ${d.senderName}님이 선물카드를 보냈어요`,
  },
  bank_transfer_instructions: {
    en: (d) => `Bank transfer details for order ${d.orderId}`,
    ko: (d) => `[원핀] 무통장 입금 안내 (${d.orderId})`,
  },
  recharge_receipt: {
    en: (d) => `Card ending ${d.cardLast4} recharged with ${d.amount}`,
    ko: (d) => `[원핀] 카드(끝자리 ${d.cardLast4}) ${d.amount} 충전 완료`,
  },
  balance_refund: {
    en: (d) => `Refund of balance ${REFUND_STEP_EN[d.step]} (card ending ${d.cardLast4})`,
    ko: (d) => `[원핀] 잔액 환불 ${REFUND_STEP_KO[d.step]} (카드 끝자리 ${d.cardLast4})`,
  },
  one_time_code: {
    en: () => 'Your OnePIN verification code',
    ko: () => '[원핀] 인증번호 안내',
  },
  card_rekeyed: {
    en: (d) => `Your card has a new PIN (now ending ${d.newLast4})`,
    ko: (d) => `[원핀] 카드 PIN이 새로 발급되었어요 (끝자리 ${d.newLast4})`,
  },
  password_changed: {
    en: (d) => `The password of card ending ${d.cardLast4} was changed`,
    ko: (d) => `[원핀] 카드(끝자리 ${d.cardLast4}) 비밀번호가 변경되었어요`,
  },
  foreign_pin: {
    en: (d) => `Your ${d.providerName} PIN worth ${d.value}`,
    ko: (d) => `[원핀] ${d.providerName} ${d.value} PIN이 발급되었어요`,
  },
  foreign_low_stock: {
    en: (d) => `Low stock: ${d.providerName} ${d.value} (${d.available} left)`,
    ko: (d) => `[원핀] 재고 부족: ${d.providerName} ${d.value} (${d.available}개 남음)`,
  },
  card_expiring: {
    en: (d) => `Card ending ${d.cardLast4}: ${d.balance} expires in ${d.daysLeft} days`,
    ko: (d) => `[원핀] 카드(끝자리 ${d.cardLast4}) 잔액 ${d.balance}이 ${d.daysLeft}일 후 소멸돼요`,
  },
};

/** Longest subject we store and send; longer ones are cut. */
export const SUBJECT_CHARS_MAX = 200;

/**
 * One line, whatever a name contained: line breaks, tabs and other control characters become
 * a space (a CR/LF in a subject could otherwise start a new mail header), runs of spaces are
 * squeezed, and the result is cut to SUBJECT_CHARS_MAX.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const squeezed = flat.replace(/ {2,}/g, ' ').trim();
  const chars = [...squeezed];
  return chars.length <= SUBJECT_CHARS_MAX
    ? squeezed
    : `${chars.slice(0, SUBJECT_CHARS_MAX - 1).join('')}…`;
}

export function subjectOf<K extends TemplateName>(
  template: K,
  locale: Locale,
  data: EmailData[K],
): string {
  const make: SubjectOf<K> = SUBJECTS[template][locale];
  return oneLine(make(data));
}
