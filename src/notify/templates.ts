import { fail, ok, type Outcome } from '../kernel/index.ts';

/**
 * The e-mails we send, each with the data it needs. Every value is a string the caller has
 * already formatted for the reader (amounts with their currency, dates in the reader's time
 * zone) unless its type says otherwise: the templates only lay text out.
 */
export const LOCALES = ['ko', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const GIFT_DESIGNS = ['classic', 'birthday', 'thanks', 'celebration'] as const;
export type GiftDesign = (typeof GIFT_DESIGNS)[number];

export interface OrderLine {
  readonly name: string;
  readonly quantity: string;
  readonly amount: string;
}

export interface EmailData {
  readonly order_receipt: {
    readonly buyerName: string;
    readonly orderId: string;
    readonly lines: readonly OrderLine[];
    readonly total: string;
    readonly method: 'card' | 'bank';
    readonly paidAt: string;
    readonly purpose: 'self' | 'gift';
    readonly siteUrl: string;
  };
  readonly gift: {
    readonly senderName: string;
    readonly recipientName: string;
    readonly message: string;
    readonly design: GiftDesign;
    readonly amount: string;
    /** Grouped digits, as the holder will type them. */
    readonly pin: string;
    readonly serial: string;
    readonly claimUrl: string;
    readonly claimExpiresAt: string;
    readonly siteUrl: string;
  };
  readonly bank_transfer_instructions: {
    readonly buyerName: string;
    readonly orderId: string;
    readonly bank: string;
    readonly accountNumber: string;
    readonly accountHolder: string;
    readonly amount: string;
    readonly dueAt: string;
  };
  readonly recharge_receipt: {
    readonly cardLast4: string;
    readonly amount: string;
    readonly balanceAfter: string;
    readonly method: string;
    readonly at: string;
  };
  readonly balance_refund: {
    readonly step: 'requested' | 'approved' | 'rejected' | 'paid';
    readonly cardLast4: string;
    readonly amount: string;
    readonly fee: string;
    readonly payout: string;
    /** Why it was rejected (empty for the other steps). */
    readonly reason: string;
    /** Where the money goes, e.g. "Card ending 4242". */
    readonly instrument: string;
  };
  readonly one_time_code: {
    readonly code: string;
    readonly purpose: 'password_reset' | 'phone_verify';
    readonly cardLast4: string;
    readonly expiresInMinutes: string;
  };
  readonly card_rekeyed: {
    readonly oldLast4: string;
    readonly newLast4: string;
    readonly at: string;
  };
  readonly password_changed: {
    readonly cardLast4: string;
    readonly at: string;
  };
  /** A foreign provider's PIN, bought with part of a card's balance (the PIN is in the body). */
  readonly foreign_pin: {
    readonly providerName: string;
    /** The PIN's value in the provider's currency, e.g. "10.00 USD". */
    readonly value: string;
    readonly pin: string;
    /** What the card paid, e.g. "13,853 KRW". */
    readonly paid: string;
    /** "1 USD = 1,385.27 KRW" */
    readonly rate: string;
    readonly cardLast4: string;
    /** The switch id, for support. */
    readonly reference: string;
    readonly at: string;
  };
  /** To the operator: a foreign PIN value's stock fell below its threshold. */
  readonly foreign_low_stock: {
    readonly providerName: string;
    readonly value: string;
    readonly available: string;
    readonly threshold: string;
    readonly at: string;
  };
  /** Before a card's validity ends: what is left on it goes to breakage unless used. */
  readonly card_expiring: {
    readonly cardLast4: string;
    /** The balance left, e.g. "7,000 KRW". */
    readonly balance: string;
    /** The last day, in Asia/Seoul, e.g. "2026-12-31 23:59 KST". */
    readonly expiresAt: string;
    readonly daysLeft: string;
    readonly siteUrl: string;
  };
}

export type TemplateName = keyof EmailData;

/** A text value: free text people typed (names, a gift message) or a formatted value. */
type FieldSpec = 'text' | 'url' | 'lines' | readonly string[];

type Schema<T> = { readonly [F in keyof T]-?: FieldSpec };

/**
 * The same shapes at run time, so that data arriving from JSON (a job payload, an operator
 * tool) is checked before anything is rendered or stored.
 */
const SCHEMAS: { readonly [K in TemplateName]: Schema<EmailData[K]> } = {
  order_receipt: {
    buyerName: 'text',
    orderId: 'text',
    lines: 'lines',
    total: 'text',
    method: ['card', 'bank'],
    paidAt: 'text',
    purpose: ['self', 'gift'],
    siteUrl: 'url',
  },
  gift: {
    senderName: 'text',
    recipientName: 'text',
    message: 'text',
    design: GIFT_DESIGNS,
    amount: 'text',
    pin: 'text',
    serial: 'text',
    claimUrl: 'url',
    claimExpiresAt: 'text',
    siteUrl: 'url',
  },
  bank_transfer_instructions: {
    buyerName: 'text',
    orderId: 'text',
    bank: 'text',
    accountNumber: 'text',
    accountHolder: 'text',
    amount: 'text',
    dueAt: 'text',
  },
  recharge_receipt: {
    cardLast4: 'text',
    amount: 'text',
    balanceAfter: 'text',
    method: 'text',
    at: 'text',
  },
  balance_refund: {
    step: ['requested', 'approved', 'rejected', 'paid'],
    cardLast4: 'text',
    amount: 'text',
    fee: 'text',
    payout: 'text',
    reason: 'text',
    instrument: 'text',
  },
  one_time_code: {
    code: 'text',
    purpose: ['password_reset', 'phone_verify'],
    cardLast4: 'text',
    expiresInMinutes: 'text',
  },
  card_rekeyed: { oldLast4: 'text', newLast4: 'text', at: 'text' },
  password_changed: { cardLast4: 'text', at: 'text' },
  foreign_pin: {
    providerName: 'text',
    value: 'text',
    pin: 'text',
    paid: 'text',
    rate: 'text',
    cardLast4: 'text',
    reference: 'text',
    at: 'text',
  },
  foreign_low_stock: {
    providerName: 'text',
    value: 'text',
    available: 'text',
    threshold: 'text',
    at: 'text',
  },
  card_expiring: {
    cardLast4: 'text',
    balance: 'text',
    expiresAt: 'text',
    daysLeft: 'text',
    siteUrl: 'url',
  },
};

export const TEMPLATE_NAMES = Object.keys(SCHEMAS) as readonly TemplateName[];

/** Longest text value (a gift message is the long one), order lines, and URL. */
export const TEXT_FIELD_CHARS_MAX = 2_000;
export const ORDER_LINES_MAX = 50;
export const URL_CHARS_MAX = 2_000;

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(SCHEMAS, name);
}

export function isLocale(locale: string): locale is Locale {
  return (LOCALES as readonly string[]).includes(locale);
}

function checkText(value: unknown): boolean {
  return typeof value === 'string' && value.length <= TEXT_FIELD_CHARS_MAX;
}

/** Only web links: a `javascript:` or `data:` URL must never become a link in a mail. */
function checkUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > URL_CHARS_MAX) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '';
  } catch {
    return false;
  }
}

function checkLines(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0 || value.length > ORDER_LINES_MAX) return false;
  return value.every((line: unknown) => {
    if (typeof line !== 'object' || line === null) return false;
    const l = line as Record<string, unknown>;
    return checkText(l.name) && checkText(l.quantity) && checkText(l.amount);
  });
}

function checkField(spec: FieldSpec, value: unknown): boolean {
  if (spec === 'text') return checkText(value);
  if (spec === 'url') return checkUrl(value);
  if (spec === 'lines') return checkLines(value);
  return typeof value === 'string' && spec.includes(value);
}

/** Checks a template's data against its shape; the failing field is named `data.<field>`. */
export function checkEmailData<K extends TemplateName>(
  template: K,
  data: unknown,
): Outcome<EmailData[K]> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail('parameter_invalid', 'data');
  }
  const schema: Record<string, FieldSpec> = SCHEMAS[template];
  const record = data as Record<string, unknown>;
  for (const [field, spec] of Object.entries(schema)) {
    if (!checkField(spec, record[field])) return fail('parameter_invalid', `data.${field}`);
  }
  for (const field of Object.keys(record)) {
    if (!Object.hasOwn(schema, field)) {
      return fail('parameter_invalid', `data.${field}`, 'not a field of this template');
    }
  }
  return ok(data as EmailData[K]);
}
