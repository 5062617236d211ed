/**
 * The card lifecycle as a closed list of transitions, each with the reason it happens.
 * Only `active` cards spend. Value enters a card only when it is sold.
 */
export const CARD_STATES = [
  'issued',
  'consigned',
  'sold',
  'active',
  'suspended',
  'locked',
  'expired',
  'refunded',
  'closed',
] as const;

export type CardState = (typeof CARD_STATES)[number];

export const TRANSITIONS = {
  consign: { from: ['issued'], to: 'consigned' },
  return_stock: { from: ['consigned'], to: 'issued' },
  sell: { from: ['issued', 'consigned'], to: 'sold' },
  activate: { from: ['sold'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  lock_attempts: { from: ['sold', 'active', 'suspended'], to: 'locked' },
  lock_operator: { from: ['sold', 'active', 'suspended'], to: 'locked' },
  /** Back to `active` when a password is set, otherwise back to `sold`. */
  unlock: { from: ['locked'], to: 'active' },
  expire: { from: ['sold', 'active', 'suspended', 'locked'], to: 'expired' },
  refund: { from: ['active', 'suspended', 'locked'], to: 'refunded' },
  close: { from: ['issued', 'consigned', 'sold', 'active', 'suspended', 'locked'], to: 'closed' },
} as const satisfies Record<string, { from: readonly CardState[]; to: CardState }>;

export type CardTransition = keyof typeof TRANSITIONS;

export function isCardState(value: string): value is CardState {
  return (CARD_STATES as readonly string[]).includes(value);
}

/** The state a transition leads to, or null when it is not allowed from `from`. */
export function nextState(
  from: CardState,
  transition: CardTransition,
  options: { readonly hasPassword: boolean },
): CardState | null {
  const rule = TRANSITIONS[transition];
  if (!(rule.from as readonly CardState[]).includes(from)) return null;
  if (transition === 'unlock') return options.hasPassword ? 'active' : 'sold';
  return rule.to;
}
