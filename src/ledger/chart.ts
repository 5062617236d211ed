import type { Currency } from '../kernel/index.ts';

/** Account flags, a bitmask stored with the account. */
export const AccountFlags = {
  none: 0n,
  /** Liabilities such as cards: debits (posted and pending) never exceed posted credits. */
  debitsMustNotExceedCredits: 1n,
  /** Assets that must not be credited past what was debited. */
  creditsMustNotExceedDebits: 2n,
} as const;

/**
 * The chart of accounts. Codes name an account's kind; system accounts exist once per currency.
 * `normal` is the side on which the balance grows; `flags` are the defaults an account of the
 * kind is created with.
 */
export const CHART = {
  card: { normal: 'credit', flags: AccountFlags.debitsMustNotExceedCredits, system: false },
  merchant_payable: {
    normal: 'credit',
    flags: AccountFlags.debitsMustNotExceedCredits,
    system: false,
  },
  agent_receivable: { normal: 'debit', flags: AccountFlags.none, system: false },
  carrier_receivable: { normal: 'debit', flags: AccountFlags.none, system: false },
  funding_clearing: { normal: 'debit', flags: AccountFlags.none, system: true },
  commission_expense: { normal: 'debit', flags: AccountFlags.none, system: true },
  fee_revenue: { normal: 'credit', flags: AccountFlags.none, system: true },
  service_revenue: { normal: 'credit', flags: AccountFlags.none, system: true },
  breakage: { normal: 'credit', flags: AccountFlags.none, system: true },
  refund_payable: {
    normal: 'credit',
    flags: AccountFlags.debitsMustNotExceedCredits,
    system: true,
  },
  foreign_payable: { normal: 'credit', flags: AccountFlags.none, system: false },
  /** Foreign PINs bought from a provider and not yet switched to a holder, at cost. */
  foreign_inventory: { normal: 'debit', flags: AccountFlags.none, system: false },
  fx_position: { normal: 'credit', flags: AccountFlags.none, system: true },
  payout_clearing: { normal: 'debit', flags: AccountFlags.none, system: true },
  adjustment: { normal: 'debit', flags: AccountFlags.none, system: true },
} as const;

export type AccountCode = keyof typeof CHART;

export function isAccountCode(value: string): value is AccountCode {
  return Object.hasOwn(CHART, value);
}

export const SYSTEM_ACCOUNT_CODES = (Object.keys(CHART) as AccountCode[]).filter(
  (code) => CHART[code].system,
);

/** System accounts have fixed ids, one per currency and code. */
export function systemAccountId(currency: Currency, code: AccountCode): string {
  return `acc_sys_${currency.toLowerCase()}_${code}`;
}
