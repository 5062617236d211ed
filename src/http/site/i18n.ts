import type { FastifyRequest } from 'fastify';

/**
 * The holder site speaks Korean and English. A page's locale comes from the `onepin_lang`
 * cookie (set by `?lang=ko|en`), else from Accept-Language: Korean when the browser prefers it
 * over English, English otherwise.
 */
export const LOCALES = ['ko', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const LANG_COOKIE = 'onepin_lang';
export const LANG_PARAM = 'lang';
/** A language choice is remembered for a year; it is not a secret. */
export const LANG_COOKIE_MAX_AGE_S = 365 * 86_400;
/** Accept-Language entries read; a longer header is cut (it is attacker-controlled). */
const ACCEPT_LANGUAGE_ENTRIES_MAX = 32;

/** One line of a dictionary: the same words in both languages. */
export interface Words {
  readonly ko: string;
  readonly en: string;
}
export type Dictionary = Readonly<Record<string, Words>>;
/** Values put into `{name}` placeholders. */
export type TextVars = Readonly<Record<string, string | number | bigint>>;
/** The text function templates call as `it.t(key, vars?)`. */
export type TextFn = (key: string, vars?: TextVars) => string;

export function isLocale(value: unknown): value is Locale {
  return value === 'ko' || value === 'en';
}

/**
 * The preferred of our locales in an Accept-Language header: the supported language with the
 * highest q (earlier wins a tie); English when neither is named.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (header === undefined || header === '') return 'en';
  let best: { locale: Locale; q: number } | null = null;
  for (const part of header.split(',').slice(0, ACCEPT_LANGUAGE_ENTRIES_MAX)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0] ?? '';
    if (!isLocale(primary)) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.[0-9]{0,3})?)\s*$/.exec(param);
      if (match?.[1] !== undefined) q = Number.parseFloat(match[1]);
    }
    if (q > 0 && (best === null || q > best.q)) best = { locale: primary, q };
  }
  return best?.locale ?? 'en';
}

/** The locale a request asks for: `?lang=` first, then the cookie, then the header. */
export function requestedLocale(request: FastifyRequest): Locale {
  const query = request.query as Record<string, unknown> | undefined;
  const param = query?.[LANG_PARAM];
  if (isLocale(param)) return param;
  const cookie = request.cookies[LANG_COOKIE];
  if (isLocale(cookie)) return cookie;
  return localeFromAcceptLanguage(request.headers['accept-language']);
}

/** Raised when a page asks for words the dictionaries do not have (a bug, not bad input). */
export class MissingTextError extends Error {}

/**
 * The text function for one locale. A missing key or placeholder is a programming error: it
 * throws, so the test that renders every page in both languages finds it. In production the
 * key itself is shown instead, so one forgotten word does not take a page down.
 */
export function textFunction(
  dictionary: Dictionary,
  locale: Locale,
  options: { readonly strict: boolean },
): TextFn {
  return (key, vars) => {
    const words = Object.hasOwn(dictionary, key) ? dictionary[key] : undefined;
    if (words === undefined) {
      if (options.strict) throw new MissingTextError(`no text for "${key}"`);
      return key;
    }
    return fillVars(words[locale], vars, (name) => {
      if (options.strict) throw new MissingTextError(`"${key}" needs {${name}}`);
      return `{${name}}`;
    });
  };
}

function fillVars(text: string, vars: TextVars | undefined, missing: (name: string) => string) {
  return text.replace(/\{([a-zA-Z0-9_]+)\}/g, (_whole, name: string) => {
    const value = vars !== undefined && Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value === undefined ? missing(name) : String(value);
  });
}

/**
 * Merges dictionaries, refusing a key defined twice (two pages silently sharing or overriding
 * a word is how translations drift).
 */
export function mergeDictionaries(...parts: readonly Dictionary[]): Dictionary {
  const out: Record<string, Words> = {};
  for (const part of parts) {
    for (const [key, words] of Object.entries(part)) {
      if (Object.hasOwn(out, key)) throw new Error(`text key "${key}" is defined twice`);
      out[key] = words;
    }
  }
  return out;
}

/** Strict unless running in production (see `textFunction`). */
export function strictText(): boolean {
  return process.env.NODE_ENV !== 'production';
}
