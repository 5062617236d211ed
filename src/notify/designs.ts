import type { GiftDesign, Locale } from './templates.ts';

/**
 * How each gift design looks in a mail: plain colours and an emoji, no images, so the card
 * renders the same in every mail client and nothing is fetched from a server when it opens.
 */
export interface GiftDesignLook {
  readonly emoji: string;
  /** The card's background and the text on it. */
  readonly background: string;
  readonly ink: string;
  /** The light tint around the card and behind the message. */
  readonly tint: string;
  readonly heading: Readonly<Record<Locale, string>>;
}

export const GIFT_DESIGN_LOOKS: Readonly<Record<GiftDesign, GiftDesignLook>> = {
  classic: {
    emoji: '🎁',
    background: '#0b5cad',
    ink: '#ffffff',
    tint: '#e8f1fb',
    heading: { en: 'A gift for you', ko: '선물이 도착했어요' },
  },
  birthday: {
    emoji: '🎂',
    background: '#c2255c',
    ink: '#ffffff',
    tint: '#fff0f6',
    heading: { en: 'Happy birthday!', ko: '생일 축하해요!' },
  },
  thanks: {
    emoji: '💐',
    background: '#2b8a3e',
    ink: '#ffffff',
    tint: '#ebfbee',
    heading: { en: 'Thank you!', ko: '고마워요!' },
  },
  celebration: {
    emoji: '🎉',
    background: '#d9480f',
    ink: '#ffffff',
    tint: '#fff4e6',
    heading: { en: 'Congratulations!', ko: '축하해요!' },
  },
};
