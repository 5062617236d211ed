import { isCurrency, type Currency } from '../kernel/index.ts';
import type { CreateInput } from './acquirer.ts';
import { normalizeAccountNumber } from './ids.ts';

/**
 * Checks of the merchant's JSON requests. Amounts must be JSON integers (a float, a string or a
 * number past 2^53 − 1 is refused, never rounded). Each failure names the field at fault.
 */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly param: string; readonly message: string };

export const REFERENCE_CHARS_MAX = 128;
export const DESCRIPTION_CHARS_MAX = 200;
export const URL_CHARS_MAX = 2_048;
/** The sandbox will not take an amount above this (a hundred billion minor units). */
export const AMOUNT_MAX_MINOR = 100_000_000_000n;

const REFERENCE = /^[\x21-\x7e]+$/;

function bad<T>(param: string, message: string): Checked<T> {
  return { ok: false, param, message };
}

function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}

export function checkAmount(value: unknown, param = 'amount'): Checked<bigint> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return bad(param, 'must be a JSON integer of minor units');
  }
  const amountMinor = BigInt(value);
  if (amountMinor <= 0n) return bad(param, 'must be greater than zero');
  if (amountMinor > AMOUNT_MAX_MINOR) return bad(param, 'is larger than the sandbox accepts');
  return { ok: true, value: amountMinor };
}

export function checkReference(value: unknown, param = 'reference'): Checked<string> {
  if (typeof value !== 'string' || value.length > REFERENCE_CHARS_MAX || !REFERENCE.test(value)) {
    return bad(param, `must be 1–${REFERENCE_CHARS_MAX} printable characters without spaces`);
  }
  return { ok: true, value };
}

function checkUrl(value: unknown, param: string, required: boolean): Checked<string | null> {
  if (value === undefined || value === null) {
    return required ? bad(param, 'is required') : { ok: true, value: null };
  }
  if (typeof value !== 'string' || value.length > URL_CHARS_MAX) return bad(param, 'must be a URL');
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return bad(param, 'must be an http or https URL');
    }
  } catch {
    return bad(param, 'must be a URL');
  }
  return { ok: true, value };
}

export function checkCreate(body: unknown): Checked<CreateInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('body', 'must be a JSON object');
  }
  const reference = checkReference(field(body, 'reference'));
  if (!reference.ok) return reference;
  const method = field(body, 'method');
  if (method !== 'card' && method !== 'bank') return bad('method', "must be 'card' or 'bank'");
  const amount = checkAmount(field(body, 'amount'));
  if (!amount.ok) return amount;
  const currency = field(body, 'currency');
  if (!isCurrency(currency)) return bad('currency', 'is not a supported currency');
  const description = field(body, 'description') ?? '';
  if (typeof description !== 'string' || description.length > DESCRIPTION_CHARS_MAX) {
    return bad('description', `must be text of at most ${DESCRIPTION_CHARS_MAX} characters`);
  }
  // The card page sends the holder back to return_url, so card payments need one.
  const returnUrl = checkUrl(field(body, 'return_url'), 'return_url', method === 'card');
  if (!returnUrl.ok) return returnUrl;
  const notifyUrl = checkUrl(field(body, 'notify_url'), 'notify_url', false);
  if (!notifyUrl.ok) return notifyUrl;
  return {
    ok: true,
    value: {
      reference: reference.value,
      method,
      amountMinor: amount.value,
      currency: currency satisfies Currency,
      description,
      returnUrl: returnUrl.value,
      notifyUrl: notifyUrl.value,
    },
  };
}

export function checkRefund(
  body: unknown,
): Checked<{ readonly amountMinor: bigint; readonly reference: string }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('body', 'must be a JSON object');
  }
  const amount = checkAmount(field(body, 'amount'));
  if (!amount.ok) return amount;
  const reference = checkReference(field(body, 'reference'));
  if (!reference.ok) return reference;
  return { ok: true, value: { amountMinor: amount.value, reference: reference.value } };
}

export interface DepositInput {
  readonly accountNumber: string;
  readonly amountMinor: bigint;
  readonly fromBank: string;
  readonly fromAccountLast4: string;
}

const BANK_NAME_CHARS_MAX = 60;

/** The sender's side of a transfer; the acquirer keeps only the bank's name and last four digits. */
export function checkSender(
  fromBank: unknown,
  fromAccount: unknown,
): Checked<{ readonly fromBank: string; readonly fromAccountLast4: string }> {
  const bank = fromBank === undefined || fromBank === '' ? SENDER_BANK_DEFAULT : fromBank;
  if (typeof bank !== 'string' || bank.trim() === '' || bank.length > BANK_NAME_CHARS_MAX) {
    return bad('from_bank', `must be a bank name of at most ${BANK_NAME_CHARS_MAX} characters`);
  }
  let last4 = SENDER_ACCOUNT_LAST4_DEFAULT;
  if (fromAccount !== undefined && fromAccount !== '') {
    const digits = typeof fromAccount === 'string' ? normalizeAccountNumber(fromAccount) : null;
    if (digits === null) return bad('from_account', 'must be 6–20 digits');
    last4 = digits.slice(-4);
  }
  return { ok: true, value: { fromBank: bank.trim(), fromAccountLast4: last4 } };
}

/** When a test does not say who sends the money. */
export const SENDER_BANK_DEFAULT = 'Sandbox Bank';
export const SENDER_ACCOUNT_LAST4_DEFAULT = '0000';

export function checkDeposit(body: unknown): Checked<DepositInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('body', 'must be a JSON object');
  }
  const raw = field(body, 'account_number');
  const accountNumber = typeof raw === 'string' ? normalizeAccountNumber(raw) : null;
  if (accountNumber === null) return bad('account_number', 'must be 6–20 digits');
  const amount = checkAmount(field(body, 'amount'));
  if (!amount.ok) return amount;
  const sender = checkSender(field(body, 'from_bank'), field(body, 'from_account'));
  if (!sender.ok) return sender;
  return { ok: true, value: { accountNumber, amountMinor: amount.value, ...sender.value } };
}
