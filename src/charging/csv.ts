/**
 * A small strict CSV reader (RFC 4180), written here because package.json has no CSV parser
 * and a tariff import needs line numbers for its report more than it needs speed or dialects.
 *
 * - Fields are separated by `,`; records end with CRLF or LF (a lone CR is refused).
 * - A field may be quoted with `"`; inside quotes `""` is a quote and commas and line breaks are
 *   text. A quote inside an unquoted field, or text after a closing quote, is refused.
 * - Extensions, both optional: lines that start with `#` are comments, and empty or blank
 *   lines are skipped. A leading byte-order mark is ignored.
 *
 * A malformed record is reported with the line it starts on and skipped up to the end of that
 * line; reading goes on, so one report lists every bad line. An unterminated quote ends the
 * reading (everything after it would be inside the field).
 */

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvProblem {
  readonly line: number;
  readonly reason: string;
}

export interface CsvOptions {
  readonly comments?: boolean;
  readonly skipBlankLines?: boolean;
  readonly fieldCharsMax?: number;
  readonly recordsMax?: number;
}

export interface CsvParse {
  readonly records: readonly CsvRecord[];
  readonly problems: readonly CsvProblem[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export function parseCsv(text: string, options: CsvOptions = {}): CsvParse {
  const fieldCharsMax = options.fieldCharsMax ?? Number.MAX_SAFE_INTEGER;
  const recordsMax = options.recordsMax ?? Number.MAX_SAFE_INTEGER;
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  /** Moves past the end of the current physical line (for skipping and recovery). */
  const skipLine = (): void => {
    const next = text.indexOf('\n', i);
    i = next === -1 ? n : next + 1;
    line += 1;
  };

  while (i < n) {
    const lineEnd = text.indexOf('\n', i);
    const physical = text.slice(i, lineEnd === -1 ? n : lineEnd);
    if (
      (options.comments === true && physical.startsWith('#')) ||
      (options.skipBlankLines === true && /^[ \t]*\r?$/.test(physical))
    ) {
      skipLine();
      continue;
    }
    if (records.length >= recordsMax) {
      problems.push({ line, reason: `more than ${recordsMax} records` });
      break;
    }

    const start = line;
    const fields: string[] = [];
    let problem: string | null = null;
    let fatal = false;
    let recordDone = false;
    while (!recordDone) {
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        i += 1;
        let value = '';
        let closed = false;
        while (i < n) {
          const close = text.indexOf('"', i);
          if (close === -1) break;
          const chunk = text.slice(i, close);
          for (const ch of chunk) if (ch === '\n') line += 1;
          value += chunk;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            i = close + 2;
          } else {
            i = close + 1;
            closed = true;
            break;
          }
        }
        if (!closed) {
          problem = 'a quoted field is not closed before the end of the file';
          fatal = true;
          break;
        }
        field = value;
        const c = text.charCodeAt(i);
        if (i < n && c !== COMMA && c !== LF && !(c === CR && text.charCodeAt(i + 1) === LF)) {
          problem = `text after the closing quote of field ${fields.length + 1}`;
          break;
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
          j += 1;
        }
        const c = text.charCodeAt(j);
        if (j < n && c === QUOTE) {
          problem = `a quote inside unquoted field ${fields.length + 1} (quote the whole field)`;
          break;
        }
        if (j < n && c === CR && text.charCodeAt(j + 1) !== LF) {
          problem = 'a carriage return that does not end the line';
          break;
        }
        field = text.slice(i, j);
        i = j;
      }
      if (field.length > fieldCharsMax && problem === null) {
        problem = `field ${fields.length + 1} is longer than ${fieldCharsMax} characters`;
      }
      fields.push(field);
      // i is at a comma, a line end or the end of the text.
      if (i >= n) {
        recordDone = true;
      } else if (text.charCodeAt(i) === COMMA) {
        i += 1;
        if (i >= n) {
          fields.push('');
          recordDone = true;
        }
      } else {
        i += text.charCodeAt(i) === CR ? 2 : 1;
        line += 1;
        recordDone = true;
      }
    }
    if (problem !== null) {
      problems.push({ line: start, reason: problem });
      if (fatal) break;
      if (!recordDone) skipLine();
      continue;
    }
    records.push({ line: start, fields });
  }
  return { records, problems };
}
