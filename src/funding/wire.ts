import { isCurrency } from '../kernel/index.ts';
import {
  PROVIDER_EVENT_TYPES,
  PROVIDER_PAYMENT_STATUSES,
  type FundingInstrument,
  type ProviderEvent,
  type ProviderPayment,
  type ProviderRefund,
  type VirtualAccount,
} from './types.ts';

/**
 * Reads the acquirer's JSON into our types, trusting nothing: every field is checked, and
 * amounts must be JSON integers within 2^53 − 1 (they become bigint without passing through
 * arithmetic). A malformed answer is reported as a problem text, never half-read.
 */
export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const TEXT_CHARS_MAX = 2_048;

class Malformed extends Error {}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Malformed(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '' || value.length > TEXT_CHARS_MAX) {
    throw new Malformed(`${key} is not text`);
  }
  return value;
}

function optionalText(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return value === undefined || value === null ? undefined : text(record, key);
}

/** A JSON integer of minor units, as bigint. */
function minor(record: Record<string, unknown>, key: string): bigint {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Malformed(`${key} is not a whole, non-negative, exact integer`);
  }
  return BigInt(value);
}

function oneOf<T extends string>(
  record: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T {
  const value = record[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Malformed(`${key} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function msOfIso(record: Record<string, unknown>, key: string): bigint {
  const ms = Date.parse(text(record, key));
  if (!Number.isSafeInteger(ms)) throw new Malformed(`${key} is not a date`);
  return BigInt(ms);
}

function instrumentOf(value: unknown): FundingInstrument | undefined {
  if (value === undefined || value === null) return undefined;
  const record = object(value, 'instrument');
  const kind = oneOf(record, 'kind', ['card', 'bank'] as const);
  const last4 = text(record, 'last4');
  if (!/^[0-9]{4}$/.test(last4)) throw new Malformed('instrument.last4 is not four digits');
  return kind === 'card'
    ? { kind, brand: text(record, 'brand'), last4 }
    : { kind, bank: text(record, 'bank'), last4 };
}

function virtualAccountOf(value: unknown): VirtualAccount | undefined {
  if (value === undefined || value === null) return undefined;
  const record = object(value, 'virtual_account');
  return {
    bank: text(record, 'bank'),
    number: text(record, 'number'),
    holder: text(record, 'holder'),
    dueAtMs: msOfIso(record, 'due_at'),
  };
}

function paymentOf(value: unknown): ProviderPayment {
  const record = object(value, 'payment');
  const currency = record.currency;
  if (!isCurrency(currency)) throw new Malformed('currency is not supported');
  const amountMinor = minor(record, 'amount');
  const refundedMinor = minor(record, 'refunded_amount');
  if (amountMinor === 0n || refundedMinor > amountMinor) {
    throw new Malformed('amounts are inconsistent');
  }
  const method = oneOf(record, 'method', ['card', 'bank'] as const);
  const declineCode = optionalText(record, 'decline_code');
  const redirectUrl = optionalText(record, 'redirect_url');
  const virtualAccount = virtualAccountOf(record.virtual_account);
  const instrument = instrumentOf(record.instrument);
  return {
    id: text(record, 'id'),
    reference: text(record, 'reference'),
    method,
    amountMinor,
    currency,
    status: oneOf(record, 'status', PROVIDER_PAYMENT_STATUSES),
    ...(declineCode !== undefined ? { declineCode } : {}),
    ...(redirectUrl !== undefined ? { redirectUrl } : {}),
    ...(virtualAccount !== undefined ? { virtualAccount } : {}),
    ...(instrument !== undefined ? { instrument } : {}),
    refundedMinor,
  };
}

function refundOf(value: unknown): ProviderRefund {
  const record = object(value, 'refund');
  const amountMinor = minor(record, 'amount');
  if (amountMinor === 0n) throw new Malformed('refund amount is zero');
  return {
    id: text(record, 'id'),
    status: oneOf(record, 'status', ['succeeded'] as const),
    amountMinor,
  };
}

function eventOf(value: unknown): ProviderEvent {
  const record = object(value, 'event');
  const created = record.created;
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0) {
    throw new Malformed('created is not a unix time');
  }
  const refund =
    record.refund === undefined || record.refund === null ? undefined : refundOf(record.refund);
  return {
    id: text(record, 'id'),
    type: oneOf(record, 'type', PROVIDER_EVENT_TYPES),
    createdMs: BigInt(created) * 1_000n,
    payment: paymentOf(record.payment),
    ...(refund !== undefined ? { refund } : {}),
  };
}

function reading<T>(read: (value: unknown) => T): (value: unknown) => Read<T> {
  return (value) => {
    try {
      return { ok: true, value: read(value) };
    } catch (error) {
      if (error instanceof Malformed) return { ok: false, problem: error.message };
      throw error;
    }
  };
}

export const readPayment = reading(paymentOf);
export const readRefund = reading(refundOf);
export const readEvent = reading(eventOf);
