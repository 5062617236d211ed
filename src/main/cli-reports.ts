import { InvalidArgumentError, type Command } from 'commander';
import { expireDueCards, previewExpiry } from '../cards/index.ts';
import { MS_PER_DAY, formatMoney, isCurrency, isoFromMs, limits } from '../kernel/index.ts';
import {
  EXPIRING_DAYS_MAX,
  breakageCsv,
  breakageReport,
  expiringCsv,
  expiringReport,
  liabilityCsv,
  liabilityReport,
  toJson,
  type CurrencyCheck,
  type ReportsContext,
} from '../reports/index.ts';
import { sendExpiryNotices } from '../sales/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

const SEOUL_OFFSET_MS = 9n * 3_600_000n;
/** Passes of the expiry job one `cards expire` runs at most (each is bounded). */
const EXPIRE_PASSES_MAX = 1_000;
/** Cards a simulated expiry lists at most. */
const PREVIEW_MAX = 100_000;

/**
 * `YYYY-MM-DD` is a day in Asia/Seoul: `start` gives its first instant, `end` the first instant
 * of the next day. An ISO instant with a zone (`2026-12-31T15:00:00Z`) is taken as it is.
 */
function instant(edge: 'start' | 'end') {
  return (text: string): bigint => {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (day !== null) {
      const utc = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
      const back = new Date(utc).toISOString().slice(0, 10);
      if (Number.isFinite(utc) && back === text) {
        const start = BigInt(utc) - SEOUL_OFFSET_MS;
        return edge === 'start' ? start : start + MS_PER_DAY;
      }
    }
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
      const ms = Date.parse(text);
      if (Number.isFinite(ms)) return BigInt(ms);
    }
    throw new InvalidArgumentError('a date YYYY-MM-DD (Asia/Seoul) or an ISO instant with a zone');
  };
}

function wholeDays(text: string): number {
  if (!/^[0-9]{1,4}$/.test(text) || Number(text) < 1 || Number(text) > EXPIRING_DAYS_MAX) {
    throw new InvalidArgumentError(`a whole number of days from 1 to ${EXPIRING_DAYS_MAX}`);
  }
  return Number(text);
}

function money(amountMinor: bigint, currency: string): string {
  return isCurrency(currency) ? formatMoney(amountMinor, currency) : `${amountMinor} ${currency}`;
}

function reportsOf(app: App): ReportsContext {
  return { db: app.db, clock: app.clock };
}

/** The tie-out to the ledger, on stderr (stdout stays a clean CSV/JSON document). */
function showChecks(tools: CliTools, what: string, checks: readonly CurrencyCheck[]): void {
  for (const c of checks) {
    console.error(
      `${what} ${c.currency}: report ${money(c.reportMinor, c.currency)}, ledger ${money(c.ledgerMinor, c.currency)} — ${c.ties ? 'ties' : 'DOES NOT TIE'}`,
    );
  }
  if (!checks.every((c) => c.ties)) {
    throw tools.failure(`the ${what} report does not tie to the ledger`);
  }
}

export function addReportCommands(program: Command, tools: CliTools): void {
  const reports = program
    .command('reports')
    .description('finance reports: liability, breakage, expiring balances (read only)');
  reports
    .command('liability')
    .description('outstanding card liability per currency, channel, denomination and age')
    .option('--at <date>', 'as at the end of this day (Asia/Seoul) or this instant', instant('end'))
    .option('--csv', 'CSV instead of JSON')
    .action(async (o: { at?: bigint; csv?: boolean }) => {
      await tools.withApp(async (app) => {
        // --at a day: its last millisecond (the journal is read up to and including `atMs`).
        const atMs = o.at === undefined ? undefined : o.at - 1n;
        const report = await liabilityReport(reportsOf(app), atMs === undefined ? {} : { atMs });
        process.stdout.write(o.csv === true ? liabilityCsv(report) : toJson(report));
        showChecks(tools, 'liability', report.checks);
      });
    });
  reports
    .command('breakage')
    .description('breakage booked per month (Asia/Seoul) and currency')
    .requiredOption('--from <date>', 'first day (Asia/Seoul) or instant', instant('start'))
    .requiredOption(
      '--to <date>',
      'last day, included (Asia/Seoul), or an end instant',
      instant('end'),
    )
    .option('--csv', 'CSV instead of JSON')
    .action(async (o: { from: bigint; to: bigint; csv?: boolean }) => {
      if (o.to <= o.from) throw tools.failure('--to must be after --from');
      await tools.withApp(async (app) => {
        const report = await breakageReport(reportsOf(app), { fromMs: o.from, toMs: o.to });
        process.stdout.write(o.csv === true ? breakageCsv(report) : toJson(report));
        showChecks(tools, 'breakage', report.checks);
      });
    });
  reports
    .command('expiring')
    .description('card balances that expire in the next N days')
    .option('--days <n>', 'how far ahead (default 30)', wholeDays, 30)
    .option('--csv', 'CSV (one line per card) instead of JSON')
    .action(async (o: { days: number; csv?: boolean }) => {
      await tools.withApp(async (app) => {
        const report = await expiringReport(reportsOf(app), { days: o.days });
        process.stdout.write(o.csv === true ? expiringCsv(report) : toJson(report));
        showChecks(tools, 'expiring', report.checks);
      });
    });

  // The expiry job by hand, next to the other card commands.
  const cards =
    program.commands.find((c) => c.name() === 'cards') ??
    program.command('cards').description('card stock and card lifecycle');
  cards
    .command('expire')
    .description('expire cards past their validity and move their balance to breakage')
    .option('--simulate', 'show what would expire and the breakage it would book; write nothing')
    .option('--now <date>', 'with --simulate: as at this day (its end) or instant', instant('end'))
    .option('--json', 'print JSON')
    .action(async (o: { simulate?: boolean; now?: bigint; json?: boolean }) => {
      if (o.now !== undefined && o.simulate !== true) {
        throw tools.failure('--now only with --simulate: a real run expires as at the clock');
      }
      await tools.withApp(async (app) => {
        if (o.simulate === true) {
          const nowMs = o.now === undefined ? app.clock.nowMs() : o.now - 1n;
          const preview = await previewExpiry(app.cards, nowMs, PREVIEW_MAX);
          if (o.json === true) {
            process.stdout.write(
              toJson({
                ...preview,
                breakageByCurrency: Object.fromEntries(preview.breakageByCurrency),
              }),
            );
            return;
          }
          for (const l of preview.lines) {
            console.log(
              `${l.serial}  ${l.state}  expires ${isoFromMs(l.expiresAtMs)}  breakage ${money(l.breakageMinor, l.currency)}${l.heldMinor > 0n ? `  held ${money(l.heldMinor, l.currency)} (swept when released)` : ''}`,
            );
          }
          const totals = [...preview.breakageByCurrency].map(([c, m]) => money(m, c));
          console.log(
            `simulate: ${preview.lines.length} cards would expire or be swept; breakage ${totals.join(', ') || 'none'}; nothing was written`,
          );
          return;
        }
        let expired = 0;
        let sweptMinor = 0n;
        for (let pass = 0; pass < EXPIRE_PASSES_MAX; pass += 1) {
          const report = await expireDueCards(app.cards, limits.expiryBatchMax);
          expired += report.expired;
          sweptMinor += report.sweptMinor;
          if (report.expired === 0) break;
        }
        const result = { expired, sweptMinor };
        if (o.json === true) process.stdout.write(toJson(result));
        else
          console.log(
            `expired ${expired} cards; ${result.sweptMinor} minor units moved to breakage`,
          );
      });
    });
  cards
    .command('expiry-notices')
    .description('send expiry notices (30 and 7 days before) by e-mail, and SMS where known')
    .option('--simulate', 'list the notices that would go; write nothing')
    .option('--now <date>', 'with --simulate: as at this day (its end) or instant', instant('end'))
    .option('--json', 'print JSON')
    .action(async (o: { simulate?: boolean; now?: bigint; json?: boolean }) => {
      if (o.now !== undefined && o.simulate !== true) {
        throw tools.failure('--now only with --simulate: real notices go as at the clock');
      }
      await tools.withApp(async (app) => {
        const report = await sendExpiryNotices(app.sales, {
          simulate: o.simulate === true,
          ...(o.now !== undefined ? { nowMs: o.now - 1n } : {}),
        });
        if (o.json === true) {
          process.stdout.write(toJson(report));
          return;
        }
        for (const l of report.lines) {
          console.log(
            `${l.cardId}  ${l.windowDays}d  expires ${isoFromMs(l.expiresAtMs)}  ${money(l.balanceMinor, l.currency)}  ${l.status}${l.sms ? ' +sms' : ''}`,
          );
        }
        console.log(
          report.simulate
            ? `simulate: ${report.lines.filter((l) => l.status === 'would_send').length} notices would be sent; nothing was written`
            : `sent ${report.sent} notices`,
        );
      });
    });
}
