/**
 * Pure rules of the agent channel: serial ranges, commission per denomination, remittance terms.
 * No I/O; the callers pass the clock's time.
 */
import type { ErrorCode } from '../kernel/index.ts';

export const SERIAL_DIGITS = 12;
/** The most cards one range may name: a consignment of more is several ranges. */
export const RANGE_SIZE_MAX = 100_000n;
export const DAY_MS = 86_400_000n;

export interface SerialRange {
  readonly first: string;
  readonly last: string;
}

export type RuleResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly detail?: string };

function serialOf(text: string): string | null {
  const t = text.trim();
  if (!/^[0-9]{1,12}$/.test(t)) return null;
  return BigInt(t).toString().padStart(SERIAL_DIGITS, '0');
}

/** `000000000001-000000000100`, `1-100` or a single serial `42` → a range in stored form. */
export function parseRange(text: string): RuleResult<SerialRange> {
  const parts = text.split('-');
  if (parts.length > 2) return { ok: false, code: 'serial_range_invalid', detail: text };
  const first = serialOf(parts[0] ?? '');
  const last = serialOf(parts[1] ?? parts[0] ?? '');
  if (first === null || last === null || first > last)
    return { ok: false, code: 'serial_range_invalid', detail: text };
  if (rangeSize({ first, last }) > RANGE_SIZE_MAX)
    return { ok: false, code: 'serial_range_invalid', detail: text };
  return { ok: true, value: { first, last } };
}

export function rangeSize(range: SerialRange): bigint {
  return BigInt(range.last) - BigInt(range.first) + 1n;
}

/** Serials are fixed width, so they compare as text. */
export function rangesOverlap(a: SerialRange, b: SerialRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Parses every range and refuses one that overlaps another of the same request. */
export function parseRanges(texts: readonly string[]): RuleResult<SerialRange[]> {
  if (texts.length === 0 || texts.length > 100)
    return { ok: false, code: 'serial_range_invalid', detail: 'give 1 to 100 ranges' };
  const ranges: SerialRange[] = [];
  for (const text of texts) {
    const parsed = parseRange(text);
    if (!parsed.ok) return parsed;
    const clash = ranges.find((r) => rangesOverlap(r, parsed.value));
    if (clash !== undefined)
      return {
        ok: false,
        code: 'serial_range_overlap',
        detail: `${formatRange(clash)} and ${formatRange(parsed.value)}`,
      };
    ranges.push(parsed.value);
  }
  return { ok: true, value: ranges.sort((a, b) => (a.first < b.first ? -1 : 1)) };
}

export function formatRange(range: SerialRange): string {
  return range.first === range.last ? range.first : `${range.first}-${range.last}`;
}

/**
 * Commission of one denomination: basis points of the face value (rounded down — the remainder
 * stays with us) or a fixed amount in minor units (never more than the face value).
 */
export type CommissionRule =
  | { readonly kind: 'bps'; readonly bps: number }
  | { readonly kind: 'fixed'; readonly amountMinor: bigint };

/** `500` or `500bps` (5 %), or `fixed:300` (300 won per card). */
export function parseCommission(text: string): RuleResult<CommissionRule> {
  const t = text.trim();
  const bps = /^([0-9]{1,5})(bps)?$/.exec(t);
  if (bps !== null) {
    const n = Number(bps[1]);
    if (n > 10_000) return { ok: false, code: 'parameter_invalid', detail: 'bps is 0 to 10000' };
    return { ok: true, value: { kind: 'bps', bps: n } };
  }
  const fixed = /^fixed:([0-9]{1,15})$/.exec(t);
  if (fixed?.[1] !== undefined)
    return { ok: true, value: { kind: 'fixed', amountMinor: BigInt(fixed[1]) } };
  return { ok: false, code: 'parameter_invalid', detail: 'commission is <bps> or fixed:<minor>' };
}

export function formatCommission(rule: CommissionRule): string {
  return rule.kind === 'bps' ? `${rule.bps}bps` : `fixed:${rule.amountMinor}`;
}

export function commissionFor(rule: CommissionRule, faceMinor: bigint): bigint {
  if (rule.kind === 'fixed') return rule.amountMinor < faceMinor ? rule.amountMinor : faceMinor;
  return (faceMinor * BigInt(rule.bps)) / 10_000n;
}

/** The rule for a denomination: its own, else the agent's default. */
export function ruleFor(
  rules: Readonly<Record<string, CommissionRule>>,
  denominationId: string,
): CommissionRule {
  return rules[denominationId] ?? rules['*'] ?? { kind: 'bps', bps: 0 };
}

/** A sale's net (face − commission) is due `termsDays` after the sale. */
export function dueAt(soldAtMs: bigint, termsDays: number): bigint {
  return soldAtMs + BigInt(termsDays) * DAY_MS;
}

export interface OwedLine {
  readonly netMinor: bigint;
  readonly dueAtMs: bigint;
}

/**
 * What an agent owes and how much of it is overdue. Payments settle the oldest sales first, so
 * the overdue part is what fell due before `nowMs` less everything paid.
 */
export function remittanceStatus(
  lines: readonly OwedLine[],
  paidMinor: bigint,
  nowMs: bigint,
): { owedMinor: bigint; overdueMinor: bigint; oldestOverdueDueAtMs: bigint | null } {
  const total = lines.reduce((s, l) => s + l.netMinor, 0n);
  const sorted = [...lines].sort((a, b) => (a.dueAtMs < b.dueAtMs ? -1 : 1));
  let left = paidMinor;
  let overdue = 0n;
  let oldest: bigint | null = null;
  for (const line of sorted) {
    const covered = left >= line.netMinor ? line.netMinor : left;
    left -= covered;
    const open = line.netMinor - covered;
    if (open > 0n && line.dueAtMs < nowMs) {
      overdue += open;
      oldest ??= line.dueAtMs;
    }
  }
  return { owedMinor: total - paidMinor, overdueMinor: overdue, oldestOverdueDueAtMs: oldest };
}
