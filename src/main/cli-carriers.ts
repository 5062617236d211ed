import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  addCarrier,
  getCarrier,
  importBilling,
  listCarriers,
  newCarrierKey,
  parseBillingFile,
  parseSalesFile,
  provisionPins,
  reconciliationOf,
  reportSale,
  type BillingReport,
  type Carrier,
  type LineError,
} from '../carriers/index.ts';
import { describeError, formatMoney, isoFromMs, type Currency } from '../kernel/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

/** Sales and billing files larger than this are refused before they are read. */
const FILE_BYTES_MAX = 16 * 1024 * 1024;

function bps(value: string): bigint {
  if (!/^[0-9]{1,5}$/.test(value) || BigInt(value) > 10_000n) {
    throw new InvalidArgumentError('basis points from 0 to 10000 (500 = 5%)');
  }
  return BigInt(value);
}

function count(value: string): number {
  if (!/^[0-9]{1,6}$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InvalidArgumentError('a whole number from 1 to 100000');
  }
  return Number(value);
}

function readFile(tools: CliTools, file: string): string {
  try {
    if (statSync(file).size > FILE_BYTES_MAX) {
      throw tools.failure(`${file} is larger than ${FILE_BYTES_MAX} bytes`);
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error) {
      throw tools.failure(`cannot read ${file}: ${String(error.code)}`);
    }
    throw error;
  }
}

function showCarrier(c: Carrier): string {
  return `${c.id}  ${c.name}  ${c.currency}  commission ${c.commissionBps} bps  account ${c.accountId}  key ${c.keyId ?? '(none)'}`;
}

async function carrierOf(tools: CliTools, app: App, idOrName: string): Promise<Carrier> {
  const found = await getCarrier(app.carriers, idOrName);
  if (!found.ok) throw tools.failure(describeError(found.error));
  return found.value;
}

function lineReport(
  tools: CliTools,
  errors: readonly LineError[],
  file: string,
  code: 'carrier_billing_invalid' | 'parameter_invalid',
): never {
  for (const e of errors.slice(0, 50)) console.log(`line ${e.line}, ${e.field}: ${e.reason}`);
  if (errors.length > 50) console.log(`… and ${errors.length - 50} more bad lines`);
  throw tools.failure(
    `${describeError({ code, param: 'file' })}: ${errors.length} bad line${errors.length === 1 ? '' : 's'} in ${basename(file)}`,
  );
}

function printReconciliation(r: BillingReport, currency: Currency): void {
  const money = (m: bigint | null): string => (m === null ? '-' : formatMoney(m, currency));
  console.log(
    `reconciliation ${r.carrierId} ${r.period}${r.importId === null ? '' : ` (${r.importId})`}`,
  );
  for (const l of r.lines) {
    console.log(
      `  ${l.kind.padEnd(17)} ${(l.serial ?? 'TOTAL').padEnd(12)}  ours ${money(l.oursMinor).padStart(14)}  theirs ${money(l.theirsMinor).padStart(14)}  ${l.note}`,
    );
  }
  const counts = new Map<string, number>();
  for (const l of r.lines) counts.set(l.kind, (counts.get(l.kind) ?? 0) + 1);
  console.log(`  ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log(
    `remittance: gross ${money(r.grossMinor)} (matched lines) − commission ${money(r.commissionMinor)} = net ${money(r.netMinor)}`,
  );
  const booked =
    r.netMinor === 0n && r.commissionMinor === 0n
      ? 'nothing to book (no matched lines)'
      : `booked: ${r.netTransferId}, ${r.commissionTransferId}`;
  const what = {
    simulated: 'simulated: nothing was written',
    booked,
    replayed: 'already imported: nothing booked again',
  };
  console.log(what[r.outcome]);
}

/**
 * `onepin carriers …`: mobile carriers (FIG. 7–8), their PIN pools, sale reports from a file,
 * monthly billing files with reconciliation and remittance (docs/carriers.md).
 */
export function addCarrierCommands(program: Command, tools: CliTools): void {
  const carriers = program
    .command('carriers')
    .description('mobile carriers: PIN pools, sale reports, monthly billing and reconciliation');
  carriers
    .command('add')
    .description('add a carrier (opens its carrier_receivable account)')
    .requiredOption('--name <name>', 'the carrier’s name (unique)')
    .requiredOption('--commission-bps <n>', 'its commission on sales (500 = 5%)', bps)
    .option('--currency <code>', 'the currency of its sales', 'KRW')
    .action(async (options: { name: string; commissionBps: bigint; currency: string }) => {
      await tools.withApp(async (app) => {
        const added = await addCarrier(app.carriers, {
          name: options.name,
          currency: options.currency,
          commissionBps: options.commissionBps,
        });
        if (!added.ok) throw tools.failure(describeError(added.error));
        console.log(showCarrier(added.value));
      });
    });
  carriers
    .command('list')
    .description('list the carriers')
    .action(async () => {
      await tools.withApp(async (app) => {
        for (const c of await listCarriers(app.carriers)) console.log(showCarrier(c));
      });
    });
  carriers
    .command('key <carrier>')
    .description('make a new API key for the carrier’s sale reports (the old one stops working)')
    .action(async (idOrName: string) => {
      await tools.withApp(async (app) => {
        const c = await carrierOf(tools, app, idOrName);
        const key = await newCarrierKey(app.carriers, c.id);
        if (!key.ok) throw tools.failure(describeError(key.error));
        console.log(`key for ${c.name} (shown once; give it to the carrier over a safe channel):`);
        console.log(`key            ${key.value.key}`);
        console.log(`signing secret ${key.value.signingSecret}`);
      });
    });
  carriers
    .command('provision <carrier>')
    .description('issue a PIN pool to the carrier: consigned, without value until sold')
    .requiredOption('--denomination <id>', 'the denomination (den_krw_10000, …)')
    .requiredOption('--count <n>', 'how many PINs', count)
    .action(async (idOrName: string, options: { denomination: string; count: number }) => {
      await tools.withApp(async (app) => {
        const c = await carrierOf(tools, app, idOrName);
        const p = await provisionPins(app.carriers, {
          carrierId: c.id,
          denominationId: options.denomination,
          count: options.count,
        });
        if (!p.ok) throw tools.failure(describeError(p.error));
        console.log(
          `provisioned ${p.value.count} PINs to ${c.name}: serials ${p.value.serialFirst}–${p.value.serialLast} (consigned, no value)`,
        );
      });
    });

  carriers
    .command('sales')
    .description('sale reports from a file')
    .command('import <carrier> <file>')
    .description(
      'report the sales of a CSV file (report_id,serial,phone,price_minor,sold_at): each loads its card and texts the PIN',
    )
    .option('--dry-run', 'check the file and show what would be reported; change nothing')
    .action(async (idOrName: string, file: string, options: { dryRun?: boolean }) => {
      const text = readFile(tools, file);
      await tools.withApp(async (app) => {
        const c = await carrierOf(tools, app, idOrName);
        const parsed = parseSalesFile(text);
        if (parsed.errors.length > 0) lineReport(tools, parsed.errors, file, 'parameter_invalid');
        if (options.dryRun === true) {
          for (const l of parsed.lines)
            console.log(
              `line ${l.line}: ${l.reportId} serial ${l.serial} → ${l.phone} ${l.priceMinor} at ${isoFromMs(l.soldAtMs)}`,
            );
          console.log(`dry run: ${parsed.lines.length} sales would be reported; nothing changed`);
          return;
        }
        let loaded = 0;
        let replayed = 0;
        let refused = 0;
        for (const l of parsed.lines) {
          const r = await reportSale(app.carriers, {
            carrierId: c.id,
            reportId: l.reportId,
            serial: l.serial,
            phone: l.phone,
            priceMinor: l.priceMinor,
            soldAtMs: l.soldAtMs,
          });
          if (!r.ok) {
            refused += 1;
            console.log(`line ${l.line}: ${l.reportId} refused: ${describeError(r.error)}`);
          } else if (r.value.replayed) {
            replayed += 1;
            console.log(
              `line ${l.line}: ${l.reportId} already reported (${r.value.id}): nothing new`,
            );
          } else {
            loaded += 1;
            console.log(
              `line ${l.line}: ${l.reportId} loaded ${r.value.serial}, PIN SMS ${r.value.smsId ?? '-'}`,
            );
          }
        }
        console.log(`${loaded} loaded, ${replayed} already reported, ${refused} refused`);
        if (refused > 0) throw tools.failure(`${refused} sale${refused === 1 ? '' : 's'} refused`);
      });
    });

  carriers
    .command('billing')
    .description('monthly billing files')
    .command('import <carrier> <file>')
    .description(
      'import the carrier’s billing file (serial,sold_at,amount_minor … TOTAL,<count>,<amount>), reconcile it and book the remittance net of commission',
    )
    .requiredOption('--period <YYYY-MM>', 'the billing month (UTC)')
    .option('--simulate', 'show the reconciliation and the remittance; write nothing')
    .action(
      async (idOrName: string, file: string, options: { period: string; simulate?: boolean }) => {
        const text = readFile(tools, file);
        await tools.withApp(async (app) => {
          const c = await carrierOf(tools, app, idOrName);
          const parsed = parseBillingFile(text);
          if (parsed.errors.length > 0)
            lineReport(tools, parsed.errors, file, 'carrier_billing_invalid');
          const r = await importBilling(app.carriers, {
            carrierId: c.id,
            period: options.period,
            fileName: basename(file),
            text,
            simulate: options.simulate === true,
          });
          if (!r.ok) throw tools.failure(describeError(r.error));
          printReconciliation(r.value, c.currency);
        });
      },
    );

  carriers
    .command('reconciliation')
    .description('stored reconciliations')
    .command('show <carrier> <period>')
    .description('show the reconciliation of a billing month (YYYY-MM)')
    .action(async (idOrName: string, period: string) => {
      await tools.withApp(async (app) => {
        const c = await carrierOf(tools, app, idOrName);
        const r = await reconciliationOf(app.carriers, { carrierId: c.id, period });
        if (!r.ok) throw tools.failure(describeError(r.error));
        printReconciliation({ ...r.value, outcome: 'replayed' }, c.currency);
      });
    });
}
