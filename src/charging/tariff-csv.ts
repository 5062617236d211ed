import { parseCsv } from './csv.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { newTariffRecords, readRecord } from './tariff-records.ts';
import { checkReferences } from './tariff-references.ts';
import { resolveSettings } from './tariff-settings.ts';
import type { TariffDraft } from './types.ts';

export { TARIFF_COLUMNS } from './tariff-records.ts';

/** One bad line of a tariff file. Line 0 is the file as a whole. */
export interface TariffLineError {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export interface TariffParse {
  /** The tariff, when the file had no errors. */
  readonly draft: TariffDraft | null;
  /** The first `importErrorsMax` errors found, in line order. */
  readonly errors: readonly TariffLineError[];
  readonly errorCount: number;
  readonly recordCount: number;
}

/**
 * Parses and validates a whole tariff file (combined CSV; see tariff-records.ts for the kinds
 * and docs/charging.md for the rules). Pure: the caller decides what to store. The draft is
 * null whenever any line is bad.
 */
export function parseTariffCsv(text: string): TariffParse {
  const errors: TariffLineError[] = [];
  let errorCount = 0;
  const reportAt = (line: number, field: string, reason: string): void => {
    errorCount += 1;
    if (errors.length < CHARGING_LIMITS.importErrorsMax) errors.push({ line, field, reason });
  };

  const csv = parseCsv(text, {
    comments: true,
    skipBlankLines: true,
    fieldCharsMax: CHARGING_LIMITS.csvFieldCharsMax,
    recordsMax: CHARGING_LIMITS.importRecordsMax,
  });
  for (const p of csv.problems) reportAt(p.line, 'csv', p.reason);

  const records = newTariffRecords();
  for (const record of csv.records) readRecord(records, record, reportAt);
  const plans = checkReferences(records, reportAt);
  const settings = resolveSettings(records.settings, reportAt);
  if (records.activations.length === 0 && csv.problems.length === 0) {
    reportAt(0, 'file', 'the tariff has no activation record, so it would rate nothing');
  }

  const recordCount = csv.records.length;
  if (errorCount > 0) {
    errors.sort((a, b) => a.line - b.line);
    return { draft: null, errors, errorCount, recordCount };
  }
  const draft: TariffDraft = {
    ...settings,
    destinations: [...records.destinations].map(([id, d]) => ({
      id,
      name: d.name ?? id,
      prefixes: d.prefixes,
    })),
    rates: [...records.rates.values()].map((r) => r.value),
    timings: [...records.timings.values()].map((t) => t.value),
    plans,
    activations: records.activations.map((a) => a.value),
  };
  return { draft, errors, errorCount, recordCount };
}
