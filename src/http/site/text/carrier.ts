import type { Dictionary } from '../i18n.ts';

/** Registering a PIN bought through a mobile carrier (FIG. 7–8): a code by SMS, then a password. */
export const CARRIER_TEXT: Dictionary = {
  'carrier.title': { en: 'Register your PIN', ko: 'PIN 등록' },
  'carrier.lead': {
    en: 'You bought a OnePIN through your mobile carrier and received its PIN by SMS. Enter the PIN and the phone number it was sent to: we text a 6-digit code to that phone. Then choose the password you will use with the card.',
    ko: '통신사에서 구입하신 OnePIN의 PIN을 문자로 받으셨습니다. PIN과 문자를 받은 휴대폰 번호를 입력하시면 그 번호로 6자리 인증번호를 보내 드립니다. 그다음 카드에 쓸 비밀번호를 정하세요.',
  },
  'carrier.phone': { en: 'Mobile number', ko: '휴대폰 번호' },
  'carrier.phoneHint': {
    en: 'The number the PIN was sent to, e.g. 010-1234-5678',
    ko: 'PIN을 받은 번호, 예: 010-1234-5678',
  },
  'carrier.send': { en: 'Send the code', ko: '인증번호 받기' },
  'carrier.sent': {
    en: 'We sent a 6-digit code to your phone. It works for 10 minutes.',
    ko: '휴대폰으로 6자리 인증번호를 보냈습니다. 10분 동안 유효합니다.',
  },
  'carrier.code': { en: 'Code from the SMS', ko: '문자로 받은 인증번호' },
  'carrier.submit': { en: 'Register', ko: '등록' },
  'carrier.done': {
    en: 'Your card ending {last4} is ready to use with its PIN and your new password.',
    ko: '끝자리 {last4} 카드를 PIN과 새 비밀번호로 사용하실 수 있습니다.',
  },
  'carrier.error.carrier_registration_refused': {
    en: 'We cannot send a code for this PIN and number. Check the PIN, and use the phone number the PIN was sent to. A card registered already needs no code.',
    ko: '이 PIN과 번호로는 인증번호를 보낼 수 없습니다. PIN을 확인하시고 PIN을 받은 휴대폰 번호를 입력하세요. 이미 등록된 카드는 인증이 필요 없습니다.',
  },
  'carrier.error.sms_limit_exceeded': {
    en: 'Too many codes were requested. Nothing was sent; please try again in an hour.',
    ko: '인증번호 요청이 너무 많습니다. 문자를 보내지 않았습니다. 한 시간 뒤에 다시 시도해 주세요.',
  },
  'carrier.error.activation_secret_invalid': {
    en: 'The code is wrong or expired. Ask for a new code.',
    ko: '인증번호가 틀렸거나 만료되었습니다. 새 인증번호를 받으세요.',
  },
  'carrier.error.phone_invalid': {
    en: 'Enter a mobile number such as 010-1234-5678.',
    ko: '010-1234-5678 같은 휴대폰 번호를 입력하세요.',
  },
};
