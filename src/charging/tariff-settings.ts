import { isCurrency, type Currency } from '../kernel/index.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from './timing-rules.ts';
import { KOREA_NUMBERING, type NumberingPlan } from './types.ts';

export const SETTINGS = [
  'currency',
  'time_zone',
  'country_code',
  'national_prefix',
  'international_prefixes',
] as const;
export type SettingName = (typeof SETTINGS)[number];

export function isSettingName(value: string): value is SettingName {
  return (SETTINGS as readonly string[]).includes(value);
}

/** Each setting's default (Korea, won, Seoul time) and what makes a value wrong. */
const RULES: Readonly<
  Record<SettingName, { readonly fallback: string; problem(value: string): string | null }>
> = {
  currency: {
    fallback: 'KRW',
    problem: (v) => (isCurrency(v) ? null : 'is not a supported currency'),
  },
  time_zone: {
    fallback: DEFAULT_TIME_ZONE,
    problem: (v) => (isTimeZone(v) ? null : 'is not an IANA time zone the runtime knows'),
  },
  country_code: {
    fallback: KOREA_NUMBERING.countryCode,
    problem: (v) =>
      /^[1-9][0-9]{0,2}$/.test(v) ? null : 'is not a country code (1 to 3 digits, not 0…)',
  },
  national_prefix: {
    fallback: KOREA_NUMBERING.nationalPrefix,
    problem: (v) => (/^[0-9]{0,2}$/.test(v) ? null : 'is not a national prefix (0 to 2 digits)'),
  },
  international_prefixes: {
    fallback: KOREA_NUMBERING.internationalPrefixes.join(';'),
    problem: (v) => {
      for (const p of splitPrefixes(v)) {
        if (p !== '+' && !/^[0-9]{1,5}$/.test(p)) {
          return `has international prefix "${p}", which is not + or 1 to 5 digits`;
        }
      }
      return null;
    },
  },
};

function splitPrefixes(text: string): string[] {
  return text === '' ? [] : text.split(';').map((p) => p.trim());
}

export interface TariffSettings {
  readonly currency: Currency;
  readonly timeZone: string;
  readonly numbering: NumberingPlan;
}

/**
 * The tariff's settings: what the file says, or the default for what it leaves out. A bad value
 * is reported on its own line (field `value`) and the default stands in, so the rest of the file
 * is still checked.
 */
export function resolveSettings(
  given: ReadonlyMap<SettingName, { readonly line: number; readonly value: string }>,
  report: (line: number, field: string, reason: string) => void,
): TariffSettings {
  const value = (name: SettingName): string => {
    const setting = given.get(name);
    if (setting === undefined) return RULES[name].fallback;
    const problem = RULES[name].problem(setting.value);
    if (problem === null) return setting.value;
    report(setting.line, 'value', `${name} "${setting.value}" ${problem}`);
    return RULES[name].fallback;
  };
  const currency = value('currency');
  return {
    currency: isCurrency(currency) ? currency : 'KRW',
    timeZone: value('time_zone'),
    numbering: {
      countryCode: value('country_code'),
      nationalPrefix: value('national_prefix'),
      internationalPrefixes: splitPrefixes(value('international_prefixes')),
    },
  };
}
