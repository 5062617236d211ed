import { createHash } from 'node:crypto';
import { assert } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { ChargingContext } from './context.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { currentTariff } from './load-tariff.ts';
import { parseTariffCsv, type TariffLineError } from './tariff-csv.ts';
import {
  countTariff,
  diffTariffs,
  isUnchanged,
  type TariffChanges,
  type TariffCounts,
} from './tariff-diff.ts';
import { latestTariffVersion, saveTariff } from './tariff-store.ts';
import { chargingTables } from './tables.ts';

export interface ImportOptions {
  /** The whole tariff file (combined CSV format, see docs/charging.md). */
  readonly text: string;
  /** For people: the file name, recorded with the version. */
  readonly sourceName?: string;
  /** Validate and report what would change; store nothing. */
  readonly dryRun?: boolean;
}

export interface ImportReport {
  /** No bad line: the file is a valid tariff. */
  readonly valid: boolean;
  readonly dryRun: boolean;
  /** A new version was written (valid, not a dry run, and something changed). */
  readonly stored: boolean;
  /** The version written, or null when nothing was. */
  readonly version: number | null;
  /** The latest version before the import, which the changes are counted against. */
  readonly baseVersion: number | null;
  /** The file says exactly what the latest version says; nothing needs storing. */
  readonly unchanged: boolean;
  readonly recordCount: number;
  /** Bad lines, in line order (at most `importErrorsMax`; `errorCount` counts them all). */
  readonly errors: readonly TariffLineError[];
  readonly errorCount: number;
  /** The new tariff's size, when valid. */
  readonly counts: TariffCounts | null;
  readonly changes: TariffChanges | null;
}

/**
 * Imports a whole tariff: parse, validate every line, compare with the latest version, and, when
 * the file is valid and says something new, store it as the next version in one transaction.
 * Any bad line means nothing is stored: the report lists each one as { line, field, reason }.
 */
export async function importTariff(
  ctx: ChargingContext,
  options: ImportOptions,
): Promise<ImportReport> {
  const dryRun = options.dryRun === true;
  const base = await currentTariff(ctx);
  const baseVersion = base?.version ?? null;
  const refused = (
    errors: readonly TariffLineError[],
    errorCount: number,
    recordCount: number,
  ): ImportReport => ({
    valid: false,
    dryRun,
    stored: false,
    version: null,
    baseVersion,
    unchanged: false,
    recordCount,
    errors,
    errorCount,
    counts: null,
    changes: null,
  });

  if (options.text.length > CHARGING_LIMITS.importBytesMax) {
    return refused(
      [{ line: 0, field: 'file', reason: `larger than ${CHARGING_LIMITS.importBytesMax} bytes` }],
      1,
      0,
    );
  }
  const parsed = parseTariffCsv(options.text);
  if (parsed.draft === null) return refused(parsed.errors, parsed.errorCount, parsed.recordCount);

  const draft = parsed.draft;
  const counts = countTariff(draft);
  const changes = diffTariffs(base, draft);
  const unchanged = base !== null && isUnchanged(changes);
  const result = {
    valid: true,
    dryRun,
    baseVersion,
    unchanged,
    recordCount: parsed.recordCount,
    errors: [],
    errorCount: 0,
    counts,
    changes,
  };
  if (dryRun || unchanged) return { ...result, stored: false, version: null };

  const sourceSha256 = createHash('sha256').update(options.text).digest('hex');
  const importedAtMs = ctx.clock.nowMs();
  const version = await writeTransaction(ctx.db, async (tx) => {
    const next = ((await latestTariffVersion(tx)) ?? 0) + 1;
    await saveTariff(tx, next, draft, {
      sourceName: options.sourceName ?? '(text)',
      sourceSha256,
      importedAtMs,
    });
    // Read back what was written in the same transaction: the stored sizes match the file's.
    const stored = await chargingTables(tx)
      .selectFrom('charging_prefix')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tariff_version', '=', BigInt(next))
      .executeTakeFirstOrThrow();
    assert(BigInt(stored.n) === BigInt(counts.prefixes), 'every prefix was stored');
    return next;
  });
  ctx.tariffs.invalidate();
  return { ...result, stored: true, version };
}
