import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  CHARGING_LIMITS,
  SERVICES,
  createChargingContext,
  currentTariff,
  describeRate,
  describeTiming,
  importTariff,
  isService,
  parseIsoInstant,
  planInForce,
  priceEnquiry,
  tariffVersionInfo,
  type ImportReport,
  type KindChanges,
  type PriceAnswer,
  type TariffCounts,
} from '../charging/index.ts';
import { describeError, formatMoney, isoFromMs, jsonInteger } from '../kernel/index.ts';
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

export function addChargingCommands(program: Command, tools: CliTools): void {
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
