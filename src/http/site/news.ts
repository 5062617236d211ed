import type { Words } from './i18n.ts';

/**
 * The news shown on /news and the home page, newest first. A static list: news changes with
 * releases, and an editor for it is not worth its attack surface yet.
 */
export interface NewsItem {
  readonly id: string;
  /** YYYY-MM-DD, Korean calendar day. */
  readonly date: string;
  readonly title: Words;
  readonly body: Words;
}

export const NEWS: readonly NewsItem[] = [
  {
    id: 'statement-chart',
    date: '2026-03-02',
    title: {
      en: 'See where your card goes: statement chart and CSV download',
      ko: '카드 사용 내역 그래프와 CSV 내려받기',
    },
    body: {
      en: 'My card now shows your spending by service type as a chart, and lets you download your statement as a CSV file for your own records.',
      ko: '내 카드에서 서비스 종류별 사용 금액을 그래프로 보고, 사용 내역을 CSV 파일로 내려받을 수 있습니다.',
    },
  },
  {
    id: 'verify-payments',
    date: '2026-02-10',
    title: {
      en: 'Check your online payments and report the ones that were not you',
      ko: '온라인 결제 확인과 본인 결제 아님 신고',
    },
    body: {
      en: 'Sign in with your PIN and password to see every online payment your card made. If one was not yours, report it and suspend the card at once.',
      ko: 'PIN과 비밀번호로 로그인하면 카드로 결제한 온라인 결제를 모두 볼 수 있습니다. 본인이 하지 않은 결제는 신고하고 카드를 즉시 정지할 수 있습니다.',
    },
  },
  {
    id: 'launch',
    date: '2026-01-05',
    title: {
      en: 'OnePIN cards are on sale',
      ko: 'OnePIN 카드 판매를 시작합니다',
    },
    body: {
      en: 'One prepaid card, one PIN, one balance for shops, paid sites, calls and voicemail. Cards from 5,000 to 100,000 won, for yourself or as a gift.',
      ko: '하나의 선불카드, 하나의 PIN, 하나의 잔액으로 쇼핑몰, 유료 사이트, 전화와 음성사서함까지. 5,000원부터 100,000원까지, 본인용 또는 선물용으로 구매하세요.',
    },
  },
];

/** How many news items the home page shows. */
export const HOME_NEWS_COUNT = 2;
