import { assert } from '../kernel/index.ts';
import { CHARGING_LIMITS } from './limits.ts';

export interface PrefixMatch {
  readonly prefix: string;
  readonly destinationId: string;
}

/**
 * Prefixes grouped by length, each group a hash map keyed by the prefix's digits read as a
 * number (at most 15 digits, so exact below 2^53; number keys hash much faster than fresh
 * substrings). Matching probes one map per distinct prefix length, longest first: a number
 * costs at most 16 lookups however many prefixes the tariff holds, and a trie for 100k
 * prefixes would allocate far more objects.
 */
export interface PrefixIndex {
  /** Distinct prefix lengths, longest first (0 is the catch-all `*any`). */
  readonly lengths: readonly number[];
  readonly byLength: ReadonlyMap<number, ReadonlyMap<number, string>>;
  readonly size: number;
}

/** Builds the index; a prefix may belong to one destination only (tariff import enforces it). */
export function buildPrefixIndex(
  entries: Iterable<readonly [prefix: string, destinationId: string]>,
): PrefixIndex {
  const byLength = new Map<number, Map<number, string>>();
  let size = 0;
  for (const [prefix, destinationId] of entries) {
    assert(
      prefix.length <= CHARGING_LIMITS.prefixDigitsMax && /^[0-9]*$/.test(prefix),
      `prefix ${prefix} is at most 15 digits`,
    );
    let bucket = byLength.get(prefix.length);
    if (bucket === undefined) {
      bucket = new Map();
      byLength.set(prefix.length, bucket);
    }
    const key = prefix === '' ? 0 : Number(prefix);
    assert(!bucket.has(key), `prefix ${prefix} belongs to one destination`);
    bucket.set(key, destinationId);
    size += 1;
  }
  const lengths = [...byLength.keys()].sort((a, b) => b - a);
  return { lengths, byLength, size };
}

/** The numeric value of each leading run of digits: values[n] = first n digits as a number. */
function leadingValues(e164: string): number[] {
  const values = [0];
  const limit = Math.min(e164.length, CHARGING_LIMITS.prefixDigitsMax);
  let value = 0;
  for (let i = 0; i < limit; i += 1) {
    value = value * 10 + (e164.charCodeAt(i) - 48);
    values.push(value);
  }
  return values;
}

/** Every prefix of `e164` that the index holds, longest first (for fallback). */
export function* prefixMatches(index: PrefixIndex, e164: string): Generator<PrefixMatch> {
  const values = leadingValues(e164);
  for (const length of index.lengths) {
    const value = values[length];
    if (value === undefined) continue;
    const destinationId = index.byLength.get(length)?.get(value);
    if (destinationId !== undefined) yield { prefix: e164.slice(0, length), destinationId };
  }
}

/** The longest prefix of `e164` in the index, or null. Deterministic: prefixes are unique. */
export function matchDestination(index: PrefixIndex, e164: string): PrefixMatch | null {
  // A plain loop rather than the generator: this is the hot path of every rating.
  const values = leadingValues(e164);
  for (const length of index.lengths) {
    const value = values[length];
    if (value === undefined) continue;
    const destinationId = index.byLength.get(length)?.get(value);
    if (destinationId !== undefined) return { prefix: e164.slice(0, length), destinationId };
  }
  return null;
}
