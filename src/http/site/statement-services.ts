import type { StatementEntry } from '../../cards/index.ts';
import {
  CHARGING_REFUND_CODE,
  usageAnchorTransferId,
  type UsageRecord,
} from '../../charging/index.ts';
import type { Associate } from '../../payments/index.ts';

/**
 * What each statement entry was for, from its counterparty: an associate's category (shopping,
 * contents, …), our calling or voicemail service, a purchase or recharge of the card, a refund,
 * or the expiry of the balance. Pure: the associates' categories are looked up by the caller.
 */
export const SERVICE_TYPES = [
  'shopping',
  'contents',
  'calling',
  'pc_communication',
  'voicemail',
  'public_inquiry',
  'purchase',
  'refund',
  'expiry',
  'other',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Series colours (Okabe–Ito, told apart with the common colour-vision deficiencies). */
export const SERVICE_COLOURS: Readonly<Record<ServiceType, string>> = {
  shopping: '#0072B2',
  contents: '#E69F00',
  calling: '#009E73',
  pc_communication: '#CC79A7',
  voicemail: '#56B4E9',
  public_inquiry: '#D55E00',
  purchase: '#1B7837',
  refund: '#F0E442',
  expiry: '#7F7F7F',
  other: '#5D3A1A',
};

/** Ledger account codes that fund a card (a sale or a recharge through a channel). */
const FUNDING_CODES: readonly string[] = [
  'funding_clearing',
  'agent_receivable',
  'carrier_receivable',
  'foreign_payable',
  'fx_position',
];

export interface CounterpartyOf {
  readonly kind: string;
  readonly counterparty: { readonly code: string; readonly ownerRef: string | null };
}

/** Our charged services (the charging module's names) as the chart's service types. */
const CHARGED_SERVICE_TYPES: Readonly<Record<string, ServiceType>> = {
  call: 'calling',
  sms: 'calling',
  voicemail: 'voicemail',
  content: 'contents',
};

/** The service type of one of our charged services (`call`, `voicemail`, `sms`, `content`). */
export function chargedServiceType(service: string): ServiceType {
  if (Object.hasOwn(CHARGED_SERVICE_TYPES, service))
    return CHARGED_SERVICE_TYPES[service] ?? 'other';
  if (service.includes('voicemail')) return 'voicemail';
  return service.includes('content') ? 'contents' : 'calling';
}

/**
 * `service`: the charged service of the usage record behind the entry, when there is one: a
 * reservation or a refund of a voicemail session is voicemail, though its ledger code is not.
 */
export function serviceTypeOf(
  entry: CounterpartyOf,
  categoryOf: (associateId: string) => Associate['category'] | undefined,
  service?: string,
): ServiceType {
  const { code, ownerRef } = entry.counterparty;
  if (code === 'merchant_payable') {
    // Money an associate sent back is a refund, whatever the associate sells.
    if (entry.kind === 'refund') return 'refund';
    return (ownerRef === null ? undefined : categoryOf(ownerRef)) ?? 'other';
  }
  if (code === 'service_revenue') return chargedServiceType(service ?? entry.kind);
  if (FUNDING_CODES.includes(code)) return 'purchase';
  if (code === 'refund_payable') return 'refund';
  if (code === 'breakage') return 'expiry';
  return 'other';
}

/**
 * Value that left the card for good with this entry (positive), or came in (negative):
 * posted debits minus posted credits. Holds and their release move nothing here; a capture
 * does. `amountMinor` is the change of the available balance and `heldChangeMinor` the change
 * of the held amount, so posted = −(available + held).
 */
export function postedOutflowMinor(entry: {
  readonly amountMinor: bigint;
  readonly heldChangeMinor: bigint;
}): bigint {
  return -(entry.amountMinor + entry.heldChangeMinor);
}

/**
 * How a statement entry is shown once usage records are known. A charging session writes
 * several ledger entries on the card (a reservation per grant, its posting or release, an
 * overrun); the holder sees one line per call instead, at the entry that opened it (see
 * `usageAnchorTransferId`): the call's destination, number, duration and what it took, or,
 * while the call is still going on, what is held for it. The session's other entries are
 * hidden (`null`); a refund of a charge is a line of its own. Entries that are not ours (no
 * record for this card, or the other side is not our service revenue) stay as they are.
 */
export type StatementLine =
  | { readonly type: 'entry'; readonly entry: StatementEntry }
  | { readonly type: 'usage'; readonly entry: StatementEntry; readonly usage: UsageRecord }
  | { readonly type: 'refund'; readonly entry: StatementEntry; readonly usage: UsageRecord };

export function statementLine(
  entry: StatementEntry,
  usageOf: (reference: string) => UsageRecord | undefined,
): StatementLine | null {
  if (entry.counterparty.code !== 'service_revenue') return { type: 'entry', entry };
  const usage = usageOf(entry.reference);
  if (usage === undefined) return { type: 'entry', entry };
  if (entry.kind === CHARGING_REFUND_CODE) return { type: 'refund', entry, usage };
  if (entry.transferId === usageAnchorTransferId(usage)) return { type: 'usage', entry, usage };
  return null;
}

/** The money of a call line: taken so far plus (while it goes on) held, and the balance after. */
export function usageMoney(usage: UsageRecord): {
  readonly amountMinor: bigint;
  readonly heldMinor: bigint;
  readonly balanceAfterMinor: bigint;
} {
  const held = usage.state === 'open' ? usage.reservedMinor : 0n;
  const out = usage.collectedMinor + held;
  return { amountMinor: -out, heldMinor: held, balanceAfterMinor: usage.balanceBeforeMinor - out };
}

function grouped(national: string, areaDigits: number): string {
  const rest = national.slice(areaDigits);
  const middle = rest.length - 4;
  if (middle < 3 || middle > 4) return national;
  return `${national.slice(0, areaDigits)}-${rest.slice(0, middle)}-${rest.slice(middle)}`;
}

/**
 * A called number as a Korean holder writes it: Korean numbers in national form with hyphens
 * (010-1234-5678, 02-123-4567, 031-123-4567, 1588-1234), others as +E.164. Shown in full: the
 * holder dialled it, and it is their own statement.
 */
export function displayNumber(e164: string): string {
  if (e164 === '') return '';
  if (!e164.startsWith('82')) return `+${e164}`;
  const national = e164.slice(2);
  if (national.startsWith('1') && national.length === 8) {
    return `${national.slice(0, 4)}-${national.slice(4)}`;
  }
  return grouped(`0${national}`, national.startsWith('2') ? 2 : 3);
}

/** Seconds as m:ss, or h:mm:ss from an hour. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
