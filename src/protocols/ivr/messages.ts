import { CURRENCY_EXPONENTS, isCurrency } from '../../kernel/index.ts';

/** The languages the IVR speaks; the menu offers them as 1 and 2. */
export type Language = 'ko' | 'en';

/** The `language` attribute of <Say> (BCP 47, as voice platforms name their voices). */
export const SAY_LANGUAGE: Readonly<Record<Language, string>> = { ko: 'ko-KR', en: 'en-US' };

/** An amount to speak: minor units of the card's currency. */
export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/**
 * Everything the IVR says. The machine picks messages; the texts live here, so tests of the
 * machine compare keys and tests of the texts compare words.
 */
export type Message =
  | { readonly key: 'menu' }
  | { readonly key: 'buy-card' }
  | { readonly key: 'no-input' }
  | { readonly key: 'invalid-choice' }
  | { readonly key: 'enter-pin' }
  | { readonly key: 'pin-malformed' }
  | { readonly key: 'enter-password' }
  | { readonly key: 'auth-failed' }
  | { readonly key: 'too-many-tries' }
  | { readonly key: 'card-locked' }
  | { readonly key: 'card-not-active' }
  | { readonly key: 'card-expired' }
  | { readonly key: 'balance'; readonly balance: Money }
  | { readonly key: 'enter-number' }
  | { readonly key: 'number-invalid' }
  | { readonly key: 'minutes'; readonly seconds: number }
  | { readonly key: 'connecting' }
  | { readonly key: 'no-credit' }
  | { readonly key: 'recharge-offer' }
  | { readonly key: 'recharge-info' }
  | { readonly key: 'time-left'; readonly seconds: number }
  | { readonly key: 'line-busy' }
  | { readonly key: 'no-answer' }
  | { readonly key: 'call-failed' }
  | { readonly key: 'credit-used-up' }
  | { readonly key: 'call-cost'; readonly cost: Money; readonly balance: Money }
  | { readonly key: 'another-call' }
  | { readonly key: 'goodbye' }
  | { readonly key: 'technical-problem' };

export type MessageKey = Message['key'];

/** "9905원" / "9905 won"; currencies with cents as "12.50 USD". Digits, not words. */
export function spokenMoney(money: Money, lang: Language): string {
  const negative = money.minor < 0n;
  const abs = negative ? -money.minor : money.minor;
  const sign = negative ? '-' : '';
  const exponent = isCurrency(money.currency) ? CURRENCY_EXPONENTS[money.currency] : 0;
  if (exponent === 0) {
    if (money.currency === 'KRW') return lang === 'ko' ? `${sign}${abs}원` : `${sign}${abs} won`;
    if (money.currency === 'JPY') return lang === 'ko' ? `${sign}${abs}엔` : `${sign}${abs} yen`;
    return `${sign}${abs} ${money.currency}`;
  }
  const unit = 10n ** BigInt(exponent);
  const fraction = (abs % unit).toString().padStart(exponent, '0');
  return `${sign}${abs / unit}.${fraction} ${money.currency}`;
}

function minutesText(seconds: number, lang: Language): string {
  const minutes = Math.floor(seconds / 60);
  if (lang === 'ko') {
    return minutes === 0
      ? '통화 가능 시간은 1분 미만입니다.'
      : `통화 가능 시간은 ${minutes}분입니다.`;
  }
  if (minutes === 0) return 'You have less than one minute.';
  return minutes === 1 ? 'You have 1 minute.' : `You have ${minutes} minutes.`;
}

function timeLeftText(seconds: number, lang: Language): string {
  const whole = seconds >= 60 && seconds % 60 === 0;
  if (lang === 'ko') {
    return whole
      ? `통화 가능 시간이 ${seconds / 60}분 남았습니다.`
      : `통화 가능 시간이 ${seconds}초 남았습니다.`;
  }
  if (whole) return seconds === 60 ? 'One minute left.' : `${seconds / 60} minutes left.`;
  return `${seconds} seconds left.`;
}

/** Messages whose words do not depend on parameters. */
type FixedKey = Exclude<MessageKey, 'balance' | 'minutes' | 'time-left' | 'call-cost'>;

const KO: Readonly<Record<FixedKey, string>> = {
  menu: '안녕하세요, 원핀 카드 전화 서비스입니다. 한국어 안내는 1번, 카드 구매 안내는 9번을 눌러 주세요.',
  'buy-card':
    '원핀 카드는 원핀 웹사이트의 카드 구매 메뉴에서 신용카드나 계좌이체로 구매하실 수 있습니다. 결제가 확인되면 PIN 번호를 화면에 보여 드리고 영수증을 이메일로 보내 드립니다.',
  'no-input': '입력이 없습니다.',
  'invalid-choice': '잘못 누르셨습니다.',
  'enter-pin': '카드 PIN 번호 20자리를 누르신 후 우물 정자를 눌러 주세요.',
  'pin-malformed': 'PIN 번호가 올바르지 않습니다.',
  'enter-password': '비밀번호를 누르신 후 우물 정자를 눌러 주세요.',
  'auth-failed': 'PIN 번호 또는 비밀번호가 맞지 않습니다.',
  'too-many-tries': '입력 횟수를 초과했습니다.',
  'card-locked':
    '이 카드는 잠겨 있어 사용할 수 없습니다. 원핀 웹사이트나 고객센터에 문의해 주세요.',
  'card-not-active': '이 카드는 지금 사용할 수 없습니다.',
  'card-expired': '이 카드는 유효기간이 지났습니다.',
  'enter-number': '통화하실 전화번호를 누르신 후 우물 정자를 눌러 주세요.',
  'number-invalid': '걸 수 없는 번호입니다.',
  connecting: '연결해 드리겠습니다.',
  'no-credit': '잔액이 부족하여 이 번호로 통화하실 수 없습니다.',
  'recharge-offer': '충전 방법을 들으시려면 1번을 눌러 주세요.',
  'recharge-info':
    '카드 충전은 원핀 웹사이트의 충전 메뉴에서 PIN 번호와 비밀번호로 하실 수 있습니다. 한 번에 천 원부터 백만 원까지 충전됩니다.',
  'line-busy': '상대방이 통화 중입니다.',
  'no-answer': '상대방이 응답하지 않습니다.',
  'call-failed': '전화를 연결하지 못했습니다.',
  'credit-used-up': '통화 가능 시간이 모두 끝났습니다.',
  'another-call': '다른 곳에 전화하시려면 우물 정자를 눌러 주세요.',
  goodbye: '이용해 주셔서 감사합니다. 안녕히 계세요.',
  'technical-problem': '죄송합니다. 시스템 문제로 통화를 종료합니다.',
};

const EN: Readonly<Record<FixedKey, string>> = {
  menu: 'Welcome to OnePIN calling. For English, press 2. To hear how to buy a card, press 9.',
  'buy-card':
    'You can buy OnePIN cards on the OnePIN website, under Buy cards, paying by card or bank transfer. Once the payment is confirmed, the PINs are shown on the page and the receipt is sent by e-mail.',
  'no-input': 'We did not receive any input.',
  'invalid-choice': 'That is not a valid choice.',
  'enter-pin': 'Please enter your 20-digit card PIN, then press the pound key.',
  'pin-malformed': 'That card PIN is not valid.',
  'enter-password': 'Please enter your password, then press the pound key.',
  'auth-failed': 'The PIN or the password is not correct.',
  'too-many-tries': 'Too many attempts.',
  'card-locked':
    'This card is locked and cannot be used. Please contact OnePIN on the website or by phone.',
  'card-not-active': 'This card cannot be used now.',
  'card-expired': 'This card has expired.',
  'enter-number': 'Please enter the number you want to call, then press the pound key.',
  'number-invalid': 'That number cannot be called.',
  connecting: 'Connecting your call.',
  'no-credit': 'Your balance is not enough for a call to this number.',
  'recharge-offer': 'To hear how to recharge your card, press 1.',
  'recharge-info':
    'You can recharge your card on the OnePIN website, under Recharge, with your PIN and password, from 1000 to 1000000 won at a time.',
  'line-busy': 'The line is busy.',
  'no-answer': 'There was no answer.',
  'call-failed': 'The call could not be connected.',
  'credit-used-up': 'Your call time is used up.',
  'another-call': 'To make another call, press the pound key.',
  goodbye: 'Thank you for calling OnePIN. Goodbye.',
  'technical-problem': 'Sorry, a technical problem ends this call.',
};

/** The words of a message in a language. */
export function messageText(message: Message, lang: Language): string {
  if (message.key === 'balance') {
    return lang === 'ko'
      ? `잔액은 ${spokenMoney(message.balance, lang)}입니다.`
      : `Your balance is ${spokenMoney(message.balance, lang)}.`;
  }
  if (message.key === 'minutes') return minutesText(message.seconds, lang);
  if (message.key === 'time-left') return timeLeftText(message.seconds, lang);
  if (message.key === 'call-cost') {
    return lang === 'ko'
      ? `통화 요금은 ${spokenMoney(message.cost, lang)}이고, 남은 잔액은 ${spokenMoney(message.balance, lang)}입니다.`
      : `The call cost ${spokenMoney(message.cost, lang)}. Your balance is ${spokenMoney(message.balance, lang)}.`;
  }
  return (lang === 'ko' ? KO : EN)[message.key];
}

/** Every key with a fixed text, for the tests that check both languages have them all. */
export const FIXED_MESSAGE_KEYS = Object.keys(KO) as readonly FixedKey[];
