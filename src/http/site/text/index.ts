import { mergeDictionaries, type Dictionary } from '../i18n.ts';
import { CARD_TEXT } from './card.ts';
import { CARRIER_TEXT } from './carrier.ts';
import { COMMON_TEXT } from './common.ts';
import { FOREIGN_TEXT } from './foreign.ts';
import { PAGES_TEXT } from './pages.ts';
import { SALES_TEXT } from './sales.ts';

/**
 * Every word of the holder site, in Korean and English. Each page family keeps its own
 * dictionary; a key defined in two of them fails at start-up.
 */
export const SITE_TEXT: Dictionary = mergeDictionaries(
  COMMON_TEXT,
  PAGES_TEXT,
  CARD_TEXT,
  SALES_TEXT,
  FOREIGN_TEXT,
  CARRIER_TEXT,
);
