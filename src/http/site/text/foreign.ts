import type { Dictionary } from '../i18n.ts';

/** Foreign PIN exchange (FIG. 9): switching part of a card's balance into a provider's PIN. */
export const FOREIGN_TEXT: Dictionary = {
  'foreign.title': { en: 'Foreign PIN', ko: '해외 PIN 전환' },
  'foreign.lead': {
    en: 'Switch part of the balance of the card ending {last4} into the PIN of a foreign partner, to use on its own site. You see the exact price before you confirm.',
    ko: '끝자리 {last4} 카드 잔액의 일부를 해외 제휴사의 PIN으로 전환해 그 사이트에서 사용할 수 있습니다. 확정하기 전에 정확한 금액을 보여 드립니다.',
  },
  'foreign.balance': { en: 'Balance: {balance}', ko: '잔액: {balance}' },
  'foreign.offers': { en: 'Choose a PIN', ko: 'PIN 선택' },
  'foreign.none': {
    en: 'No foreign PINs are on offer right now. Please try again later.',
    ko: '지금은 전환할 수 있는 해외 PIN이 없습니다. 나중에 다시 시도해 주세요.',
  },
  'foreign.offer': { en: '{provider}: {value}', ko: '{provider}: {value}' },
  'foreign.about': { en: 'about {price}', ko: '약 {price}' },
  'foreign.noRate': { en: 'price not available', ko: '가격 미정' },
  'foreign.quoteSubmit': { en: 'See the price', ko: '가격 보기' },
  'foreign.pickOne': { en: 'Choose one of the PINs.', ko: 'PIN을 하나 선택하세요.' },
  'foreign.history': { en: 'Your foreign PINs', ko: '전환 내역' },
  'foreign.historyItem': {
    en: '{when}: {provider} {value} for {paid} ({state})',
    ko: '{when}: {provider} {value}, 결제 {paid} ({state})',
  },
  'foreign.historyPin': { en: 'PIN ending {last4}', ko: 'PIN 끝자리 {last4}' },
  'foreign.state.completed': { en: 'done', ko: '완료' },
  'foreign.state.held': { en: 'in progress', ko: '처리 중' },
  'foreign.state.reserved': { en: 'in progress', ko: '처리 중' },
  'foreign.state.failed': { en: 'not done, nothing charged', ko: '실패, 결제되지 않음' },
  'foreign.state.expired': { en: 'timed out, nothing charged', ko: '시간 초과, 결제되지 않음' },

  'foreign.quoteTitle': { en: 'Confirm the switch', ko: '전환 확인' },
  'foreign.quoteLead': {
    en: 'This price holds until {time} (KST). Confirm with your PIN and password before then.',
    ko: '이 가격은 {time}(한국 시간)까지 유효합니다. 그 전에 PIN과 비밀번호로 확인하세요.',
  },
  'foreign.quoteProvider': { en: 'Provider', ko: '제공사' },
  'foreign.quoteValue': { en: 'You get a PIN worth', ko: '받는 PIN 금액' },
  'foreign.quotePay': { en: 'Taken from your card', ko: '카드에서 결제할 금액' },
  'foreign.quoteRate': { en: 'Rate', ko: '환율' },
  'foreign.quoteMargin': { en: 'Our fee', ko: '수수료' },
  'foreign.quoteMarginValue': { en: '{percent}% included', ko: '{percent}% 포함' },
  'foreign.quoteRounding': {
    en: 'The price is rounded up to the next whole unit of your card’s currency.',
    ko: '금액은 카드 통화의 다음 단위로 올림합니다.',
  },
  'foreign.email': { en: 'Send the PIN to', ko: 'PIN을 받을 이메일' },
  'foreign.emailHint': {
    en: 'We show the PIN once on the next page and e-mail it to this address.',
    ko: 'PIN은 다음 화면에 한 번만 보여 드리고 이 주소로 이메일을 보냅니다.',
  },
  'foreign.confirm': { en: 'Switch and show the PIN', ko: '전환하고 PIN 보기' },
  'foreign.again': { en: 'Choose again', ko: '다시 선택' },

  'foreign.doneTitle': { en: 'Your foreign PIN', ko: '해외 PIN 발급 완료' },
  'foreign.doneLead': {
    en: 'Here is your {provider} PIN worth {value}. It is shown only this once; we also e-mailed it to {email}.',
    ko: '{value} 상당의 {provider} PIN입니다. 이 화면에서 한 번만 보여 드리며, {email}(으)로도 보냈습니다.',
  },
  'foreign.donePaid': {
    en: '{paid} was taken from your card. Balance now: {balance}.',
    ko: '카드에서 {paid}이(가) 결제되었습니다. 현재 잔액: {balance}.',
  },
  'foreign.doneKeep': {
    en: 'Keep the PIN secret: anyone who has it can spend its value on the partner’s site.',
    ko: 'PIN을 다른 사람에게 알려 주지 마세요. PIN을 아는 사람은 누구나 제휴사 사이트에서 사용할 수 있습니다.',
  },
  'foreign.doneReplayed': {
    en: 'This switch was already done: the PIN (ending {last4}) was shown then and e-mailed to {email}.',
    ko: '이미 완료된 전환입니다. PIN(끝자리 {last4})은 그때 보여 드렸고 {email}(으)로 보냈습니다.',
  },

  'foreign.error.foreign_pool_empty': {
    en: 'That PIN has just run out. Nothing was charged; choose another value or try later.',
    ko: '선택한 PIN이 방금 모두 소진되었습니다. 결제되지 않았으니 다른 금액을 고르거나 나중에 다시 시도하세요.',
  },
  'foreign.error.fx_quote_expired': {
    en: 'The price was held for 2 minutes and has expired. Nothing was charged; see the new price.',
    ko: '가격 유효 시간(2분)이 지났습니다. 결제되지 않았으니 새 가격을 확인하세요.',
  },
  'foreign.error.fx_quote_not_found': {
    en: 'We could not find that price for this card. Choose a PIN again.',
    ko: '이 카드의 가격 정보를 찾을 수 없습니다. PIN을 다시 선택하세요.',
  },
  'foreign.error.fx_rate_not_found': {
    en: 'We have no current exchange rate for this partner, so we cannot price it now. Please try later.',
    ko: '이 제휴사의 현재 환율이 없어 지금은 가격을 정할 수 없습니다. 나중에 다시 시도하세요.',
  },
  'foreign.error.foreign_provider_suspended': {
    en: 'This partner’s PINs are not on offer right now.',
    ko: '지금은 이 제휴사의 PIN을 제공하지 않습니다.',
  },
  'foreign.error.foreign_provider_not_found': {
    en: 'There is no such partner. Choose a PIN from the list.',
    ko: '없는 제휴사입니다. 목록에서 PIN을 선택하세요.',
  },
  'foreign.error.insufficient_funds': {
    en: 'The balance is not enough for this PIN. Choose a smaller value or recharge the card.',
    ko: '잔액이 부족합니다. 더 작은 금액을 고르거나 카드를 충전하세요.',
  },
};
