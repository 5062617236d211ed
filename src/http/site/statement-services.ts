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

export function serviceTypeOf(
  entry: CounterpartyOf,
  categoryOf: (associateId: string) => Associate['category'] | undefined,
): ServiceType {
  const { code, ownerRef } = entry.counterparty;
  if (code === 'merchant_payable') {
    // Money an associate sent back is a refund, whatever the associate sells.
    if (entry.kind === 'refund') return 'refund';
    return (ownerRef === null ? undefined : categoryOf(ownerRef)) ?? 'other';
  }
  if (code === 'service_revenue') {
    if (entry.kind.includes('voicemail')) return 'voicemail';
    return entry.kind.includes('content') ? 'contents' : 'calling';
  }
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
