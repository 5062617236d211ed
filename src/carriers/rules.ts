/**
 * The carrier channel's pure rules (docs/carriers.md): phone numbers, the sale and billing file
 * formats, the SMS pumping limits, the commission split and the monthly reconciliation.
 * No I/O here; everything is table-tested in test/carriers/rules.test.ts.
 */

/** E.164: `+`, a country code not starting with 0, 6 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{5,14}$/;

/**
 * A buyer's number → E.164, or null. Spaces, dots and dashes are ignored; a Korean national
 * number (`010-1234-5678`) becomes `+821012345678`.
 */
export function normalizePhone(text: string): string | null {
  const plain = text.trim().replace(/[\s.\-()]/g, '');
  const e164 = /^0[1-9][0-9]{6,10}$/.test(plain) ? `+82${plain.slice(1)}` : plain;
  return E164.test(e164) ? e164 : null;
}

/** The prefix the per-prefix limit counts: the first 6 digits of the E.164 number. */
export function phonePrefix(e164: string): string {
  return e164.slice(1, 7);
}

/** A billing period `YYYY-MM` → its UTC bounds [start, end) in ms, or null. */
export function periodBounds(period: string): { startMs: bigint; endMs: bigint } | null {
  const m = /^([0-9]{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  return {
    startMs: BigInt(Date.UTC(year, month, 1)),
    endMs: BigInt(Date.UTC(year, month + 1, 1)),
  };
}

/** An instant as carriers write it: ISO 8601 with `Z` or an offset. */
export function parseInstantText(text: string): bigint | null {
  if (
    !/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/.test(
      text,
    )
  )
    return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : BigInt(ms);
}

const AMOUNT = /^[0-9]{1,15}$/;
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const SERIAL = /^[0-9]{1,12}$/;

export function serialOf(text: string): string | null {
  const t = text.trim();
  return SERIAL.test(t) ? t.padStart(12, '0') : null;
}

export interface LineError {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export interface SaleLine {
  readonly line: number;
  readonly reportId: string;
  readonly serial: string;
  readonly phone: string;
  readonly priceMinor: bigint;
  readonly soldAtMs: bigint;
}

/** Lines in one file, at most. */
export const FILE_LINES_MAX = 100_000;

function csvLines(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    out.push({ line: i + 1, cells: t.split(',').map((c) => c.trim()) });
  });
  return out;
}

/** The header a file must start with, or an error on line 1. */
function header(
  rows: { line: number; cells: string[] }[],
  want: readonly string[],
): LineError | null {
  const first = rows[0];
  if (first === undefined) return { line: 1, field: 'file', reason: 'the file is empty' };
  if (first.cells.join(',') !== want.join(','))
    return { line: first.line, field: 'header', reason: `the header must be ${want.join(',')}` };
  return null;
}

export const SALES_HEADER = ['report_id', 'serial', 'phone', 'price_minor', 'sold_at'] as const;

/** A carrier's sales file (the same reports as the API, as CSV). */
export function parseSalesFile(text: string): {
  readonly lines: readonly SaleLine[];
  readonly errors: readonly LineError[];
} {
  const rows = csvLines(text);
  const bad = header(rows, SALES_HEADER);
  if (bad !== null) return { lines: [], errors: [bad] };
  const lines: SaleLine[] = [];
  const errors: LineError[] = [];
  const seen = new Set<string>();
  for (const { line, cells } of rows.slice(1)) {
    if (lines.length + errors.length >= FILE_LINES_MAX) {
      errors.push({ line, field: 'file', reason: `at most ${FILE_LINES_MAX} lines` });
      break;
    }
    const [reportId = '', serialText = '', phoneText = '', price = '', soldAt = ''] = cells;
    if (cells.length !== 5) errors.push({ line, field: 'line', reason: 'five fields' });
    else if (!REPORT_ID.test(reportId))
      errors.push({ line, field: 'report_id', reason: '1–64 letters, digits, _ . : -' });
    else if (seen.has(reportId))
      errors.push({ line, field: 'report_id', reason: 'twice in the file' });
    else {
      const serial = serialOf(serialText);
      const phone = normalizePhone(phoneText);
      const soldAtMs = parseInstantText(soldAt);
      if (serial === null) errors.push({ line, field: 'serial', reason: '1–12 digits' });
      else if (phone === null) errors.push({ line, field: 'phone', reason: 'not a phone number' });
      else if (!AMOUNT.test(price))
        errors.push({ line, field: 'price_minor', reason: 'a whole number of minor units' });
      else if (soldAtMs === null)
        errors.push({ line, field: 'sold_at', reason: 'ISO 8601 with Z or an offset' });
      else {
        seen.add(reportId);
        lines.push({ line, reportId, serial, phone, priceMinor: BigInt(price), soldAtMs });
      }
    }
  }
  return { lines, errors };
}

export const BILLING_HEADER = ['serial', 'sold_at', 'amount_minor'] as const;

export interface BillingLine {
  readonly line: number;
  readonly serial: string;
  readonly soldAtMs: bigint;
  readonly amountMinor: bigint;
}

export interface BillingFile {
  readonly lines: readonly BillingLine[];
  /** The carrier's `TOTAL,<count>,<amount>` line. */
  readonly total: { readonly count: bigint; readonly amountMinor: bigint } | null;
}

/**
 * The monthly billing file: `serial,sold_at,amount_minor` lines and one closing
 * `TOTAL,<count>,<amount_minor>`. Malformed lines are errors (nothing is imported); a serial we
 * do not know or a total that does not add up are reconciliation lines, not errors.
 */
export function parseBillingFile(text: string): {
  readonly file: BillingFile;
  readonly errors: readonly LineError[];
} {
  const rows = csvLines(text);
  const bad = header(rows, BILLING_HEADER);
  if (bad !== null) return { file: { lines: [], total: null }, errors: [bad] };
  const lines: BillingLine[] = [];
  const errors: LineError[] = [];
  let total: BillingFile['total'] = null;
  const seen = new Set<string>();
  for (const { line, cells } of rows.slice(1)) {
    if (lines.length + errors.length >= FILE_LINES_MAX) {
      errors.push({ line, field: 'file', reason: `at most ${FILE_LINES_MAX} lines` });
      break;
    }
    if (total !== null) {
      errors.push({ line, field: 'line', reason: 'nothing may follow the TOTAL line' });
      continue;
    }
    if (cells[0] === 'TOTAL') {
      const [, count = '', amount = ''] = cells;
      if (cells.length !== 3 || !AMOUNT.test(count) || !AMOUNT.test(amount))
        errors.push({ line, field: 'total', reason: 'TOTAL,<count>,<amount_minor>' });
      else total = { count: BigInt(count), amountMinor: BigInt(amount) };
      continue;
    }
    const [serialText = '', soldAt = '', amount = ''] = cells;
    const serial = serialOf(serialText);
    const soldAtMs = parseInstantText(soldAt);
    if (cells.length !== 3) errors.push({ line, field: 'line', reason: 'three fields' });
    else if (serial === null) errors.push({ line, field: 'serial', reason: '1–12 digits' });
    else if (seen.has(serial)) errors.push({ line, field: 'serial', reason: 'twice in the file' });
    else if (soldAtMs === null)
      errors.push({ line, field: 'sold_at', reason: 'ISO 8601 with Z or an offset' });
    else if (!AMOUNT.test(amount))
      errors.push({ line, field: 'amount_minor', reason: 'a whole number of minor units' });
    else {
      seen.add(serial);
      lines.push({ line, serial, soldAtMs, amountMinor: BigInt(amount) });
    }
  }
  if (total === null && errors.length === 0)
    errors.push({ line: rows.length + 1, field: 'total', reason: 'the TOTAL line is missing' });
  return { file: { lines, total }, errors };
}

export const RECONCILIATION_KINDS = [
  'matched',
  'missing_in_ours',
  'missing_in_theirs',
  'amount_mismatch',
  'unknown_pin',
  'totals_mismatch',
] as const;
export type ReconciliationKind = (typeof RECONCILIATION_KINDS)[number];

export interface OurSale {
  readonly serial: string;
  readonly amountMinor: bigint;
}

export interface ReconciliationLine {
  readonly kind: ReconciliationKind;
  /** Null for the totals line. */
  readonly serial: string | null;
  readonly oursMinor: bigint | null;
  readonly theirsMinor: bigint | null;
  readonly note: string;
}

export interface Reconciliation {
  readonly lines: readonly ReconciliationLine[];
  /** Our amount of the matched lines: what the remittance settles. */
  readonly matchedGrossMinor: bigint;
  readonly counts: Readonly<Record<ReconciliationKind, number>>;
}

/**
 * Matches the carrier's billing lines against our sales of the period, by serial:
 * - on both sides with the same amount → `matched` (the remittance covers it);
 * - on both with different amounts → `amount_mismatch` (stays open on the receivable);
 * - only ours → `missing_in_theirs` (stays open); only theirs and the serial is in the
 *   carrier's pool → `missing_in_ours` (never reported to us, never loaded: no money);
 *   only theirs and not in its pool → `unknown_pin`;
 * - the TOTAL line not equal to the file's own count and sum → `totals_mismatch`.
 * Lines come out sorted by serial, the totals line last.
 */
export function reconcile(
  file: BillingFile,
  ours: readonly OurSale[],
  pool: ReadonlySet<string>,
): Reconciliation {
  const lines: ReconciliationLine[] = [];
  const mine = new Map(ours.map((s) => [s.serial, s.amountMinor]));
  const theirs = new Map(file.lines.map((l) => [l.serial, l.amountMinor]));
  let matchedGrossMinor = 0n;
  for (const [serial, t] of theirs) {
    const o = mine.get(serial);
    if (o === undefined) {
      lines.push(
        pool.has(serial)
          ? {
              kind: 'missing_in_ours',
              serial,
              oursMinor: null,
              theirsMinor: t,
              note: 'no sale reported to us',
            }
          : {
              kind: 'unknown_pin',
              serial,
              oursMinor: null,
              theirsMinor: t,
              note: 'not in the carrier’s pool',
            },
      );
    } else if (o === t) {
      matchedGrossMinor += o;
      lines.push({ kind: 'matched', serial, oursMinor: o, theirsMinor: t, note: '' });
    } else {
      lines.push({
        kind: 'amount_mismatch',
        serial,
        oursMinor: o,
        theirsMinor: t,
        note: `differs by ${t - o}`,
      });
    }
  }
  for (const [serial, o] of mine) {
    if (!theirs.has(serial))
      lines.push({
        kind: 'missing_in_theirs',
        serial,
        oursMinor: o,
        theirsMinor: null,
        note: 'sold, not billed',
      });
  }
  lines.sort((a, b) =>
    (a.serial ?? '') < (b.serial ?? '') ? -1 : (a.serial ?? '') > (b.serial ?? '') ? 1 : 0,
  );
  if (file.total !== null) {
    const sum = file.lines.reduce((s, l) => s + l.amountMinor, 0n);
    const count = BigInt(file.lines.length);
    if (file.total.count !== count || file.total.amountMinor !== sum)
      lines.push({
        kind: 'totals_mismatch',
        serial: null,
        oursMinor: sum,
        theirsMinor: file.total.amountMinor,
        note: `TOTAL says ${file.total.count} lines / ${file.total.amountMinor}; the lines are ${count} / ${sum}`,
      });
  }
  const counts = Object.fromEntries(RECONCILIATION_KINDS.map((k) => [k, 0])) as Record<
    ReconciliationKind,
    number
  >;
  for (const l of lines) counts[l.kind] += 1;
  return { lines, matchedGrossMinor, counts };
}

/**
 * The carrier's commission on a gross: basis points, rounded down (the remainder stays with
 * us), so commission + net = gross exactly.
 */
export function commissionSplit(
  grossMinor: bigint,
  commissionBps: bigint,
): { readonly commissionMinor: bigint; readonly netMinor: bigint } {
  if (grossMinor < 0n || commissionBps < 0n || commissionBps > 10_000n)
    throw new RangeError('gross ≥ 0 and 0 ≤ bps ≤ 10000');
  const commissionMinor = (grossMinor * commissionBps) / 10_000n;
  return { commissionMinor, netMinor: grossMinor - commissionMinor };
}

export interface SmsLimits {
  /** Codes per destination number per window (3). */
  readonly perNumber: number;
  /** Codes per 6-digit prefix per window (20). */
  readonly perPrefix: number;
  /** Codes requested from one IP address per window (10). */
  readonly perIp: number;
  readonly windowMs: bigint;
}

export const DEFAULT_SMS_LIMITS: SmsLimits = {
  perNumber: 3,
  perPrefix: 20,
  perIp: 10,
  windowMs: 3_600_000n,
};

/** Which limit a new code would exceed (counts are of codes already sent in the window), or null. */
export function smsLimitDecision(
  counts: { readonly number: number; readonly prefix: number; readonly ip: number },
  limits: SmsLimits,
): 'number' | 'prefix' | 'ip' | null {
  if (counts.number >= limits.perNumber) return 'number';
  if (counts.prefix >= limits.perPrefix) return 'prefix';
  if (counts.ip >= limits.perIp) return 'ip';
  return null;
}
