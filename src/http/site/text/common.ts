import type { Dictionary } from '../i18n.ts';

/** The layout, navigation, error page and words shared by several pages. */
export const COMMON_TEXT: Dictionary = {
  'layout.skip': { en: 'Skip to content', ko: '본문 바로가기' },
  'layout.brandSub': { en: 'prepaid card', ko: '원핀 선불카드' },
  'layout.languageNav': { en: 'Language', ko: '언어' },
  'layout.mainNav': { en: 'Main', ko: '주 메뉴' },
  'layout.footerNav': { en: 'More about OnePIN', ko: 'OnePIN 더 알아보기' },
  'layout.signedIn': { en: 'You are signed in to My card.', ko: '내 카드에 로그인되어 있습니다.' },
  'layout.signOut': { en: 'Sign out', ko: '로그아웃' },
  'layout.terms': { en: 'Terms of use', ko: '이용약관' },
  'layout.news': { en: 'News', ko: '공지사항' },
  'layout.footerNote': {
    en: 'OnePIN never asks for your PIN by e-mail or phone, and shops never see it.',
    ko: 'OnePIN은 이메일이나 전화로 PIN을 묻지 않으며, 상점은 PIN을 볼 수 없습니다.',
  },

  'nav.buy': { en: 'Buy a card', ko: '카드 구매' },
  'nav.recharge': { en: 'Recharge', ko: '충전' },
  'nav.card': { en: 'My card', ko: '내 카드' },
  'nav.verify': { en: 'Verify online payment', ko: '온라인 결제 확인' },
  'nav.associates': { en: 'Associates', ko: '가맹점' },
  'nav.whatIs': { en: 'What is OnePIN?', ko: 'OnePIN이란?' },
  'nav.about': { en: 'About & news', ko: '회사 소개·공지' },

  'error.title': { en: 'Something went wrong', ko: '문제가 발생했습니다' },
  'error.notFoundTitle': { en: 'Page not found', ko: '페이지를 찾을 수 없습니다' },
  'error.back': { en: 'Back to the form', ko: '이전 화면으로' },
  'error.home': { en: 'Go to the home page', ko: '홈으로 가기' },
  'error.reference': { en: 'Reference:', ko: '참조 번호:' },

  'form.required': { en: '(required)', ko: '(필수)' },
  'form.optional': { en: '(optional)', ko: '(선택)' },
  'form.errorSummary': {
    en: 'Please check the fields marked below.',
    ko: '아래 표시된 항목을 확인하세요.',
  },
  'form.pin': { en: 'PIN', ko: 'PIN 번호' },
  'form.pinHint': {
    en: 'The 20 digits on your card; spaces and hyphens are fine.',
    ko: '카드에 적힌 20자리 숫자 (띄어쓰기와 하이픈은 괜찮습니다).',
  },
  'form.password': { en: 'Password', ko: '비밀번호' },
  'form.passwordHint': {
    en: 'The 4 to 12 digits you chose.',
    ko: '등록한 4~12자리 숫자.',
  },

  'validity.until': { en: 'Valid until {date}', ko: '{date}까지 사용 가능' },
  'validity.yearsAfterSale': {
    en: 'Valid for {years} years after purchase',
    ko: '구매 후 {years}년간 사용 가능',
  },
  'validity.daysAfterSale': {
    en: 'Valid for {days} days after purchase',
    ko: '구매 후 {days}일간 사용 가능',
  },
  'validity.yearsAfterFirstUse': {
    en: 'Valid for {years} years after first use',
    ko: '첫 사용 후 {years}년간 사용 가능',
  },
  'validity.daysAfterFirstUse': {
    en: 'Valid for {days} days after first use',
    ko: '첫 사용 후 {days}일간 사용 가능',
  },
};
