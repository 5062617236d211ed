import { InvalidArgumentError, type Command } from 'commander';
import { once } from 'node:events';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { getCard, normalizeSerial } from '../cards/index.ts';
import {
  CHARGING_LIMITS,
  SERVICES,
  USAGE_KINDS,
  createChargingContext,
  currentTariff,
  describeRate,
  describeTiming,
  exportUsageCsv,
  importTariff,
  isService,
  listUsage,
  parseIsoInstant,
  planInForce,
  priceEnquiry,
  tariffVersionInfo,
  type ImportReport,
  type KindChanges,
  type PriceAnswer,
  type TariffCounts,
  type UsageRecord,
  type UsageTotals,
} from '../charging/index.ts';
import { describeError, formatMoney, isoFromMs, jsonInteger, limits } from '../kernel/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

function secondsArg(value: string): number {
  if (
    !/^[0-9]{1,6}$/.test(value) ||
    Number.parseInt(value, 10) > CHARGING_LIMITS.billableSecondsMax
  ) {
    throw new InvalidArgumentError(
      `seconds must be a whole number from 0 to ${CHARGING_LIMITS.billableSecondsMax}`,
    );
  }
  return Number.parseInt(value, 10);
}

function chargingOf(app: App) {
  return createChargingContext({ db: app.db, clock: app.clock });
}

function atOption(tools: CliTools, at: string | undefined, app: App): bigint {
  if (at === undefined) return app.clock.nowMs();
  const ms = parseIsoInstant(at);
  if (ms === null)
    throw tools.failure(
      '--at must be an ISO 8601 time with an offset, like 2026-05-01T09:30:00+09:00',
    );
  return ms;
}

function countsLine(c: TariffCounts): string {
  return `${c.destinations} destinations (${c.prefixes} prefixes), ${c.rates} rates, ${c.timings} timings, ${c.plans} plans (${c.planEntries} entries), ${c.activations} activations`;
}

function kindLine(name: string, k: KindChanges): string {
  return `  ${name.padEnd(13)} +${k.added} added, -${k.removed} removed, ~${k.changed} changed`;
}

/** The import report for people: one line per bad line, or what was (or would be) stored. */
export function formatImportReport(report: ImportReport, file: string): string[] {
  const lines: string[] = [];
  if (!report.valid) {
    for (const e of report.errors) lines.push(`line ${e.line}, ${e.field}: ${e.reason}`);
    if (report.errorCount > report.errors.length) {
      lines.push(`… and ${report.errorCount - report.errors.length} more bad lines`);
    }
    return lines;
  }
  if (report.unchanged) {
    lines.push(
      `unchanged: ${file} says exactly what tariff version ${report.baseVersion ?? '?'} says; nothing stored`,
    );
  } else if (report.dryRun) {
    lines.push(`dry run: ${file} is valid (${report.recordCount} records); nothing stored`);
  } else {
    lines.push(
      `stored tariff version ${report.version ?? '?'} from ${file} (${report.recordCount} records)`,
    );
  }
  if (report.counts !== null) lines.push(`  ${countsLine(report.counts)}`);
  const changes = report.changes;
  if (changes !== null && !report.unchanged) {
    lines.push(
      report.baseVersion === null
        ? `${report.dryRun ? 'would add' : 'added'} (no tariff before):`
        : `${report.dryRun ? 'would change' : 'changed'} against version ${report.baseVersion}:`,
    );
    lines.push(
      `  ${'settings'.padEnd(13)} ${changes.settings.length === 0 ? 'none' : changes.settings.join(', ')}`,
    );
    lines.push(kindLine('destinations', changes.destinations));
    lines.push(kindLine('prefixes', changes.prefixes));
    lines.push(kindLine('rates', changes.rates));
    lines.push(kindLine('timings', changes.timings));
    lines.push(kindLine('plan entries', changes.planEntries));
    lines.push(kindLine('activations', changes.activations));
  }
  return lines;
}

function priceJson(p: PriceAnswer): Record<string, unknown> {
  return {
    service: p.service,
    e164: p.e164,
    prefix: p.prefix,
    destination_id: p.destinationId,
    destination_name: p.destinationName,
    plan_id: p.planId,
    timing_id: p.timingId,
    rate_id: p.rate.id,
    rate_description: p.rateDescription,
    seconds: p.seconds,
    billed_seconds: p.billedSeconds,
    cost_minor: jsonInteger(p.costMinor),
    currency: p.currency,
    tariff_version: p.tariffVersion,
  };
}

const DATE_ONLY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/**
 * A period bound: a date (midnight Korean time, as on statements) or an ISO 8601 time with an
 * offset. Periods are half-open: `--from` is included, `--to` is not.
 */
function instantOption(tools: CliTools, name: string, value: string): bigint {
  const ms = parseIsoInstant(DATE_ONLY.test(value) ? `${value}T00:00:00+09:00` : value);
  if (ms === null) {
    throw tools.failure(
      `--${name} must be a date like 2026-03-01 (midnight Korean time) or an ISO 8601 time with an offset like 2026-03-01T00:00:00Z`,
    );
  }
  return ms;
}

function limitArg(value: string): number {
  if (!/^[0-9]{1,4}$/.test(value)) {
    throw new InvalidArgumentError(`a whole number from 1 to ${limits.pageSizeMax}`);
  }
  const n = Number.parseInt(value, 10);
  if (n < 1 || n > limits.pageSizeMax) {
    throw new InvalidArgumentError(`a whole number from 1 to ${limits.pageSizeMax}`);
  }
  return n;
}

function usageJson(r: UsageRecord): Record<string, unknown> {
  return {
    session_id: r.sessionId,
    kind: r.kind,
    service: r.service,
    card_id: r.cardId,
    origin: r.origin,
    client_session_id: r.clientSessionId,
    state: r.state,
    end_reason: r.endReason,
    started_at: isoFromMs(r.startedAtMs),
    ended_at: r.endedAtMs === null ? null : isoFromMs(r.endedAtMs),
    called: r.called,
    e164: r.e164,
    prefix: r.prefix,
    destination_id: r.destinationId,
    destination_name: r.destinationName,
    rate_id: r.rateId,
    tariff_version: r.tariffVersion,
    rate_description: r.rateDescription,
    used_seconds: r.usedSeconds,
    billed_seconds: r.billedSeconds,
    cost_minor: jsonInteger(r.costMinor),
    collected_minor: jsonInteger(r.collectedMinor),
    uncollected_minor: jsonInteger(r.uncollectedMinor),
    refunded_minor: jsonInteger(r.refundedMinor),
    reserved_minor: jsonInteger(r.reservedMinor),
    balance_before_minor: jsonInteger(r.balanceBeforeMinor),
    balance_after_minor: r.balanceAfterMinor === null ? null : jsonInteger(r.balanceAfterMinor),
    currency: r.currency,
  };
}

/** One record on one line, for people. */
export function usageLine(r: UsageRecord): string {
  const money = (v: bigint): string => formatMoney(v, r.currency);
  const where =
    r.e164 === ''
      ? r.destinationName
      : `${r.called} → +${r.e164} ${r.destinationName} (${r.destinationId}, prefix ${r.prefix === '' ? '*any' : r.prefix})`;
  const unit = r.service === 'sms' || r.service === 'content' ? 'units' : 's';
  const extra = [
    r.uncollectedMinor > 0n ? `uncollected ${money(r.uncollectedMinor)}` : '',
    r.refundedMinor > 0n ? `refunded ${money(r.refundedMinor)}` : '',
    r.state === 'open' ? `held ${money(r.reservedMinor)}` : '',
  ].filter((p) => p !== '');
  return [
    isoFromMs(r.startedAtMs),
    r.sessionId,
    r.service,
    where,
    `${r.usedSeconds} ${unit} (billed ${r.billedSeconds})`,
    money(r.costMinor) + (extra.length > 0 ? ` (${extra.join(', ')})` : ''),
    r.endReason === null ? r.state : `${r.state}:${r.endReason}`,
    `balance ${money(r.balanceBeforeMinor)} → ${r.balanceAfterMinor === null ? '…' : money(r.balanceAfterMinor)}`,
  ].join('  ');
}

/** The export's totals, one line per service and currency, in minor units. */
export function totalsLines(totals: readonly UsageTotals[]): string[] {
  return totals.map(
    (t) =>
      `  ${t.service.padEnd(10)} ${t.currency}  ${t.records} records, ${t.usedSeconds} used, ${t.billedSeconds} billed; cost ${t.costMinor}, collected ${t.collectedMinor}, uncollected ${t.uncollectedMinor}, refunded ${t.refundedMinor}`,
  );
}

function addUsageCommands(program: Command, tools: CliTools): void {
  const usage = program
    .command('usage')
    .description('usage records of calls, voicemail, messages and content (one per session)');
  usage
    .command('list')
    .description('a card’s usage records, newest first')
    .requiredOption('--card <serial|id>', 'the card, by serial or by id')
    .option('--from <date>', 'started at or after (2026-03-01 = midnight KST, or ISO 8601)')
    .option('--to <date>', 'started before (2026-04-01 = midnight KST, or ISO 8601)')
    .option('--service <service>', SERVICES.join(' | '))
    .option('--kind <kind>', USAGE_KINDS.join(' | '))
    .option('--limit <n>', `records per page, 1 to ${limits.pageSizeMax}`, limitArg, 50)
    .option('--cursor <session id>', 'the next page: the id the previous page ended with')
    .option('--json', 'print the page as JSON')
    .action(
      async (o: {
        card: string;
        from?: string;
        to?: string;
        service?: string;
        kind?: string;
        limit: number;
        cursor?: string;
        json?: boolean;
      }) => {
        const fromMs = o.from === undefined ? undefined : instantOption(tools, 'from', o.from);
        const toMs = o.to === undefined ? undefined : instantOption(tools, 'to', o.to);
        await tools.withApp(async (app) => {
          const serial = normalizeSerial(o.card);
          const card = await getCard(
            app.cards,
            app.db.kysely,
            serial === null ? { id: o.card } : { serial },
          );
          if (!card.ok) throw tools.failure(describeError(card.error));
          const page = await listUsage(app.charging, {
            cardId: card.value.id,
            limit: o.limit,
            ...(fromMs !== undefined ? { fromMs } : {}),
            ...(toMs !== undefined ? { toMs } : {}),
            ...(o.service !== undefined ? { services: [o.service] } : {}),
            ...(o.kind !== undefined ? { kinds: [o.kind] } : {}),
            ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
          });
          if (!page.ok) throw tools.failure(describeError(page.error));
          const { records, nextCursor } = page.value;
          if (o.json === true) {
            console.log(
              JSON.stringify({
                card_id: card.value.id,
                data: records.map(usageJson),
                next_cursor: nextCursor,
              }),
            );
            return;
          }
          if (records.length === 0) console.log(`no usage records for card ${card.value.serial}`);
          for (const r of records) console.log(usageLine(r));
          if (nextCursor !== null) console.log(`more: --cursor ${nextCursor}`);
        });
      },
    );

  usage
    .command('export')
    .description(
      'settlement file: every session and event that ended in [from, to), as CSV (see docs/usage-records.md)',
    )
    .requiredOption('--from <date>', 'ended at or after (2026-03-01 = midnight KST, or ISO 8601)')
    .requiredOption('--to <date>', 'ended before (2026-04-01 = midnight KST, or ISO 8601)')
    .option('--out <file>', 'write the CSV here (a new file); default: standard output')
    .action(async (o: { from: string; to: string; out?: string }) => {
      const fromMs = instantOption(tools, 'from', o.from);
      const toMs = instantOption(tools, 'to', o.to);
      await tools.withApp(async (app) => {
        const period = `${isoFromMs(fromMs)} to ${isoFromMs(toMs)}`;
        if (o.out === undefined) {
          const done = await exportUsageCsv(app.charging, {
            fromMs,
            toMs,
            write: async (chunk) => {
              if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
            },
          });
          if (!done.ok) throw tools.failure(describeError(done.error));
          // The file is on standard output: the summary goes to standard error.
          console.error(`${done.value.records} usage records ended from ${period}`);
          for (const line of totalsLines(done.value.totals)) console.error(line);
          return;
        }
        const out = o.out;
        let file;
        try {
          file = await open(out, 'wx', 0o600);
        } catch (error) {
          if (error instanceof Error && 'code' in error) {
            throw tools.failure(
              error.code === 'EEXIST'
                ? `${out} exists: an export never overwrites a file`
                : `cannot write ${out}: ${String(error.code)}`,
            );
          }
          throw error;
        }
        let done;
        try {
          done = await exportUsageCsv(app.charging, {
            fromMs,
            toMs,
            write: async (chunk) => {
              await file.write(chunk);
            },
          });
        } catch (error) {
          // No half-written settlement file is left behind.
          await file.close();
          rmSync(out, { force: true });
          throw error;
        }
        await file.close();
        if (!done.ok) {
          rmSync(out, { force: true });
          throw tools.failure(describeError(done.error));
        }
        console.log(`wrote ${done.value.records} usage records ended from ${period} to ${out}`);
        for (const line of totalsLines(done.value.totals)) console.log(line);
      });
    });
}

export function addChargingCommands(program: Command, tools: CliTools): void {
  addUsageCommands(program, tools);
  const tariffs = program
    .command('tariffs')
    .description('telecom tariffs: destinations, rates, timings, rating plans');
  tariffs
    .command('import')
    .description(
      'import a tariff file (combined CSV, see docs/charging.md); any bad line stores nothing',
    )
    .argument('<file>', 'the tariff CSV')
    .option('--dry-run', 'validate and report what would change; store nothing')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { dryRun?: boolean; json?: boolean }) => {
      let text: string;
      try {
        if (statSync(file).size > CHARGING_LIMITS.importBytesMax) {
          throw tools.failure(`${file} is larger than ${CHARGING_LIMITS.importBytesMax} bytes`);
        }
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if (error instanceof Error && 'code' in error) {
          throw tools.failure(`cannot read ${file}: ${String(error.code)}`);
        }
        throw error;
      }
      await tools.withApp(async (app) => {
        const report = await importTariff(chargingOf(app), {
          text,
          sourceName: basename(file),
          dryRun: o.dryRun === true,
        });
        if (o.json === true) {
          console.log(
            JSON.stringify({
              valid: report.valid,
              dry_run: report.dryRun,
              stored: report.stored,
              version: report.version,
              base_version: report.baseVersion,
              unchanged: report.unchanged,
              record_count: report.recordCount,
              error_count: report.errorCount,
              errors: report.errors,
              counts: report.counts,
              changes: report.changes,
            }),
          );
        } else {
          for (const line of formatImportReport(report, basename(file))) console.log(line);
        }
        if (!report.valid) {
          throw tools.failure(
            describeError({
              code: 'tariff_invalid',
              param: 'file',
              detail: `${report.errorCount} bad line${report.errorCount === 1 ? '' : 's'} in ${basename(file)}`,
            }),
          );
        }
      });
    });

  tariffs
    .command('show')
    .description('show the tariff in force: settings, plans by service, rates and timings')
    .option('--at <iso>', 'which plans are in force at this time (default now)')
    .action(async (o: { at?: string }) => {
      await tools.withApp(async (app) => {
        const atMs = atOption(tools, o.at, app);
        const tariff = await currentTariff(chargingOf(app));
        if (tariff === null) {
          console.log('no tariff imported yet (onepin tariffs import <file>)');
          return;
        }
        const info = await tariffVersionInfo(app.db.kysely, tariff.version);
        console.log(
          `tariff version ${tariff.version}${info === null ? '' : ` from ${info.sourceName}, imported ${isoFromMs(info.importedAtMs)}, sha256 ${info.sourceSha256.slice(0, 12)}…`}`,
        );
        const n = tariff.numbering;
        console.log(
          `currency ${tariff.currency}, time zone ${tariff.timeZone}; numbering: country code ${n.countryCode}, national prefix ${n.nationalPrefix === '' ? '-' : n.nationalPrefix}, international ${[...n.internationalPrefixes, '+'].filter((p, i, all) => all.indexOf(p) === i).join(' ')}`,
        );
        console.log(`plans in force at ${isoFromMs(atMs)}:`);
        for (const service of SERVICES) {
          const active = planInForce(tariff, service, atMs);
          console.log(
            `  ${service.padEnd(10)} ${active === null ? '-' : `${active.planId} (since ${isoFromMs(active.activatesAtMs)})`}`,
          );
        }
        console.log('activations:');
        for (const service of SERVICES) {
          for (const a of tariff.activationsByService.get(service) ?? []) {
            console.log(`  ${service.padEnd(10)} ${isoFromMs(a.activatesAtMs)}  ${a.planId}`);
          }
        }
        console.log('rates:');
        for (const r of [...tariff.rates].sort((a, b) => (a.id < b.id ? -1 : 1))) {
          console.log(`  ${r.id.padEnd(20)} ${describeRate(r, tariff.currency)}`);
        }
        console.log('timings:');
        for (const t of [...tariff.timings].sort((a, b) => (a.id < b.id ? -1 : 1))) {
          console.log(`  ${t.id.padEnd(20)} ${describeTiming(t)}`);
        }
        console.log(`destinations: ${tariff.destinations.length} (${tariff.index.size} prefixes)`);
      });
    });

  program
    .command('price')
    .description(
      'price enquiry: what would <seconds> to <number> cost (no balance, no reservation)',
    )
    .argument('<number>', 'as dialled: 010-1234-5678, 0015 1 212 555 0100, +86 138…')
    .argument('<seconds>', 'call duration (units for sms and content)', secondsArg)
    .option('--service <service>', SERVICES.join(' | '), 'call')
    .option('--at <iso>', 'when the call starts (default now)')
    .option('--json', 'print the answer as JSON')
    .action(
      async (
        number: string,
        seconds: number,
        o: { service: string; at?: string; json?: boolean },
      ) => {
        if (!isService(o.service))
          throw tools.failure(`--service is one of ${SERVICES.join(', ')}`);
        const service = o.service;
        await tools.withApp(async (app) => {
          const atMs = atOption(tools, o.at, app);
          const answer = await priceEnquiry(chargingOf(app), { service, number, seconds, atMs });
          if (!answer.ok) throw tools.failure(describeError(answer.error));
          const p = answer.value;
          if (o.json === true) {
            console.log(JSON.stringify(priceJson(p)));
            return;
          }
          console.log(
            `+${p.e164} → ${p.destinationId} "${p.destinationName}" (prefix ${p.prefix === '' ? '*any' : p.prefix})`,
          );
          console.log(`plan ${p.planId}, timing ${p.timingId}, tariff version ${p.tariffVersion}`);
          console.log(`rate ${p.rate.id}: ${p.rateDescription}`);
          console.log(
            `${p.seconds} s → billed ${p.billedSeconds} s → ${formatMoney(p.costMinor, p.currency)}`,
          );
        });
      },
    );
}
