import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { PARITY, parsePair, parseRate, rateText, type Rate } from './fx-rules.ts';
import { foreignId } from './ids.ts';
import { parseRateFile, type LineError, type RateLine } from './stock-rules.ts';
import type { ForeignRateTable, RateSource } from './tables.ts';

/** Who entered a rate: an operator name, at most this long. */
export const ENTERED_BY_CHARS_MAX = 80;

export interface RateInForce {
  /** null for the parity of a currency with itself. */
  readonly id: string | null;
  readonly base: Currency;
  readonly quote: Currency;
  readonly rate: Rate;
  readonly text: string;
  readonly source: RateSource | 'parity';
  readonly validFromMs: bigint;
}

function fromRow(row: ForeignRateTable, base: Currency, quote: Currency): RateInForce {
  return {
    id: row.id,
    base,
    quote,
    rate: { num: BigInt(row.rate_num), den: BigInt(row.rate_den) },
    text: row.rate_text,
    source: row.source,
    validFromMs: row.valid_from_ms,
  };
}

/**
 * The rate of `base/quote` in force at `atMs`: the latest whose `valid_from` is not after it,
 * and no older than the policy's maximum age. A currency against itself is one for one.
 */
export async function rateInForce(
  ctx: ForeignContext,
  executor: Executor,
  base: Currency,
  quote: Currency,
  atMs: bigint,
): Promise<RateInForce | null> {
  if (base === quote) {
    return { id: null, base, quote, rate: PARITY, text: '1', source: 'parity', validFromMs: 0n };
  }
  const row = await foreignTables(executor)
    .selectFrom('foreign_rate')
    .selectAll()
    .where('base_currency', '=', base)
    .where('quote_currency', '=', quote)
    .where('valid_from_ms', '<=', atMs)
    .orderBy('valid_from_ms', 'desc')
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined || atMs - row.valid_from_ms > ctx.policy.rateMaxAgeMs) return null;
  return fromRow(row, base, quote);
}

function enteredByOk(by: string): boolean {
  return by.trim() !== '' && [...by].length <= ENTERED_BY_CHARS_MAX;
}

async function insertRate(
  tx: Executor,
  line: { base: Currency; quote: Currency; rate: Rate; text: string; validFromMs: bigint },
  source: RateSource,
  enteredBy: string,
  nowMs: bigint,
): Promise<ForeignRateTable> {
  const row: ForeignRateTable = {
    id: foreignId('fxr'),
    base_currency: line.base,
    quote_currency: line.quote,
    rate_text: line.text,
    rate_num: line.rate.num.toString(),
    rate_den: line.rate.den.toString(),
    source,
    valid_from_ms: line.validFromMs,
    entered_by: enteredBy.trim(),
    created_at_ms: nowMs,
  };
  await foreignTables(tx).insertInto('foreign_rate').values(row).execute();
  return row;
}

/** An operator's rate for a pair (`USD/KRW`, `1385.27`), in force from `validFromMs` (now). */
export async function setRate(
  ctx: ForeignContext,
  input: {
    readonly pair: string;
    readonly rate: string;
    readonly enteredBy: string;
    readonly validFromMs?: bigint;
  },
): Promise<Outcome<RateInForce>> {
  const pair = parsePair(input.pair);
  if (pair === null) return fail('fx_rate_invalid', 'pair');
  const rate = parseRate(input.rate);
  if (rate === null) return fail('fx_rate_invalid', 'rate');
  if (!enteredByOk(input.enteredBy)) return fail('parameter_invalid', 'entered_by');
  const nowMs = ctx.clock.nowMs();
  const [base, quote] = pair;
  const row = await writeTransaction(ctx.db, (tx) =>
    insertRate(
      tx,
      { base, quote, rate, text: rateText(rate), validFromMs: input.validFromMs ?? nowMs },
      'manual',
      input.enteredBy,
      nowMs,
    ),
  );
  return ok(fromRow(row, base, quote));
}

export interface RateImportReport {
  readonly valid: boolean;
  readonly dryRun: boolean;
  readonly errors: readonly LineError[];
  readonly errorCount: number;
  /** The lines read (all of them, or none when the file has errors). */
  readonly rates: readonly RateLine[];
  readonly stored: number;
}

/**
 * A rate file (`pair,rate[,valid_from]`): every line checked first; one bad line refuses the
 * whole file. A dry run checks and stores nothing.
 */
export async function importRates(
  ctx: ForeignContext,
  input: { readonly text: string; readonly enteredBy: string; readonly dryRun?: boolean },
): Promise<Outcome<RateImportReport>> {
  if (!enteredByOk(input.enteredBy)) return fail('parameter_invalid', 'entered_by');
  const parsed = parseRateFile(input.text);
  const dryRun = input.dryRun === true;
  if (parsed.errorCount > 0) {
    return ok({
      valid: false,
      dryRun,
      errors: parsed.errors,
      errorCount: parsed.errorCount,
      rates: [],
      stored: 0,
    });
  }
  if (dryRun) {
    return ok({ valid: true, dryRun, errors: [], errorCount: 0, rates: parsed.rows, stored: 0 });
  }
  const nowMs = ctx.clock.nowMs();
  await writeTransaction(ctx.db, async (tx) => {
    for (const line of parsed.rows) {
      await insertRate(
        tx,
        {
          base: line.base,
          quote: line.quote,
          rate: line.rate,
          text: rateText(line.rate),
          validFromMs: line.validFromMs ?? nowMs,
        },
        'import',
        input.enteredBy,
        nowMs,
      );
    }
  });
  return ok({
    valid: true,
    dryRun,
    errors: [],
    errorCount: 0,
    rates: parsed.rows,
    stored: parsed.rows.length,
  });
}

/** The latest rates of every pair, newest first (for `onepin foreign rates list`). */
export async function listRates(
  ctx: ForeignContext,
  limit = 50,
): Promise<
  readonly {
    readonly pair: string;
    readonly text: string;
    readonly source: string;
    readonly validFromMs: bigint;
    readonly enteredBy: string;
  }[]
> {
  const rows = await foreignTables(ctx.db.kysely)
    .selectFrom('foreign_rate')
    .selectAll()
    .orderBy('valid_from_ms', 'desc')
    .orderBy('created_at_ms', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    pair: `${r.base_currency}/${r.quote_currency}`,
    text: r.rate_text,
    source: r.source,
    validFromMs: r.valid_from_ms,
    enteredBy: r.entered_by,
  }));
}
