import type { Dictionary } from '../i18n.ts';

/** Buying, the order page, gifts and their claim, recharge, and the holder's own requests. */
export const SALES_TEXT: Dictionary = {
  'buy.title': { en: 'Buy OnePIN cards', ko: 'OnePIN 카드 구매' },
  'buy.lead': {
    en: 'Choose the cards, tell us where to send the receipt, and pay by card or bank transfer. Your PINs appear on screen once the payment is confirmed.',
    ko: '카드를 고르고 영수증을 받을 곳을 적은 뒤 카드 또는 계좌이체로 결제하세요. 결제가 확인되면 PIN이 화면에 표시됩니다.',
  },
  'buy.orderSheet': { en: 'Order sheet', ko: '주문서' },
  'buy.quantityHint': {
    en: 'Up to {max} cards of each value.',
    ko: '금액별로 최대 {max}장까지 살 수 있습니다.',
  },
  'buy.buyer': { en: 'Buyer', ko: '구매자 정보' },
  'buy.privacy': {
    en: 'We ask only for your name, e-mail and phone. We never ask for a resident registration number.',
    ko: '이름, 이메일, 전화번호만 받습니다. 주민등록번호는 묻지 않습니다.',
  },
  'buy.name': { en: 'Name', ko: '이름' },
  'buy.email': { en: 'E-mail', ko: '이메일' },
  'buy.emailHint': { en: 'The receipt goes here.', ko: '영수증을 이 주소로 보냅니다.' },
  'buy.phone': { en: 'Phone', ko: '전화번호' },
  'buy.method': { en: 'Payment method', ko: '결제 수단' },
  'buy.methodCard': { en: 'Credit or debit card', ko: '신용·체크카드' },
  'buy.methodBank': { en: 'Bank transfer (virtual account)', ko: '계좌이체 (가상계좌)' },
  'buy.submit': { en: 'Go to payment', ko: '결제하기' },

  'order.title': { en: 'Your order', ko: '주문 내역' },
  'order.rechargeTitle': { en: 'Your recharge', ko: '충전 내역' },
  'order.lead': { en: 'Order {id}, {amount}.', ko: '주문번호 {id}, {amount}.' },
  'order.statusLabel': { en: 'Status:', ko: '상태:' },
  'order.status.created': { en: 'waiting to pay', ko: '결제 대기' },
  'order.status.awaiting_payment': { en: 'waiting for the payment', ko: '결제 확인 중' },
  'order.status.paid': { en: 'paid', ko: '결제 완료' },
  'order.status.fulfilling': { en: 'preparing', ko: '준비 중' },
  'order.status.fulfilled': { en: 'done', ko: '완료' },
  'order.status.failed': { en: 'not paid', ko: '결제 실패' },
  'order.status.reversed': { en: 'paid back', ko: '결제 취소·환불' },
  'order.created': {
    en: 'We could not reach the card company yet. Nothing was charged. Try again:',
    ko: '아직 카드사에 연결하지 못했습니다. 결제된 금액은 없습니다. 다시 시도하세요:',
  },
  'order.continue': { en: 'Continue to payment', ko: '결제 계속하기' },
  'order.awaitingCard': {
    en: 'Finish the payment on the card company’s page. If you already did, check again in a moment.',
    ko: '카드사 화면에서 결제를 마치세요. 이미 마쳤다면 잠시 후 다시 확인하세요.',
  },
  'order.toCardCompany': { en: 'Go to the card company’s page', ko: '카드사 결제 화면으로' },
  'order.checkAgain': { en: 'Check again', ko: '다시 확인' },
  'order.bankTitle': { en: 'Transfer to this account', ko: '아래 계좌로 이체하세요' },
  'order.bank': { en: 'Bank', ko: '은행' },
  'order.account': { en: 'Account number', ko: '계좌번호' },
  'order.accountHolder': { en: 'Account holder', ko: '예금주' },
  'order.amount': { en: 'Exact amount', ko: '입금 금액' },
  'order.dueAt': { en: 'Pay by', ko: '입금 기한' },
  'order.bankHint': {
    en: 'Send exactly this amount. We e-mailed these details too; your cards appear here once the bank confirms the deposit.',
    ko: '정확히 이 금액을 보내세요. 같은 내용을 이메일로도 보냈습니다. 입금이 확인되면 카드가 여기에 표시됩니다.',
  },
  'order.preparing': {
    en: 'Payment confirmed. Your cards are being prepared.',
    ko: '결제가 확인되었습니다. 카드를 준비하고 있습니다.',
  },
  'order.failed': {
    en: 'This order was not paid, and nothing was charged.',
    ko: '이 주문은 결제되지 않았으며 청구된 금액은 없습니다.',
  },
  'order.reversed': {
    en: 'We could not complete this order, so the whole payment was returned to you.',
    ko: '주문을 완료할 수 없어 결제 금액 전부를 돌려드렸습니다.',
  },
  'order.again': { en: 'Start again', ko: '다시 시작' },
  'order.recharged': {
    en: '{amount} was added to your card.',
    ko: '카드에 {amount}이(가) 충전되었습니다.',
  },
  'order.toMyCard': { en: 'Go to My card', ko: '내 카드로 가기' },
  'order.onceTitle': {
    en: 'Your PINs are shown only this once.',
    ko: 'PIN은 이번 한 번만 표시됩니다.',
  },
  'order.once': {
    en: 'Print this page or save it as a PDF now. After you leave it, only the last four digits are shown.',
    ko: '지금 이 화면을 인쇄하거나 PDF로 저장하세요. 화면을 떠나면 마지막 네 자리만 표시됩니다.',
  },
  'order.cardHeading': {
    en: '{value} card · serial {serial}',
    ko: '{value} 카드 · 일련번호 {serial}',
  },
  'order.pinEnding': { en: 'PIN ending {last4}', ko: 'PIN 끝자리 {last4}' },
  'order.handedSelf': { en: 'Activated for you.', ko: '본인용으로 등록되었습니다.' },
  'order.handedGift': { en: 'Sent as a gift.', ko: '선물로 보냈습니다.' },
  'order.forMe': { en: 'For me: choose the card’s password', ko: '본인용: 카드 비밀번호 등록' },
  'order.newPassword': { en: 'New password', ko: '새 비밀번호' },
  'order.newPasswordHint': {
    en: '4 to 12 digits, not a simple run like 1234 or 0000.',
    ko: '4~12자리 숫자 (1234, 0000 같은 단순한 숫자는 안 됩니다).',
  },
  'order.confirmPassword': { en: 'Type it again', ko: '비밀번호 확인' },
  'order.activate': { en: 'Activate this card', ko: '이 카드 사용 등록' },
  'order.forGift': { en: 'Send it as a gift', ko: '선물하기' },
  'order.doneSelf': {
    en: 'Your card is active. You can pay with it now.',
    ko: '카드가 등록되었습니다. 지금 바로 사용할 수 있습니다.',
  },
  'order.doneGift': {
    en: 'The gift is on its way (or scheduled). The recipient chooses their own password.',
    ko: '선물을 보냈습니다 (또는 예약되었습니다). 받는 분이 직접 비밀번호를 정합니다.',
  },
  'order.print': {
    en: 'Tip: use your browser’s Print to keep a copy of this page.',
    ko: '팁: 브라우저의 인쇄 기능으로 이 화면을 보관하세요.',
  },

  'gift.title': { en: 'Send a card as a gift', ko: '카드 선물하기' },
  'gift.lead': {
    en: 'We e-mail the card in the design you choose, with your message and a link to claim it.',
    ko: '고른 디자인으로 메시지와 함께 카드를 이메일로 보내고, 받는 분은 링크로 카드를 등록합니다.',
  },
  'gift.sender': { en: 'From (your name)', ko: '보내는 분' },
  'gift.recipient': { en: 'To (their name)', ko: '받는 분' },
  'gift.recipientEmail': { en: 'Their e-mail', ko: '받는 분 이메일' },
  'gift.design': { en: 'Card design', ko: '카드 디자인' },
  'gift.design.classic': { en: 'Classic', ko: '클래식' },
  'gift.design.birthday': { en: 'Happy birthday', ko: '생일 축하' },
  'gift.design.thanks': { en: 'Thank you', ko: '감사합니다' },
  'gift.design.celebration': { en: 'Congratulations', ko: '축하합니다' },
  'gift.message': { en: 'Message', ko: '메시지' },
  'gift.messageHint': { en: 'Up to 300 characters.', ko: '300자까지.' },
  'gift.deliverOn': { en: 'Deliver on', ko: '보낼 날짜' },
  'gift.deliverOnHint': {
    en: 'Leave empty to send now; a later day (up to 90 days) sends at 9:00 Korea time.',
    ko: '비워 두면 지금 보냅니다. 날짜를 고르면 (90일 이내) 그날 오전 9시(한국 시간)에 보냅니다.',
  },
  'gift.submit': { en: 'Send the gift', ko: '선물 보내기' },
  'gift.back': { en: 'Back to the order', ko: '주문으로 돌아가기' },

  'claim.title': { en: 'A OnePIN card for you', ko: 'OnePIN 선물 카드가 도착했습니다' },
  'claim.lead': {
    en: '{sender} sent you a {amount} card.',
    ko: '{sender}님이 {amount} 카드를 보냈습니다.',
  },
  'claim.pinHint': { en: 'The 20 digits in the e-mail.', ko: '이메일에 있는 20자리 숫자' },
  'claim.submit': { en: 'Claim my card', ko: '카드 등록하기' },
  'claim.done': {
    en: 'The card ending {last4} is yours and ready to use.',
    ko: '끝자리 {last4} 카드가 등록되었습니다. 바로 사용할 수 있습니다.',
  },
  'claim.whereToSpend': { en: 'Where to spend it', ko: '사용처 보기' },
  'claim.already': { en: 'This gift was already claimed.', ko: '이미 등록된 선물입니다.' },
  'claim.expired': {
    en: 'This claim link has expired. Ask the sender to contact OnePIN support.',
    ko: '등록 링크가 만료되었습니다. 보내신 분께 OnePIN 고객센터 문의를 요청하세요.',
  },

  'recharge.title': { en: 'Recharge a card', ko: '카드 충전' },
  'recharge.lead': {
    en: 'Add value to your card with its PIN and password. The value is added as soon as the payment is confirmed.',
    ko: 'PIN과 비밀번호로 카드에 금액을 충전합니다. 결제가 확인되는 즉시 충전됩니다.',
  },
  'recharge.amount': { en: 'Amount (won)', ko: '충전 금액 (원)' },
  'recharge.amountHint': {
    en: 'From 1,000 to 1,000,000 won at a time, up to 1,000,000 won a day; a card holds at most 2,000,000 won.',
    ko: '한 번에 1,000원~1,000,000원, 하루 최대 1,000,000원. 카드 잔액은 최대 2,000,000원입니다.',
  },
  'recharge.email': { en: 'Receipt e-mail', ko: '영수증 이메일' },
  'recharge.emailHint': {
    en: 'Empty: the address we have for the card.',
    ko: '비워 두면 카드에 등록된 주소로 보냅니다.',
  },
  'recharge.submit': { en: 'Go to payment', ko: '결제하기' },

  'profile.title': { en: 'Your details', ko: '회원 정보 변경' },
  'profile.lead': {
    en: 'Receipts, refund news and password-reset codes for the card ending {last4} go to this address.',
    ko: '끝자리 {last4} 카드의 영수증, 환불 안내, 비밀번호 재설정 코드가 이 주소로 갑니다.',
  },
  'profile.saved': { en: 'Your details were saved.', ko: '정보가 저장되었습니다.' },
  'profile.submit': { en: 'Save', ko: '저장' },

  'refund.title': { en: 'Refund of balance', ko: '잔액 환불' },
  'refund.lead': {
    en: 'Have the rest of the card ending {last4} paid back to the card or bank account that paid for it.',
    ko: '끝자리 {last4} 카드의 남은 금액을 결제했던 카드나 계좌로 돌려받습니다.',
  },
  'refund.rules': {
    en: 'A refund is possible once you used at least {percent}% of what was loaded, or for a card never used within {days} days of purchase. Fee: {fee}. Smallest refund: {min}. Refunds over {review} are checked by our staff first.',
    ko: '충전된 금액의 {percent}% 이상을 사용했거나, 구매 후 {days}일 안에 한 번도 쓰지 않은 카드는 환불받을 수 있습니다. 수수료: {fee}. 최소 환불액: {min}. {review}을(를) 넘는 환불은 담당자가 먼저 확인합니다.',
  },
  'refund.preview': {
    en: 'Balance {amount}, fee {fee}: {payout} would be paid back.',
    ko: '잔액 {amount}, 수수료 {fee}: {payout}을(를) 돌려드립니다.',
  },
  'refund.review': {
    en: 'Our staff will check this request first.',
    ko: '이 요청은 담당자가 먼저 확인합니다.',
  },
  'refund.notAllowed': { en: 'A refund is not possible now:', ko: '지금은 환불할 수 없습니다:' },
  'refund.why.nothing_to_refund': { en: 'the card has no balance.', ko: '카드에 잔액이 없습니다.' },
  'refund.why.holds_open': {
    en: 'some payments are still pending; try again when they are done.',
    ko: '처리 중인 결제가 있습니다. 끝난 뒤 다시 시도하세요.',
  },
  'refund.why.not_used_enough': {
    en: 'not enough of the card has been used yet.',
    ko: '아직 충분히 사용하지 않았습니다.',
  },
  'refund.why.below_minimum': {
    en: 'the amount is below the smallest refund.',
    ko: '최소 환불액보다 적습니다.',
  },
  'refund.why.no_funding_instrument': {
    en: 'the card was not bought here, so there is no payment to return the money to. Contact support.',
    ko: '이 사이트에서 구매한 카드가 아니어서 돌려드릴 결제 수단이 없습니다. 고객센터에 문의하세요.',
  },
  'refund.submit': { en: 'Ask for the refund', ko: '환불 요청' },
  'refund.confirm': {
    en: 'After the refund the card can no longer be used.',
    ko: '환불 후에는 카드를 더 이상 사용할 수 없습니다.',
  },
  'refund.status.review': {
    en: 'Your request is waiting for our staff. The balance is held until then; we will e-mail you.',
    ko: '요청이 담당자 확인을 기다리고 있습니다. 그동안 잔액은 보류되며 결과를 이메일로 알려드립니다.',
  },
  'refund.status.approved': {
    en: 'Approved: the payout is on its way.',
    ko: '승인되었습니다. 환불을 진행하고 있습니다.',
  },
  'refund.status.paid': {
    en: '{payout} was paid back. The card is closed.',
    ko: '{payout}을(를) 돌려드렸습니다. 카드는 해지되었습니다.',
  },
  'refund.status.rejected': {
    en: 'The request was declined; the balance is back on the card.',
    ko: '요청이 거절되어 잔액이 카드로 돌아갔습니다.',
  },
  'refund.status.failed': {
    en: 'The refund could not be completed. Contact support.',
    ko: '환불을 완료하지 못했습니다. 고객센터에 문의하세요.',
  },

  'rekey.title': { en: 'Get a new PIN', ko: 'PIN 재발급' },
  'rekey.lead': {
    en: 'If someone may have seen your PIN, replace it. The old PIN stops working at once; your balance and password stay.',
    ko: 'PIN이 노출되었을 수 있다면 바꾸세요. 이전 PIN은 즉시 사용할 수 없게 되며 잔액과 비밀번호는 그대로입니다.',
  },
  'rekey.submit': { en: 'Replace my PIN', ko: 'PIN 바꾸기' },
  'rekey.done': {
    en: 'Your new PIN (shown only now — write it down or print this page):',
    ko: '새 PIN입니다 (지금 한 번만 표시됩니다. 적어 두거나 인쇄하세요):',
  },

  'reset.title': { en: 'Forgot your password?', ko: '비밀번호를 잊으셨나요?' },
  'reset.lead': {
    en: 'We send a one-time code to the e-mail address we have for your card.',
    ko: '카드에 등록된 이메일 주소로 일회용 코드를 보냅니다.',
  },
  'reset.send': { en: 'Send me a code', ko: '코드 받기' },
  'reset.sent': {
    en: 'If this PIN is right and the card has an e-mail address, a code is on its way{to}. It works once, for 15 minutes.',
    ko: 'PIN이 맞고 카드에 이메일 주소가 있다면 코드를 보냈습니다{to}. 코드는 15분 동안 한 번만 쓸 수 있습니다.',
  },
  'reset.code': { en: 'Code from the e-mail', ko: '이메일로 받은 코드' },
  'reset.submit': { en: 'Set the new password', ko: '새 비밀번호 설정' },
  'reset.done': {
    en: 'Your password was changed. Use it from now on.',
    ko: '비밀번호가 변경되었습니다. 이제 새 비밀번호를 사용하세요.',
  },
  'reset.link': { en: 'Forgot your password?', ko: '비밀번호를 잊으셨나요?' },
};
