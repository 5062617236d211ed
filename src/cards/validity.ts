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
/** How long a "days after first use" card lasts if it is never used: five years. */
export const VALIDITY_UNUSED_MAX_DAYS = 1_825n;

export function validityIsSane(rule: ValidityRule): boolean {
  if (rule.kind === 'fixed_date') return rule.untilMs > 0n;
  return rule.days > 0n && rule.days <= VALIDITY_DAYS_MAX;
}

/** The expiry to record at sale (for "after first use", the bound for a card never used). */
export function expiryAtSale(rule: ValidityRule, soldAtMs: bigint): bigint {
  switch (rule.kind) {
    case 'fixed_date':
      return rule.untilMs;
    case 'days_after_sale':
      return soldAtMs + rule.days * MS_PER_DAY;
    case 'days_after_first_use':
      // A card never used must still end: the statutory five years after sale bound it until
      // first use sets the real date.
      return soldAtMs + VALIDITY_UNUSED_MAX_DAYS * MS_PER_DAY;
  }
}

/** The expiry to record at first use, when the rule waits for it (else the current one). */
export function expiryAtFirstUse(
  rule: ValidityRule,
  currentExpiryMs: bigint | null,
  usedAtMs: bigint,
): bigint | null {
  if (rule.kind !== 'days_after_first_use') return currentExpiryMs;
  const fromUse = usedAtMs + rule.days * MS_PER_DAY;
  return currentExpiryMs !== null && currentExpiryMs < fromUse ? currentExpiryMs : fromUse;
}

export function isExpired(expiresAtMs: bigint | null, nowMs: bigint): boolean {
  return expiresAtMs !== null && nowMs >= expiresAtMs;
}
