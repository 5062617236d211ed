import { derivedId, newId, type IdPrefix } from '../kernel/index.ts';

/**
 * Ids of the foreign module's rows: `fxp_` provider, `fxb_` import batch, `fpn_` pool PIN,
 * `fxr_` rate, `fxq_` quote, `fxe_` settlement entry.
 */
export type ForeignIdPrefix = Extract<IdPrefix, 'fxp' | 'fxb' | 'fpn' | 'fxr' | 'fxq' | 'fxe'>;

export function foreignId(prefix: ForeignIdPrefix): string {
  return newId(prefix);
}

/** One switch per quote: the switch's id is derived from its quote's, so a retry finds it. */
export function switchIdOf(quoteId: string): string {
  return `fxs_${quoteId.slice('fxq_'.length)}`;
}

/** Ledger transfer ids of a switch, derived from it so that a re-run collides into `exists`. */
export const switchTransfer = {
  hold: (switchId: string): string => derivedId('fxh', switchId),
  post: (switchId: string): string => derivedId('fxc', switchId),
  leg: (switchId: string): string => derivedId('fxl', switchId),
  void: (switchId: string): string => derivedId('fxv', switchId),
  /** The same id the worker's expiry pass gives a hold (`exp_<hold id>`). */
  expire: (holdId: string): string => derivedId('exp', holdId),
} as const;

export function stockTransferId(batchId: string): string {
  return derivedId('fxstk', batchId);
}

export function voidTransferId(pinId: string): string {
  return derivedId('fxvoid', pinId);
}

/** A settlement is paid once per provider and period: its id says which. */
export function settlementIdOf(providerId: string, periodKey: string): string {
  return derivedId('fxset', `${providerId}_${periodKey}`);
}
