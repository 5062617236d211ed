import { MS_PER_DAY } from '../kernel/index.ts';

/**
 * How long a card stays valid: until a fixed date, N days after it is sold, or N days after it
 * is first used. Pure: times come in as arguments.
 */
export type ValidityRule =
  | { readonly kind: 'fixed_date'; readonly untilMs: bigint }
  | { readonly kind: 'days_after_sale'; readonly days: bigint }
  | { readonly kind: 'days_after_first_use'; readonly days: bigint };

export const VALIDITY_DAYS_MAX = 20n * 366n;

export function validityIsSane(rule: ValidityRule): boolean {
  if (rule.kind === 'fixed_date') return rule.untilMs > 0n;
  return rule.days > 0n && rule.days <= VALIDITY_DAYS_MAX;
}

/** The expiry to record at sale; null when it is only known at first use. */
export function expiryAtSale(rule: ValidityRule, soldAtMs: bigint): bigint | null {
  switch (rule.kind) {
    case 'fixed_date':
      return rule.untilMs;
    case 'days_after_sale':
      return soldAtMs + rule.days * MS_PER_DAY;
    case 'days_after_first_use':
      return null;
  }
}

/** The expiry to record at first use, when the rule waits for it (else the current one). */
export function expiryAtFirstUse(
  rule: ValidityRule,
  currentExpiryMs: bigint | null,
  usedAtMs: bigint,
): bigint | null {
  if (rule.kind !== 'days_after_first_use') return currentExpiryMs;
  return usedAtMs + rule.days * MS_PER_DAY;
}

export function isExpired(expiresAtMs: bigint | null, nowMs: bigint): boolean {
  return expiresAtMs !== null && nowMs >= expiresAtMs;
}
