import type { Dictionary } from '../i18n.ts';

/** Home, "What is OnePIN?", terms of use, about, news and the associates directory. */
export const PAGES_TEXT: Dictionary = {
  'home.title': { en: 'One card, one PIN', ko: '하나의 카드, 하나의 PIN' },
  'home.heading': {
    en: 'One prepaid card, one PIN, spendable everywhere',
    ko: '선불카드 하나, PIN 하나로 어디서나',
  },
  'home.lead': {
    en: 'Pay in online shops and paid sites, make calls and leave voicemail with one balance. Buy a card for yourself or as a gift, recharge it, and follow every won on your statement.',
    ko: '인터넷 쇼핑몰과 유료 사이트 결제, 전화와 음성사서함까지 하나의 잔액으로. 본인용이나 선물용으로 구매하고, 충전하고, 사용 내역을 한눈에 확인하세요.',
  },
  'home.ctaBuy': { en: 'Buy a card', ko: '카드 구매하기' },
  'home.ctaCard': { en: 'Check my card', ko: '내 카드 조회' },
  'home.denominations': { en: 'Cards on sale', ko: '판매 중인 카드' },
  'home.noDenominations': {
    en: 'No cards are on sale right now. Please come back later.',
    ko: '현재 판매 중인 카드가 없습니다. 나중에 다시 방문해 주세요.',
  },
  'home.cardOf': { en: '{amount} card', ko: '{amount} 카드' },
  'home.buy': { en: 'Buy', ko: '구매' },
  'home.buyLabel': { en: 'Buy a {amount} card', ko: '{amount} 카드 구매' },
  'home.entryPoints': { en: 'What you can do here', ko: '이용 안내' },
  'home.entryBuy': {
    en: 'Pay by card or bank transfer; for yourself or as a gift by e-mail.',
    ko: '신용카드나 계좌이체로 결제하고, 본인용 또는 이메일 선물로 받으세요.',
  },
  'home.entryRecharge': {
    en: 'Add value to the card you already have.',
    ko: '가지고 있는 카드에 금액을 추가하세요.',
  },
  'home.entryCard': {
    en: 'Balance, statement, password, your details and refund of balance.',
    ko: '잔액, 사용 내역, 비밀번호, 회원 정보, 잔액 환불.',
  },
  'home.entryVerify': {
    en: 'See what your card paid online and report a payment that was not you.',
    ko: '카드로 결제한 온라인 결제를 확인하고 본인 결제가 아닌 건을 신고하세요.',
  },
  'home.entryAssociates': {
    en: 'Shops, contents, calling and public services that accept OnePIN.',
    ko: 'OnePIN을 받는 쇼핑몰, 콘텐츠, 전화, 공공 서비스.',
  },
  'home.entryWhatIs': {
    en: 'How the card works, how to buy and use it, and the terms of use.',
    ko: '카드의 원리, 구매와 사용 방법, 이용약관.',
  },

  'whatIs.title': { en: 'What is OnePIN?', ko: 'OnePIN이란?' },
  'whatIs.lead': {
    en: 'OnePIN is a prepaid card you pay for in advance and spend with a PIN and a password, anywhere that accepts it.',
    ko: 'OnePIN은 미리 금액을 충전해 두고, 가맹점 어디서나 PIN과 비밀번호로 사용하는 선불카드입니다.',
  },
  'whatIs.contents': { en: 'On this page', ko: '이 페이지의 내용' },
  'whatIs.conceptTitle': { en: 'The idea', ko: '개념' },
  'whatIs.concept1': {
    en: 'Each card has a 20-digit PIN and a balance. You choose a password of 4 to 12 digits when you register the card; the PIN and the password together let you spend.',
    ko: '카드마다 20자리 PIN과 잔액이 있습니다. 카드를 등록할 때 4~12자리 비밀번호를 정하며, PIN과 비밀번호를 함께 입력해 사용합니다.',
  },
  'whatIs.concept2': {
    en: 'The same balance works in online shops, paid sites, telephone calls and voicemail. Shops never see your PIN: you type it on our payment page.',
    ko: '같은 잔액으로 인터넷 쇼핑몰, 유료 사이트, 전화와 음성사서함을 이용할 수 있습니다. PIN은 OnePIN 결제 화면에서만 입력하므로 상점은 볼 수 없습니다.',
  },
  'whatIs.whyTitle': { en: 'Why OnePIN', ko: 'OnePIN을 쓰는 이유' },
  'whatIs.why1': {
    en: 'No bank account or credit card needed to pay online.',
    ko: '은행 계좌나 신용카드 없이도 온라인 결제를 할 수 있습니다.',
  },
  'whatIs.why2': {
    en: 'You can never spend more than what is on the card.',
    ko: '카드에 있는 금액 이상은 쓸 수 없습니다.',
  },
  'whatIs.why3': {
    en: 'Every payment is on your statement, and you can report one that was not you.',
    ko: '모든 결제가 사용 내역에 남고, 본인 결제가 아닌 건은 신고할 수 있습니다.',
  },
  'whatIs.why4': {
    en: 'A thoughtful gift: send a card by e-mail with a message.',
    ko: '메시지와 함께 이메일로 카드를 선물할 수 있습니다.',
  },
  'whatIs.buyTitle': { en: 'How to buy', ko: '구매 방법' },
  'whatIs.buy1': {
    en: 'Choose an amount from 5,000 to 100,000 won.',
    ko: '5,000원부터 100,000원까지 금액을 고르세요.',
  },
  'whatIs.buy2': {
    en: 'Say whether it is for you or a gift, and pay by card or bank transfer.',
    ko: '본인용인지 선물용인지 선택하고 신용카드나 계좌이체로 결제하세요.',
  },
  'whatIs.buy3': {
    en: 'Register your password with the one-time code we send you (or the gift link), and the card is ready.',
    ko: '보내 드린 인증번호(또는 선물 링크)로 비밀번호를 등록하면 바로 사용할 수 있습니다.',
  },
  'whatIs.useTitle': { en: 'How to use', ko: '사용 방법' },
  'whatIs.use1': {
    en: 'In a shop that accepts OnePIN, choose OnePIN at checkout.',
    ko: 'OnePIN 가맹점에서 결제 수단으로 OnePIN을 선택하세요.',
  },
  'whatIs.use2': {
    en: 'On the OnePIN payment page, type your PIN and password.',
    ko: 'OnePIN 결제 화면에서 PIN과 비밀번호를 입력하세요.',
  },
  'whatIs.use3': {
    en: 'The amount is taken from your balance; the rest stays on the card.',
    ko: '결제 금액이 잔액에서 빠지고, 남은 금액은 카드에 그대로 남습니다.',
  },
  'whatIs.use4': {
    en: 'For calls, dial the access number and enter your PIN and password on the keypad.',
    ko: '전화는 접속 번호로 건 뒤 키패드로 PIN과 비밀번호를 입력하세요.',
  },
  'whatIs.seeAssociates': { en: 'See where you can use OnePIN', ko: 'OnePIN 가맹점 보기' },
  'whatIs.readTerms': { en: 'Read the terms of use', ko: '이용약관 읽기' },

  'terms.title': { en: 'Terms of use', ko: '이용약관' },
  'terms.lead': {
    en: 'These terms apply to every OnePIN card, however it was bought.',
    ko: '이 약관은 구매 경로와 관계없이 모든 OnePIN 카드에 적용됩니다.',
  },
  'terms.article1Title': { en: 'The card', ko: '카드' },
  'terms.article1': {
    en: 'A OnePIN card is a prepaid means of payment. Its value is what was paid for it plus recharges, minus what was spent.',
    ko: 'OnePIN 카드는 선불 지급수단입니다. 카드의 가치는 구매 금액과 충전 금액에서 사용 금액을 뺀 금액입니다.',
  },
  'terms.article2Title': { en: 'PIN and password', ko: 'PIN과 비밀번호' },
  'terms.article2': {
    en: 'Keep the PIN and the password secret. Anyone who knows both can spend the balance. After 5 wrong passwords the card locks until you contact support.',
    ko: 'PIN과 비밀번호를 다른 사람에게 알려 주지 마세요. 둘 다 아는 사람은 잔액을 사용할 수 있습니다. 비밀번호를 5회 잘못 입력하면 고객센터에 문의할 때까지 카드가 잠깁니다.',
  },
  'terms.article3Title': { en: 'Validity', ko: '유효기간' },
  'terms.article3': {
    en: 'A card can be used for the period shown when it is sold (five years after purchase unless the card says otherwise). Balances left after that period expire.',
    ko: '카드는 판매 시 안내한 기간 동안 사용할 수 있습니다 (별도 표시가 없으면 구매 후 5년). 기간이 지나면 남은 잔액은 소멸됩니다.',
  },
  'terms.article4Title': { en: 'Recharge', ko: '충전' },
  'terms.article4': {
    en: 'A card may be recharged up to a balance of 2,000,000 won; one recharge may add at most 1,000,000 won.',
    ko: '카드 잔액은 최대 2,000,000원까지 충전할 수 있으며, 1회 충전 한도는 1,000,000원입니다.',
  },
  'terms.article5Title': { en: 'Refund of balance', ko: '잔액 환불' },
  'terms.article5': {
    en: 'You may ask for the rest of the balance to be refunded. It is paid back only to the card or bank account the card was bought with.',
    ko: '남은 잔액의 환불을 요청할 수 있습니다. 환불금은 카드를 구매할 때 사용한 카드나 계좌로만 지급됩니다.',
  },
  'terms.article6Title': { en: 'Payments and disputes', ko: '결제와 이의 제기' },
  'terms.article6': {
    en: 'If a payment on your card was not made by you, report it on the verification page. We tell the shop and can suspend the card at once.',
    ko: '본인이 하지 않은 결제가 있으면 결제 확인 화면에서 신고하세요. 상점에 알리고 카드를 즉시 정지할 수 있습니다.',
  },
  'terms.article7Title': { en: 'Personal information', ko: '개인정보' },
  'terms.article7': {
    en: 'We keep only what we need to sell, run and refund your card. We never store your PIN or password in readable form.',
    ko: '카드의 판매, 운영, 환불에 필요한 정보만 보관합니다. PIN과 비밀번호는 알아볼 수 있는 형태로 저장하지 않습니다.',
  },
  'terms.article8Title': { en: 'Changes', ko: '약관 변경' },
  'terms.article8': {
    en: 'We announce changes to these terms on the news page at least 30 days before they apply.',
    ko: '약관을 변경할 때는 적용 30일 전까지 공지사항에 알립니다.',
  },
  'terms.effective': { en: 'In effect from 5 January 2026.', ko: '2026년 1월 5일부터 시행합니다.' },

  'about.title': { en: 'About OnePIN', ko: '회사 소개' },
  'about.lead': {
    en: 'We issue and run the OnePIN prepaid card and its payment network.',
    ko: 'OnePIN 선불카드와 결제 네트워크를 발행하고 운영합니다.',
  },
  'about.companyTitle': { en: 'The company', ko: '회사' },
  'about.company1': {
    en: 'OnePIN connects card holders with shops, paid sites, content providers and telephone services, so one balance can be spent in all of them.',
    ko: 'OnePIN은 카드 소지자와 쇼핑몰, 유료 사이트, 콘텐츠 제공자, 전화 서비스를 연결해 하나의 잔액으로 모두 이용할 수 있게 합니다.',
  },
  'about.company2': {
    en: 'Cards are sold on this site, by selling agents and by mobile carriers. Every won is recorded in a double-entry ledger that is checked every day.',
    ko: '카드는 이 사이트, 판매 대리점, 이동통신사를 통해 판매됩니다. 모든 금액은 매일 검증하는 복식부기 원장에 기록됩니다.',
  },
  'about.supportTitle': { en: 'Support', ko: '고객센터' },
  'about.support': {
    en: 'For a locked card, a lost card or a question about a payment, contact OnePIN support. We will never ask for your password.',
    ko: '카드 잠김, 분실, 결제 문의는 OnePIN 고객센터로 연락하세요. 고객센터는 비밀번호를 묻지 않습니다.',
  },
  'about.readNews': { en: 'Read the news', ko: '공지사항 보기' },

  'news.title': { en: 'News', ko: '공지사항' },

  'associates.title': { en: 'Where to use OnePIN', ko: 'OnePIN 가맹점' },
  'associates.lead': {
    en: 'These associates accept OnePIN cards.',
    ko: '아래 가맹점에서 OnePIN 카드를 사용할 수 있습니다.',
  },
  'associates.categories': { en: 'Categories', ko: '분류' },
  'associates.none': {
    en: 'No associates in this category yet.',
    ko: '이 분류에는 아직 가맹점이 없습니다.',
  },
  'directory.contents': { en: 'Contents', ko: '콘텐츠' },
  'directory.contentsHint': {
    en: 'Paid sites, games, music, video and PC communication.',
    ko: '유료 사이트, 게임, 음악, 영상, PC통신.',
  },
  'directory.shopping': { en: 'Shopping', ko: '쇼핑' },
  'directory.shoppingHint': { en: 'Online shops.', ko: '인터넷 쇼핑몰.' },
  'directory.calling': { en: 'Calling', ko: '전화' },
  'directory.callingHint': {
    en: 'Telephone calls and voicemail.',
    ko: '전화와 음성사서함.',
  },
  'directory.public_inquiry': { en: 'Public inquiry', ko: '공공 조회' },
  'directory.public_inquiryHint': {
    en: 'Public records and information services.',
    ko: '공공 기록과 정보 조회 서비스.',
  },
};
