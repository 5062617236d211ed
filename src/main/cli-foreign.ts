import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  LOW_STOCK_MAX,
  MARGIN_BPS_MAX,
  addProvider,
  getProvider,
  importPins,
  importRates,
  listProviders,
  listRates,
  parseInstant,
  parseMajorAmount,
  releaseStaleSwitches,
  setProviderState,
  setRate,
  setStockThreshold,
  settleProvider,
  stockReport,
  voidPoolPin,
  type LineError,
  type Provider,
} from '../foreign/index.ts';
import { describeError, formatMoney, isoFromMs } from '../kernel/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

/** PIN and rate files larger than this are refused before they are read. */
const FILE_BYTES_MAX = 16 * 1024 * 1024;

function count(name: string, max: bigint) {
  return (value: string): bigint => {
    if (!/^[0-9]{1,9}$/.test(value) || BigInt(value) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
    }
    return BigInt(value);
  };
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

function showProvider(p: Provider): string {
  return `${p.id}  ${p.name}  ${p.currency}  ${p.state}  contact ${p.contactEmail}  low stock < ${p.lowStockDefault}  margin ${p.marginBps} bps`;
}

/** One line per bad line of a file, then a failure naming the count. */
function refuseFile(
  tools: CliTools,
  errors: readonly LineError[],
  total: number,
  file: string,
  code: 'foreign_pins_invalid' | 'fx_rate_invalid',
): never {
  for (const e of errors) console.log(`line ${e.line}, ${e.field}: ${e.reason}`);
  if (total > errors.length) console.log(`… and ${total - errors.length} more bad lines`);
  throw tools.failure(
    `${describeError({ code, param: 'file' })}: ${total} bad line${total === 1 ? '' : 's'} in ${basename(file)}`,
  );
}

async function providerOf(tools: CliTools, app: App, id: string): Promise<Provider> {
  const found = await getProvider(app.foreign, id);
  if (!found.ok) throw tools.failure(describeError(found.error));
  return found.value;
}

/**
 * `onepin foreign …`: foreign PIN providers, their pools, FX rates, provider settlement and
 * the recovery run for switches a crash interrupted (docs/foreign-exchange.md).
 */
export function addForeignCommands(program: Command, tools: CliTools): void {
  const foreign = program
    .command('foreign')
    .description('foreign PIN exchange: providers, PIN pools, FX rates, settlement');

  const providers = foreign.command('providers').description('foreign PIN providers');
  providers
    .command('add')
    .description('add a provider (opens its payable and inventory accounts in its currency)')
    .requiredOption('--name <name>', 'shown to holders')
    .requiredOption('--currency <code>', 'the currency of its PINs (USD, JPY, …)')
    .requiredOption('--contact <email>', 'the provider’s contact (low-stock alerts by default)')
    .option(
      '--low-stock <n>',
      'alert when fewer PINs of a value are left',
      count('--low-stock', LOW_STOCK_MAX),
      10n,
    )
    .option(
      '--margin-bps <n>',
      'our margin on the price (150 = 1.5%)',
      count('--margin-bps', MARGIN_BPS_MAX),
      0n,
    )
    .action(
      async (options: {
        name: string;
        currency: string;
        contact: string;
        lowStock: bigint;
        marginBps: bigint;
      }) => {
        await tools.withApp(async (app) => {
          const added = await addProvider(app.foreign, {
            name: options.name,
            currency: options.currency,
            contactEmail: options.contact,
            lowStockDefault: options.lowStock,
            marginBps: options.marginBps,
          });
          if (!added.ok) throw tools.failure(describeError(added.error));
          console.log(showProvider(added.value));
        });
      },
    );
  providers
    .command('list')
    .description('list the providers')
    .action(async () => {
      await tools.withApp(async (app) => {
        const all = await listProviders(app.foreign);
        if (all.length === 0) console.log('no providers (onepin foreign providers add …)');
        for (const p of all) console.log(showProvider(p));
      });
    });
  for (const [verb, state] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
  ] as const) {
    providers
      .command(`${verb} <provider>`)
      .description(verb === 'suspend' ? 'stop offering its PINs' : 'offer its PINs again')
      .action(async (id: string) => {
        await tools.withApp(async (app) => {
          const done = await setProviderState(app.foreign, id, state);
          if (!done.ok) throw tools.failure(describeError(done.error));
          console.log(showProvider(done.value));
        });
      });
  }
  providers
    .command('threshold <provider> <face_value> <count>')
    .description('the low-stock threshold of one value ("default" = the provider’s)')
    .action(async (id: string, faceText: string, countText: string) => {
      await tools.withApp(async (app) => {
        const provider = await providerOf(tools, app, id);
        const face = parseMajorAmount(faceText, provider.currency);
        if (face === null || face <= 0n) {
          throw tools.failure(`face_value must be a positive amount in ${provider.currency}`);
        }
        const threshold = countText === 'default' ? null : count('count', LOW_STOCK_MAX)(countText);
        const done = await setStockThreshold(app.foreign, {
          providerId: provider.id,
          faceValueMinor: face,
          threshold,
        });
        if (!done.ok) throw tools.failure(describeError(done.error));
        console.log(
          `${provider.name} ${formatMoney(face, provider.currency)}: low stock below ${threshold ?? `${provider.lowStockDefault} (default)`}`,
        );
      });
    });

  const pins = foreign.command('pins').description('the pool of a provider’s PINs');
  pins
    .command('import <provider> <file>')
    .description(
      'import a PIN file (CSV: pin,face_value[,cost]); any bad or duplicate line stores nothing',
    )
    .requiredOption('--by <name>', 'who imports (recorded)')
    .option('--dry-run', 'check and report; store nothing')
    .action(async (id: string, file: string, options: { by: string; dryRun?: boolean }) => {
      const text = readFile(tools, file);
      await tools.withApp(async (app) => {
        const provider = await providerOf(tools, app, id);
        const done = await importPins(app.foreign, {
          providerId: provider.id,
          text,
          fileName: basename(file),
          importedBy: options.by,
          dryRun: options.dryRun === true,
        });
        if (!done.ok) throw tools.failure(describeError(done.error));
        const r = done.value;
        if (!r.valid) refuseFile(tools, r.errors, r.errorCount, file, 'foreign_pins_invalid');
        const money = (m: bigint): string => formatMoney(m, provider.currency);
        console.log(
          r.dryRun
            ? `dry run: ${basename(file)} is valid (${r.pinCount} PINs); nothing stored`
            : `imported ${r.pinCount} PINs from ${basename(file)} as batch ${r.batchId ?? '?'}`,
        );
        for (const v of r.values) {
          console.log(`  ${money(v.faceValueMinor)}: ${v.count} PINs, cost ${money(v.costMinor)}`);
        }
        console.log(
          `${r.dryRun ? 'would owe' : 'owed to'} ${provider.name}: ${money(r.costTotalMinor)} (face ${money(r.faceTotalMinor)})${r.transferId === null ? '' : `, transfer ${r.transferId}`}`,
        );
      });
    });
  pins
    .command('void <pin_id>')
    .description('take an available PIN out of the pool (recalled or defective); owes less')
    .action(async (pinId: string) => {
      await tools.withApp(async (app) => {
        const done = await voidPoolPin(app.foreign, { pinId });
        if (!done.ok) throw tools.failure(describeError(done.error));
        console.log(`voided ${done.value.pinId}`);
      });
    });

  foreign
    .command('stock')
    .description('PINs per provider and value: available, reserved, sold, void; low-stock flags')
    .option('--provider <id>', 'one provider only')
    .action(async (options: { provider?: string }) => {
      await tools.withApp(async (app) => {
        const lines = await stockReport(app.foreign, options.provider);
        if (lines.length === 0) console.log('no PINs in any pool');
        for (const l of lines) {
          console.log(
            `${l.providerName.padEnd(20)} ${formatMoney(l.faceValueMinor, l.currency).padStart(14)}  available ${String(l.available).padStart(6)}  reserved ${l.reserved}  sold ${l.sold}  void ${l.void}  threshold ${l.threshold}${l.low ? '  LOW' : ''}`,
          );
        }
      });
    });

  const rates = foreign.command('rates').description('exchange rates (BASE/QUOTE: QUOTE per BASE)');
  rates
    .command('set <pair> <rate>')
    .description('set a rate by hand, e.g. USD/KRW 1385.27')
    .requiredOption('--by <name>', 'who sets it (recorded)')
    .option('--from <time>', 'in force from (ISO 8601 with offset); default now')
    .action(async (pair: string, rate: string, options: { by: string; from?: string }) => {
      await tools.withApp(async (app) => {
        let validFromMs: bigint | undefined;
        if (options.from !== undefined) {
          const ms = parseInstant(options.from);
          if (ms === null) throw tools.failure('--from must be an ISO 8601 time with an offset');
          validFromMs = ms;
        }
        const done = await setRate(app.foreign, {
          pair,
          rate,
          enteredBy: options.by,
          ...(validFromMs !== undefined ? { validFromMs } : {}),
        });
        if (!done.ok) throw tools.failure(describeError(done.error));
        const r = done.value;
        console.log(`${r.base}/${r.quote} ${r.text} in force from ${isoFromMs(r.validFromMs)}`);
      });
    });
  rates
    .command('import <file>')
    .description('import rates (CSV: pair,rate[,valid_from]); any bad line stores nothing')
    .requiredOption('--by <name>', 'who imports (recorded)')
    .option('--dry-run', 'check and report; store nothing')
    .action(async (file: string, options: { by: string; dryRun?: boolean }) => {
      const text = readFile(tools, file);
      await tools.withApp(async (app) => {
        const done = await importRates(app.foreign, {
          text,
          enteredBy: options.by,
          dryRun: options.dryRun === true,
        });
        if (!done.ok) throw tools.failure(describeError(done.error));
        const r = done.value;
        if (!r.valid) refuseFile(tools, r.errors, r.errorCount, file, 'fx_rate_invalid');
        console.log(
          r.dryRun
            ? `dry run: ${basename(file)} is valid (${r.rates.length} rates); nothing stored`
            : `imported ${r.stored} rates from ${basename(file)}`,
        );
      });
    });
  rates
    .command('list')
    .description('the latest rates, newest first')
    .action(async () => {
      await tools.withApp(async (app) => {
        const all = await listRates(app.foreign);
        if (all.length === 0) console.log('no rates (onepin foreign rates set …)');
        for (const r of all) {
          console.log(
            `${r.pair}  ${r.text}  ${r.source}  from ${isoFromMs(r.validFromMs)}  by ${r.enteredBy}`,
          );
        }
      });
    });

  foreign
    .command('settle <provider>')
    .description('pay a provider what we owe up to the end of a day (KST); once per period')
    .requiredOption('--until <date>', 'the last day of the period, YYYY-MM-DD')
    .option('--simulate', 'show what would be paid; write nothing')
    .action(async (id: string, options: { until: string; simulate?: boolean }) => {
      await tools.withApp(async (app) => {
        const done = await settleProvider(app.foreign, {
          providerId: id,
          until: options.until,
          simulate: options.simulate === true,
        });
        if (!done.ok) throw tools.failure(describeError(done.error));
        const r = done.value;
        const what = r.simulate ? 'would pay' : r.replayed ? 'already paid' : 'paid';
        console.log(
          `${r.settlementId}: ${what} ${r.providerName} ${formatMoney(r.amountMinor, r.currency)} for ${r.entryCount} payable lines until ${isoFromMs(r.periodEndMs)}${r.transferId === null ? ' (nothing owed)' : `, transfer ${r.transferId}`}`,
        );
      });
    });

  foreign
    .command('recover')
    .description('release switches whose hold ran out (after a crash) and expire old quotes')
    .option('--simulate', 'list what would be released; write nothing')
    .action(async (options: { simulate?: boolean }) => {
      await tools.withApp(async (app) => {
        const r = await releaseStaleSwitches(app.foreign, { simulate: options.simulate === true });
        for (const s of r.switches) {
          console.log(
            `${r.simulate ? 'would release' : 'released'} ${s.switchId}${s.pinId === null ? '' : ` (PIN ${s.pinId} back to the pool)`}`,
          );
        }
        console.log(
          `${r.switches.length} switches ${r.simulate ? 'to release' : 'released'}, ${r.quotesExpired} quotes ${r.simulate ? 'to expire' : 'expired'}`,
        );
      });
    });
}
