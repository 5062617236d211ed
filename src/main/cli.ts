import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_CATALOGUE,
  changeCardState,
  formatPin,
  getCard,
  issueCards,
  listDenominations,
  normalizeSerial,
  rekeyPass,
  type Card,
  upsertDenomination,
  type OperatorTransition,
} from '../cards/index.ts';
import { buildServer } from '../http/index.ts';
import { describeError, formatMoney, isoFromMs, limits } from '../kernel/index.ts';
import { ensureSystemAccounts, verifyLedger } from '../ledger/index.ts';
import { migrate, openDatabase, writeTransaction } from '../storage/index.ts';
import { openApp, type App } from './app.ts';
import { readConfig } from './config.ts';
import { seedDemo } from './demo.ts';
import { KeyFileError, addPinKey, loadKeys, writeKeyFile } from './keys-file.ts';
import { ALL_MIGRATIONS } from './migrations.ts';
import { sandboxProvider } from '../funding/index.ts';
import { addAgentCommands } from './cli-agents.ts';
import { addAssociateCommands } from './cli-associates.ts';
import { addChargingCommands } from './cli-charging.ts';
import { addCarrierCommands } from './cli-carriers.ts';
import { addForeignCommands } from './cli-foreign.ts';
import { addReportCommands } from './cli-reports.ts';
import { addSalesCommands } from './cli-sales.ts';
import { addSettlementCommands } from './cli-settlement.ts';
import { addVoicemailCommands } from './cli-voicemail.ts';

/** Bad arguments and refused operations end with one line on stderr and exit code 2. */
class CliFailure extends Error {}

function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number.parseInt(value, 10);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}`);
    return n;
  };
}

function serialArg(value: string): string {
  const serial = normalizeSerial(value);
  if (serial === null) throw new InvalidArgumentError('a serial is 1 to 12 digits');
  return serial;
}

async function withApp<T>(work: (app: App) => Promise<T>): Promise<T> {
  const config = readConfig();
  const keys = loadKeys(config);
  if (keys.generated) {
    console.error(
      `warning: generated a DEMO key file at ${keys.path}; production must supply its own with ONEPIN_KEY_FILE`,
    );
  }
  const app = await openApp({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    keys: keys.ring,
    paymentKeys: keys.payment,
    // Refund payouts approved here go to the same provider the server uses.
    funding: sandboxProvider({
      baseUrl: config.acquirerUrl ?? `http://127.0.0.1:${config.acquirerPort}`,
      apiKey: config.acquirerApiKey,
      webhookSecret: config.acquirerWebhookSecret,
    }),
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

function showCard(card: Card, balance?: string): string {
  const rows: [string, string][] = [
    ['serial', card.serial],
    ['id', card.id],
    ['PIN', `…${card.pinLast4}`],
    ['state', `${card.state} (${card.stateReason})`],
    ['face value', formatMoney(card.faceValueMinor, card.currency)],
    ['balance', balance ?? '-'],
    ['password set', card.hasPassword ? 'yes' : 'no'],
    ['failed attempts', String(card.failedAttempts)],
    [
      'expires',
      card.expiresAtMs === null
        ? card.validity.kind === 'days_after_first_use'
          ? 'after first use'
          : '-'
        : isoFromMs(card.expiresAtMs),
    ],
    [
      'sold',
      card.soldAtMs === null ? '-' : `${isoFromMs(card.soldAtMs)} via ${card.channel ?? '?'}`,
    ],
  ];
  return rows.map(([k, v]) => `${k.padEnd(16)} ${v}`).join('\n');
}

export function buildCli(): Command {
  const program = new Command('onepin')
    .description('OnePIN operator command line')
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') })
    // Set before the subcommands are added: they copy it, so every parse error is thrown to
    // runCli instead of exiting the process from deep inside commander.
    .exitOverride();

  const db = program.command('db').description('database tasks');
  db.command('migrate')
    .description('apply pending migrations')
    .action(async () => {
      const config = readConfig();
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
      });
      try {
        const report = await migrate(database, ALL_MIGRATIONS);
        console.log(
          report.applied.length === 0
            ? `up to date (${database.describe})`
            : `applied: ${report.applied.join(', ')}`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('demo')
    .description('demo data')
    .command('seed')
    .description('load the demo catalogue and demo cards (only into an empty database)')
    .action(async () => {
      const config = readConfig();
      await withApp(async (app) => {
        const result = await seedDemo(app, config.dataDir);
        if (result === null)
          throw new CliFailure(
            'the database already has cards; demo seed only runs on an empty one',
          );
        console.log(
          `seeded ${result.cards.length} demo cards; PINs and passwords are in ${result.file}`,
        );
      });
    });

  const catalogue = program.command('catalogue').description('the denomination catalogue');
  catalogue
    .command('list')
    .description('list denominations')
    .action(async () => {
      await withApp(async (app) => {
        const list = await listDenominations(app.db.kysely);
        if (list.length === 0)
          console.log('the catalogue is empty (run: onepin catalogue load-defaults)');
        for (const d of list) {
          const validity =
            d.validity.kind === 'fixed_date'
              ? `until ${isoFromMs(d.validity.untilMs)}`
              : `${d.validity.days} days ${d.validity.kind === 'days_after_sale' ? 'after sale' : 'after first use'}`;
          console.log(
            `${d.id.padEnd(18)} ${formatMoney(d.amountMinor, d.currency).padEnd(14)} ${d.design.padEnd(18)} ${validity}${d.onSale ? '' : ' (not on sale)'}`,
          );
        }
      });
    });
  catalogue
    .command('load-defaults')
    .description(
      'add the default denominations (5,000 to 100,000 won) and the KRW system accounts; no cards',
    )
    .action(async () => {
      await withApp(async (app) => {
        const nowMs = app.clock.nowMs();
        await writeTransaction(app.db, async (tx) => {
          await ensureSystemAccounts(app.ledger, tx, 'KRW', nowMs);
          for (const d of DEFAULT_CATALOGUE) await upsertDenomination(tx, d, nowMs);
        });
        console.log(
          `catalogue has ${(await listDenominations(app.db.kysely)).length} denominations`,
        );
      });
    });

  const cards = program.command('cards').description('card stock and card lifecycle');
  cards
    .command('issue')
    .description('issue new cards (no value until sold)')
    .requiredOption(
      '--denomination <amount-or-id>',
      'face value in won (e.g. 10000) or a denomination id',
    )
    .requiredOption(
      '--count <n>',
      `how many (1–${limits.issueCountMax})`,
      wholeNumber('--count', 1, limits.issueCountMax),
    )
    .option(
      '--pins-out <file>',
      'where to write serials and PINs (the print run); default: a new file under $ONEPIN_DATA_DIR/print-runs/',
    )
    .option('--test', 'issue test cards: they pay only test-mode payments')
    .action(
      async (options: {
        denomination: string;
        count: number;
        pinsOut?: string;
        test?: boolean;
      }) => {
        const config = readConfig();
        await withApp(async (app) => {
          const catalogue = await listDenominations(app.db.kysely);
          const d = catalogue.find(
            (x) =>
              x.id === options.denomination || x.amountMinor.toString() === options.denomination,
          );
          if (d === undefined) {
            throw new CliFailure(
              `no denomination ${options.denomination}; known: ${catalogue.map((x) => x.amountMinor.toString()).join(', ')} (run: onepin catalogue load-defaults)`,
            );
          }
          // The print run is the only place the PINs ever exist in the clear: written chunk by
          // chunk as each is committed, readable by the owner only, never overwritten.
          const stamp = isoFromMs(app.clock.nowMs()).replace(/[:.]/g, '-');
          const file =
            options.pinsOut ?? join(config.dataDir, 'print-runs', `print-run-${stamp}.csv`);
          mkdirSync(dirname(file), { recursive: true });
          try {
            writeFileSync(file, 'serial,pin,denomination,design\n', { mode: 0o600, flag: 'wx' });
          } catch {
            throw new CliFailure(`${file} already exists; a print run is never overwritten`);
          }
          const bar = new cliProgress.SingleBar(
            { format: 'issuing [{bar}] {value}/{total} cards', stream: process.stderr },
            cliProgress.Presets.shades_classic,
          );
          bar.start(options.count, 0);
          const result = await issueCards(app.cards, {
            denominationId: d.id,
            count: options.count,
            collect: false,
            livemode: options.test !== true,
            onChunk: (chunk) => {
              const lines = chunk.map(
                (c) => `${c.serial},${formatPin(c.pin)},${d.amountMinor},${d.design}\n`,
              );
              appendFileSync(file, lines.join(''));
            },
            onProgress: (done) => bar.update(done),
          });
          bar.stop();
          if (!result.ok) {
            rmSync(file, { force: true });
            throw new CliFailure(describeError(result.error));
          }
          console.log(
            `issued ${result.value.count} × ${formatMoney(d.amountMinor, d.currency)} cards, batch ${result.value.batchId}, serials ${result.value.serialFirst}–${result.value.serialLast}; PINs written to ${file}`,
          );
        });
      },
    );

  cards
    .command('show')
    .description('show one card')
    .requiredOption('--serial <serial>', 'the card serial', serialArg)
    .action(async (options: { serial: string }) => {
      await withApp(async (app) => {
        const found = await getCard(app.cards, app.db.kysely, { serial: options.serial });
        if (!found.ok) throw new CliFailure(describeError(found.error));
        const card = found.value;
        const account =
          card.accountId === null
            ? undefined
            : await app.ledger.getAccount(app.db.kysely, card.accountId);
        const balance =
          account === undefined
            ? formatMoney(0n, card.currency)
            : `${formatMoney(account.creditsPosted - account.debitsPosted - account.debitsPending, card.currency)} (held ${formatMoney(account.debitsPending, card.currency)})`;
        console.log(showCard(card, balance));
      });
    });

  const stateCommand = (name: string, transition: OperatorTransition, text: string): void => {
    cards
      .command(name)
      .description(text)
      .requiredOption('--serial <serial>', 'the card serial', serialArg)
      .addOption(
        new Option('--reason <text>', 'why (recorded with the change)').default(
          `${name} by operator (CLI)`,
        ),
      )
      .action(async (options: { serial: string; reason: string }) => {
        await withApp(async (app) => {
          const result = await changeCardState(app.cards, {
            serial: options.serial,
            transition,
            reason: options.reason,
          });
          if (!result.ok) throw new CliFailure(describeError(result.error));
          console.log(`card ${result.value.serial} is now ${result.value.state}`);
        });
      });
  };
  stateCommand('lock', 'lock_operator', 'lock a card');
  stateCommand('unlock', 'unlock', 'unlock a card and clear its failed attempts');
  stateCommand('suspend', 'suspend', 'suspend an active card');
  stateCommand('resume', 'resume', 'resume a suspended card');

  program
    .command('ledger')
    .description('the double-entry ledger')
    .command('verify')
    .description('recompute every account from the journal and check the books balance')
    .action(async () => {
      await withApp(async (app) => {
        const report = await verifyLedger(app.db);
        console.log(
          `accounts ${report.accounts}, transfers ${report.transfers}, journal lines ${report.journalLines}`,
        );
        for (const c of report.currencies) {
          console.log(
            `${c.currency}: posted debits ${c.debitsPosted} = credits ${c.creditsPosted}; pending debits ${c.debitsPending} = credits ${c.creditsPending}`,
          );
        }
        if (!report.ok) {
          for (const p of report.problems) console.error(`problem: ${p}`);
          throw new CliFailure(`ledger verify FAILED: ${report.problemCount} problem(s)`);
        }
        console.log('ledger verify: OK');
      });
    });

  program
    .command('keys')
    .description('secret keys')
    .command('rotate')
    .description('add a new PIN-hash key; re-key existing cards in the background pass')
    .action(async () => {
      const config = readConfig();
      const loaded = loadKeys(config);
      const ring = addPinKey(loaded.ring);
      if (ring.pinKeys.length > limits.pinKeysMax)
        throw new CliFailure(`the key file already holds ${limits.pinKeysMax} PIN keys`);
      writeKeyFile(loaded.path, ring);
      const current = ring.pinKeys.at(-1)?.id ?? '?';
      const app = await openApp({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        keys: ring,
        paymentKeys: loaded.payment,
      });
      try {
        let total = 0;
        for (let pass = 0; pass < 100_000; pass += 1) {
          const n = await rekeyPass(app.cards, 1_000);
          total += n;
          if (n === 0) break;
        }
        console.log(
          `new PIN key ${current} is current (key file ${loaded.path}); ${total} card(s) re-keyed`,
        );
      } finally {
        await app.close();
      }
    });

  program
    .command('openapi')
    .description('print the merchant API’s OpenAPI document (what /openapi.json serves)')
    .option('--out <file>', 'write it to a file instead of standard output')
    .action(async (options: { out?: string }) => {
      await withApp(async (app) => {
        // Built exactly as the server builds it, but never listening: this is the document
        // associates generate their API clients from.
        const server = await buildServer({
          db: app.db,
          payments: app.payments,
          cards: app.cards,
          charging: app.charging,
          logLevel: 'silent',
        });
        try {
          await server.ready();
          const text = `${JSON.stringify(server.swagger(), null, 2)}\n`;
          if (options.out === undefined) process.stdout.write(text);
          else writeFileSync(options.out, text);
        } finally {
          await server.close();
        }
      });
    });

  addAssociateCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addSalesCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addChargingCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addForeignCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addCarrierCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addVoicemailCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addSettlementCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addReportCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  addAgentCommands(program, { withApp, failure: (message) => new CliFailure(message) });
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliFailure || error instanceof KeyFileError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    const code = (error as { code?: unknown; exitCode?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exitCode = (error as { exitCode?: number }).exitCode ?? 2;
      return code === 'commander.helpDisplayed' ||
        code === 'commander.version' ||
        code === 'commander.help'
        ? 0
        : exitCode === 0
          ? 0
          : 2;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}` || process.env.ONEPIN_CLI_MAIN === '1') {
  process.exitCode = await runCli(process.argv.slice(2));
}
