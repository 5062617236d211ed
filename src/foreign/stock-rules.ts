import { MS_PER_DAY, type Currency } from '../kernel/index.ts';
import { parseMajorAmount, parsePair, parseRate, type Rate } from './fx-rules.ts';

/**
 * Pure rules for what operators feed the foreign module: PIN files from a provider, rate files,
 * settlement periods and low-stock crossings. No I/O; every bad line is reported with its line
 * number and field, and a file with any bad line is refused whole.
 */

/** Lines one PIN or rate file may hold (header excluded). */
export const IMPORT_LINES_MAX = 100_000;
/** Problems listed in a report; the rest are only counted. */
export const REPORT_ERRORS_MAX = 100;
/** A provider PIN as printed: letters, digits, spaces and hyphens, 4–64 characters. */
const PIN_TEXT = /^[A-Za-z0-9](?:[A-Za-z0-9 -]{2,62})[A-Za-z0-9]$/;

export interface LineError {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export interface LineReport<T> {
  readonly rows: readonly T[];
  readonly errors: readonly LineError[];
  readonly errorCount: number;
}

class Problems {
  readonly list: LineError[] = [];
  count = 0;
  add(line: number, field: string, reason: string): void {
    this.count += 1;
    if (this.list.length < REPORT_ERRORS_MAX) this.list.push({ line, field, reason });
  }
}

/** The same PIN however it was spaced or cased: what duplicates are detected on. */
export function normalizeForeignPin(pin: string): string {
  return pin.replace(/[ -]/g, '').toUpperCase();
}

interface CsvLine {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Non-blank lines split on commas, cells trimmed; quotes are not part of these formats. */
function csvLines(text: string): CsvLine[] {
  const out: CsvLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    out.push({ line: i + 1, cells: raw.split(',').map((c) => c.trim()) });
  });
  return out;
}

function checkHeader(
  first: CsvLine | undefined,
  required: readonly string[],
  optional: readonly string[],
  problems: Problems,
): string[] | null {
  if (first === undefined) {
    problems.add(1, 'header', `the file is empty; the first line must be ${required.join(',')}`);
    return null;
  }
  const names = first.cells.map((c) => c.toLowerCase());
  const allowed = [...required, ...optional];
  const ok =
    required.every((r, i) => names[i] === r) &&
    names.slice(required.length).every((n, i) => n === optional[i]) &&
    names.length <= allowed.length;
  if (!ok) {
    problems.add(
      first.line,
      'header',
      `expected "${required.join(',')}" (optionally followed by ${optional.map((o) => `,${o}`).join('')})`,
    );
    return null;
  }
  return names;
}

export interface PinLine {
  readonly line: number;
  /** As printed (trimmed); this is what is sealed and shown to the holder. */
  readonly pin: string;
  /** Without spaces and hyphens, upper case: the duplicate key. */
  readonly normalized: string;
  readonly faceMinor: bigint;
  /** What we pay the provider for it; the face value unless the file says otherwise. */
  readonly costMinor: bigint;
}

/**
 * A provider's PIN file: `pin,face_value[,cost]`, amounts in the provider currency's major
 * units (`10.00` USD, `1000` JPY). Refused lines: a PIN that is not 4–64 letters, digits,
 * spaces or hyphens; a PIN twice in the file (however spaced); a face value that is not a
 * positive amount with at most the currency's decimals; a cost above the face value.
 */
export function parsePinFile(text: string, currency: Currency): LineReport<PinLine> {
  const problems = new Problems();
  const lines = csvLines(text);
  const header = checkHeader(lines[0], ['pin', 'face_value'], ['cost'], problems);
  if (header === null) return { rows: [], errors: problems.list, errorCount: problems.count };
  const body = lines.slice(1);
  if (body.length === 0) problems.add(lines[0]?.line ?? 1, 'file', 'no PIN lines after the header');
  if (body.length > IMPORT_LINES_MAX) {
    problems.add(body[IMPORT_LINES_MAX]?.line ?? 0, 'file', `more than ${IMPORT_LINES_MAX} lines`);
    return { rows: [], errors: problems.list, errorCount: problems.count };
  }
  const rows: PinLine[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of body) {
    if (cells.length !== header.length) {
      problems.add(line, 'line', `expected ${header.length} fields, found ${cells.length}`);
      continue;
    }
    const [pin = '', faceText = '', costText] = cells;
    let bad = false;
    if (!PIN_TEXT.test(pin)) {
      problems.add(line, 'pin', 'a PIN is 4 to 64 letters, digits, spaces or hyphens');
      bad = true;
    }
    const normalized = normalizeForeignPin(pin);
    const earlier = seen.get(normalized);
    if (!bad && earlier !== undefined) {
      problems.add(line, 'pin', `the same PIN as line ${earlier}`);
      bad = true;
    }
    if (!bad) seen.set(normalized, line);
    const faceMinor = parseMajorAmount(faceText, currency);
    if (faceMinor === null || faceMinor <= 0n) {
      problems.add(
        line,
        'face_value',
        `a positive amount in ${currency}, like ${example(currency)}`,
      );
      bad = true;
    }
    let costMinor = faceMinor ?? 0n;
    if (costText !== undefined && costText !== '') {
      const cost = parseMajorAmount(costText, currency);
      if (cost === null || cost <= 0n) {
        problems.add(line, 'cost', `a positive amount in ${currency}, like ${example(currency)}`);
        bad = true;
      } else if (faceMinor !== null && cost > faceMinor) {
        problems.add(line, 'cost', 'the cost is above the face value');
        bad = true;
      } else {
        costMinor = cost;
      }
    }
    if (!bad && faceMinor !== null) rows.push({ line, pin, normalized, faceMinor, costMinor });
  }
  return { rows, errors: problems.list, errorCount: problems.count };
}

function example(currency: Currency): string {
  return currency === 'KRW' || currency === 'JPY' ? '1000' : '10.00';
}

export interface RateLine {
  readonly line: number;
  readonly base: Currency;
  readonly quote: Currency;
  readonly rate: Rate;
  readonly rateText: string;
  /** null = from the moment of the import. */
  readonly validFromMs: bigint | null;
}

/** An ISO 8601 instant with an explicit offset (`Z` or `+09:00`), to the millisecond. */
export function parseInstant(text: string): bigint | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return null;
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? BigInt(ms) : null;
}

/** A rate file: `pair,rate[,valid_from]`, e.g. `USD/KRW,1385.27,2026-05-01T09:00:00+09:00`. */
export function parseRateFile(text: string): LineReport<RateLine> {
  const problems = new Problems();
  const lines = csvLines(text);
  const header = checkHeader(lines[0], ['pair', 'rate'], ['valid_from'], problems);
  if (header === null) return { rows: [], errors: problems.list, errorCount: problems.count };
  const body = lines.slice(1);
  if (body.length === 0)
    problems.add(lines[0]?.line ?? 1, 'file', 'no rate lines after the header');
  if (body.length > IMPORT_LINES_MAX) {
    problems.add(body[IMPORT_LINES_MAX]?.line ?? 0, 'file', `more than ${IMPORT_LINES_MAX} lines`);
    return { rows: [], errors: problems.list, errorCount: problems.count };
  }
  const rows: RateLine[] = [];
  for (const { line, cells } of body) {
    if (cells.length !== header.length) {
      problems.add(line, 'line', `expected ${header.length} fields, found ${cells.length}`);
      continue;
    }
    const [pairText = '', rateTextIn = '', fromText] = cells;
    const pair = parsePair(pairText);
    const rate = parseRate(rateTextIn);
    let validFromMs: bigint | null = null;
    let bad = false;
    if (pair === null) {
      problems.add(line, 'pair', 'two different known currencies, like USD/KRW');
      bad = true;
    }
    if (rate === null) {
      problems.add(line, 'rate', 'a positive decimal with at most 12 decimals, like 1385.27');
      bad = true;
    }
    if (fromText !== undefined && fromText !== '') {
      validFromMs = parseInstant(fromText);
      if (validFromMs === null) {
        problems.add(
          line,
          'valid_from',
          'an ISO 8601 time with an offset, like 2026-05-01T09:00:00+09:00',
        );
        bad = true;
      }
    }
    if (!bad && pair !== null && rate !== null) {
      rows.push({ line, base: pair[0], quote: pair[1], rate, rateText: rateTextIn, validFromMs });
    }
  }
  return { rows, errors: problems.list, errorCount: problems.count };
}

/** Korean time: settlement days are calendar days in KST. */
const KST_OFFSET_MS = 9n * 3_600_000n;

export interface SettlementPeriod {
  /** `20260531`: part of the settlement's id, so a period is paid once. */
  readonly key: string;
  /** Everything booked before this instant (the end of the day in KST) is in the period. */
  readonly endMs: bigint;
}

/** `2026-05-31` → the period ending at 2026-06-01T00:00+09:00 (exclusive). */
export function settlementPeriod(date: string): SettlementPeriod | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return null;
  const [, y = '', m = '', d = ''] = match;
  const startUtc = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const check = new Date(startUtc);
  if (
    !Number.isFinite(startUtc) ||
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(m) - 1 ||
    check.getUTCDate() !== Number(d)
  ) {
    return null;
  }
  return { key: `${y}${m}${d}`, endMs: BigInt(startUtc) + MS_PER_DAY - KST_OFFSET_MS };
}

export type StockSignal = 'alert' | 'rearm' | 'none';

/**
 * One alert per crossing: when the available PINs of a value fall below the threshold and no
 * alert was sent since the last restock, alert; once stock is back at or above the threshold,
 * re-arm so the next fall alerts again.
 */
export function stockSignal(input: {
  readonly available: bigint;
  readonly threshold: bigint;
  readonly alerted: boolean;
}): StockSignal {
  if (input.available < input.threshold) return input.alerted ? 'none' : 'alert';
  return input.alerted ? 'rearm' : 'none';
}
