import { InvalidArgumentError, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { describeError, formatMoney, isCurrency, type Currency } from '../kernel/index.ts';
import { getAssociate } from '../payments/index.ts';
import {
  CYCLES,
  RUN_STATES,
  SERVICE_TYPES,
  createPayoutBatch,
  getProfile,
  getRun,
  isCycle,
  listRuns,
  localDate,
  localMidnight,
  maskAccount,
  markPaid,
  payoutFileOf,
  reconcile,
  runJson,
  runLines,
  runSettlement,
  setCommission,
  setProfile,
  statementCsv,
  statementPdf,
  type Cycle,
  type PlannedTransfer,
  type RunState,
  type SettlementContext,
  type SettlementProfile,
  type SettlementRun,
} from '../settlement/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

function settlementOf(app: App): SettlementContext {
  return { db: app.db, ledger: app.ledger, clock: app.clock, payments: app.payments };
}

function cycleArg(value: string): Cycle {
  if (!isCycle(value)) throw new InvalidArgumentError(`one of ${CYCLES.join(', ')}`);
  return value;
}

/** `YYYY-MM-DD`: local midnight in Seoul starting that date. */
function dateArg(value: string): bigint {
  const ms = localMidnight(value);
  if (ms === null) throw new InvalidArgumentError('a date like 2026-01-12 (Asia/Seoul)');
  return ms;
}

function currencyArg(value: string): Currency {
  const upper = value.toUpperCase();
  if (!isCurrency(upper)) throw new InvalidArgumentError('a currency such as KRW');
  return upper;
}

function bpsArg(value: string): bigint {
  if (!/^[0-9]{1,5}$/.test(value) || BigInt(value) > 10_000n) {
    throw new InvalidArgumentError('basis points from 0 to 10000 (300 = 3%)');
  }
  return BigInt(value);
}

function stateArg(value: string): RunState {
  if (!(RUN_STATES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`one of ${RUN_STATES.join(', ')}`);
  return value as RunState;
}

function money(amount: bigint | null, run: SettlementRun): string {
  return amount === null ? '-' : formatMoney(amount, run.currency);
}

function runLine(run: SettlementRun): string {
  return [
    run.id,
    `${localDate(run.periodStartMs)}..${localDate(run.periodEndMs - 1n)}`,
    run.livemode ? '' : 'TEST',
    run.state,
    `${run.lineCount} line(s)`,
    `gross ${money(run.grossMinor, run)}`,
    `fee ${money(run.feeMinor, run)}`,
    `net ${money(run.netMinor, run)}`,
    `payout ${money(run.payoutMinor, run)}`,
    run.carryOutMinor !== null && run.carryOutMinor !== 0n
      ? `carried ${money(run.carryOutMinor, run)}`
      : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}

function transferLine(t: PlannedTransfer, verb: string): string {
  return `    ${verb} ${t.code} ${formatMoney(t.amountMinor, t.currency)}: ${t.debitAccountId} -> ${t.creditAccountId} (${t.id})`;
}

function showProfile(p: SettlementProfile): string {
  const rates = Object.entries(p.commissions)
    .map(([type, bps]) => `${type} ${String(bps)} bps`)
    .join(', ');
  const bank =
    p.bankAccount === null
      ? 'none (payouts wait in the payout file until one is set)'
      : `bank ${p.bankAccount.bankCode}, account ${maskAccount(p.bankAccount.accountNumber)}, ${p.bankAccount.holder}`;
  return [
    `${p.associateId}: settled ${p.cycle}`,
    `  paid to: ${bank}`,
    `  commission by service type: ${rates === '' ? "none (the associate's own rate)" : rates}`,
  ].join('\n');
}

export function addSettlementCommands(program: Command, tools: CliTools): void {
  const settlement = program
    .command('settlement')
    .description('associate settlement: runs, statements, payout files, reconciliation');

  settlement
    .command('run')
    .description('settle the cycles that ended (idempotent; resumes an interrupted run)')
    .requiredOption(
      '--cycle <cycle>',
      'daily | weekly: settle the associates on this cycle',
      cycleArg,
    )
    .option(
      '--until <date>',
      'settle cycles ended by 00:00 of this date in Seoul (default: now)',
      dateArg,
    )
    .option('--associate <id>', 'only this associate')
    .option('--simulate', 'show what would happen; write nothing')
    .option('--test-mode', 'settle test-mode payments instead of live ones')
    .option('--json', 'print the runs as JSON')
    .action(
      async (o: {
        cycle: Cycle;
        until?: bigint;
        associate?: string;
        simulate?: boolean;
        testMode?: boolean;
        json?: boolean;
      }) => {
        await tools.withApp(async (app) => {
          const report = await runSettlement(settlementOf(app), {
            cycle: o.cycle,
            ...(o.until !== undefined ? { untilMs: o.until } : {}),
            ...(o.associate !== undefined ? { associateId: o.associate } : {}),
            livemode: o.testMode !== true,
            simulate: o.simulate === true,
          });
          if (!report.ok) throw tools.failure(describeError(report.error));
          const r = report.value;
          if (o.json === true) {
            console.log(
              JSON.stringify({
                simulated: r.simulated,
                runs: r.runs.map((x) => ({ ...runJson(x.run), how: x.how })),
                problems: r.problems.map((p) => ({ account: p.accountId, ...p.error })),
              }),
            );
          } else {
            const verb = r.simulated ? 'would book' : 'booked';
            for (const x of r.runs) {
              console.log(`${runLine(x.run)}${x.how === 'resumed' ? '  (resumed)' : ''}`);
              for (const t of x.transfers) console.log(transferLine(t, verb));
            }
            if (r.runs.length === 0) console.log('nothing to settle');
            if (r.simulated) console.log('simulated: nothing was written');
          }
          if (r.problems.length > 0) {
            for (const p of r.problems) console.error(`${p.accountId}: ${describeError(p.error)}`);
            throw tools.failure(`${r.problems.length} account(s) could not be settled`);
          }
        });
      },
    );

  settlement
    .command('list')
    .description('settlement runs, newest cycle first')
    .option('--associate <id>', 'only this associate')
    .option('--state <state>', RUN_STATES.join(' | '), stateArg)
    .option('--limit <n>', 'at most this many (default 50)', '50')
    .action(async (o: { associate?: string; state?: RunState; limit: string }) => {
      if (!/^[0-9]{1,4}$/.test(o.limit)) throw tools.failure('--limit is 1 to 1000');
      await tools.withApp(async (app) => {
        const runs = await listRuns(app.db.kysely, {
          ...(o.associate !== undefined ? { associateId: o.associate } : {}),
          ...(o.state !== undefined ? { state: o.state } : {}),
          limit: Number(o.limit),
        });
        if (runs.length === 0) console.log('no settlement runs');
        for (const run of runs) console.log(runLine(run));
      });
    });

  settlement
    .command('show')
    .description('one run with its lines')
    .argument('<run>', 'stl_…')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await tools.withApp(async (app) => {
        const run = await getRun(app.db.kysely, id);
        if (run === undefined) throw tools.failure(`no settlement run ${id}`);
        if (o.json === true) {
          console.log(JSON.stringify(runJson(run)));
          return;
        }
        console.log(runLine(run));
        console.log(
          `  commission booked at capture ${money(run.bookedFeeMinor, run)}, adjustment ${money(run.adjustmentMinor, run)}, carried in ${money(run.carryInMinor, run)}`,
        );
        if (run.payoutBatchId !== null) console.log(`  payout file batch ${run.payoutBatchId}`);
        if (run.paidReference !== null) console.log(`  paid, bank reference ${run.paidReference}`);
        for (const l of await runLines(app.db.kysely, id)) {
          console.log(
            `  ${String(l.lineNo).padStart(4)} ${l.kind.padEnd(8)} ${l.paymentId} ${l.orderReference}  ${formatMoney(l.grossMinor, run.currency)}  fee ${formatMoney(l.feeMinor, run.currency)} (${l.commissionBps} bps)  net ${formatMoney(l.netMinor, run.currency)}`,
          );
        }
      });
    });

  settlement
    .command('statement')
    .description("write a run's statement for the associate (CSV or PDF)")
    .argument('<run>', 'stl_…')
    .option('--csv', 'RFC 4180 CSV')
    .option('--pdf', 'PDF (A4)')
    .requiredOption('--out <file>', 'where to write it')
    .option('--font <file>', 'a TrueType/OpenType font for the PDF (for Korean names)')
    .action(async (id: string, o: { csv?: boolean; pdf?: boolean; out: string; font?: string }) => {
      if ((o.csv === true) === (o.pdf === true)) throw tools.failure('give one of --csv or --pdf');
      await tools.withApp(async (app) => {
        const run = await getRun(app.db.kysely, id);
        if (run === undefined) throw tools.failure(`no settlement run ${id}`);
        const lines = await runLines(app.db.kysely, id);
        if (o.csv === true) {
          writeFileSync(o.out, statementCsv(run, lines));
        } else {
          const associate = await getAssociate(app.db.kysely, run.associateId);
          const profile =
            associate === undefined ? null : await getProfile(app.db.kysely, associate);
          writeFileSync(
            o.out,
            await statementPdf(
              run,
              lines,
              {
                associateId: run.associateId,
                associateName: associate?.name ?? '',
                bankAccount: run.payoutAccount ?? profile?.bankAccount ?? null,
              },
              o.font !== undefined ? { fontPath: o.font } : {},
            ),
          );
        }
        console.log(`statement of ${run.id} (${lines.length} line(s)) written to ${o.out}`);
      });
    });

  settlement
    .command('payout-file')
    .description('write the bank-transfer batch for booked runs and mark them exported')
    .option(
      '--until <date>',
      'runs of cycles ended by 00:00 of this date in Seoul (default: now)',
      dateArg,
    )
    .option('--out <file>', 'where to write the CSV (never overwritten)')
    .option('--currency <code>', 'one currency per file (default KRW)', currencyArg, 'KRW')
    .option('--test-mode', 'test-mode runs instead of live ones')
    .option('--simulate', 'print the file; mark nothing')
    .option('--batch <id>', 'write an earlier batch again (e.g. after a crash before the file)')
    .action(
      async (o: {
        until?: bigint;
        out?: string;
        currency: Currency;
        testMode?: boolean;
        simulate?: boolean;
        batch?: string;
      }) => {
        if (o.out === undefined && o.simulate !== true)
          throw tools.failure('--out is required (or --simulate to print the file)');
        const write = (csv: string): void => {
          if (o.out === undefined) return;
          try {
            writeFileSync(o.out, csv, { mode: 0o600, flag: 'wx' });
          } catch {
            throw tools.failure(`${o.out} already exists; a payout file is never overwritten`);
          }
        };
        await tools.withApp(async (app) => {
          const ctx = settlementOf(app);
          if (o.batch !== undefined) {
            const again = await payoutFileOf(ctx, o.batch);
            if (!again.ok) throw tools.failure(describeError(again.error));
            write(again.value.csv);
            console.log(
              `batch ${again.value.batch.id}: ${again.value.batch.items.length} transfer(s), ${formatMoney(again.value.batch.totalMinor, again.value.batch.currency)}, written to ${o.out ?? '-'}`,
            );
            return;
          }
          const report = await createPayoutBatch(ctx, {
            untilMs: o.until ?? app.clock.nowMs(),
            currency: o.currency,
            livemode: o.testMode !== true,
            simulate: o.simulate === true,
          });
          for (const s of report.skipped) console.error(`skipped ${s.run.id}: ${s.reason}`);
          if (report.batch === null) {
            console.log('no booked payouts to export');
            return;
          }
          const b = report.batch;
          for (const item of b.items) {
            console.log(
              `  ${item.run.id}  bank ${item.bankAccount.bankCode} ${maskAccount(item.bankAccount.accountNumber)}  ${formatMoney(item.run.payoutMinor ?? 0n, b.currency)}`,
            );
          }
          if (report.simulated) {
            process.stdout.write(report.csv);
            console.log(
              `simulated: ${b.items.length} transfer(s), ${formatMoney(b.totalMinor, b.currency)}; nothing was marked`,
            );
            return;
          }
          write(report.csv);
          console.log(
            `batch ${b.id}${b.livemode ? '' : ' (TEST)'}: ${b.items.length} transfer(s), ${formatMoney(b.totalMinor, b.currency)}, written to ${o.out ?? '-'}`,
          );
        });
      },
    );

  settlement
    .command('mark-paid')
    .description("record the bank's confirmation of a run's payout")
    .argument('<run>', 'stl_…')
    .requiredOption('--reference <ref>', "the bank's transfer reference")
    .action(async (id: string, o: { reference: string }) => {
      await tools.withApp(async (app) => {
        const paid = await markPaid(settlementOf(app), { runId: id, reference: o.reference });
        if (!paid.ok) throw tools.failure(describeError(paid.error));
        console.log(
          `${paid.value.id} paid (${money(paid.value.payoutMinor, paid.value)}), bank reference ${o.reference}`,
        );
      });
    });

  settlement
    .command('reconcile')
    .description('compare the runs (booked, exported, paid) with the ledger’s payout clearing')
    .option('--currency <code>', 'default KRW', currencyArg, 'KRW')
    .action(async (o: { currency: Currency }) => {
      await tools.withApp(async (app) => {
        const r = await reconcile(settlementOf(app), o.currency);
        const m = (v: bigint): string => formatMoney(v, r.currency);
        console.log(`runs: ${RUN_STATES.map((s) => `${s} ${r.runs[s]}`).join(', ')}`);
        console.log(
          `payouts booked ${m(r.bookedMinor)}: paid ${m(r.paidMinor)}, outstanding ${m(r.outstandingMinor)}`,
        );
        console.log(
          `ledger: ${r.ledgerPayoutCount} payout transfer(s) ${m(r.ledgerPayoutsMinor)}; payout clearing balance ${m(r.clearingBalanceMinor)}`,
        );
        if (r.differences.length > 0) {
          for (const d of r.differences) console.log(`difference: ${d}`);
          throw tools.failure(
            `${r.differences.length} difference(s) between the runs and the ledger`,
          );
        }
        console.log('reconcile: OK');
      });
    });

  const associates =
    program.commands.find((c) => c.name() === 'associates') ??
    program.command('associates').description('associates (merchants) that accept OnePIN');
  associates
    .command('set-commission')
    .description('commission for one service type of an associate (overrides its own rate)')
    .argument('<associate>', 'asc_…')
    .requiredOption('--service-type <type>', SERVICE_TYPES.join(' | '))
    .option('--bps <n>', 'basis points (300 = 3%)', bpsArg)
    .option('--clear', 'remove the override (back to the associate’s own rate)')
    .action(async (id: string, o: { serviceType: string; bps?: bigint; clear?: boolean }) => {
      if ((o.bps === undefined) === (o.clear !== true))
        throw tools.failure('give one of --bps or --clear');
      await tools.withApp(async (app) => {
        const set = await writeTransaction(app.db, (tx) =>
          setCommission(settlementOf(app), tx, {
            associateId: id,
            serviceType: o.serviceType,
            bps: o.bps ?? null,
          }),
        );
        if (!set.ok) throw tools.failure(describeError(set.error));
        console.log(showProfile(set.value));
      });
    });
  associates
    .command('set-settlement')
    .description("an associate's settlement cycle and the bank account it is paid to")
    .argument('<associate>', 'asc_…')
    .option('--cycle <cycle>', 'daily | weekly (default weekly)', cycleArg)
    .option('--bank-code <code>', 'three-digit bank code, e.g. 004')
    .option('--account-number <number>', 'digits and hyphens')
    .option('--account-holder <name>', 'as the bank knows it')
    .action(
      async (
        id: string,
        o: { cycle?: Cycle; bankCode?: string; accountNumber?: string; accountHolder?: string },
      ) => {
        await tools.withApp(async (app) => {
          const set = await writeTransaction(app.db, (tx) =>
            setProfile(settlementOf(app), tx, id, {
              ...(o.cycle !== undefined ? { cycle: o.cycle } : {}),
              ...(o.bankCode !== undefined ? { bankCode: o.bankCode } : {}),
              ...(o.accountNumber !== undefined ? { accountNumber: o.accountNumber } : {}),
              ...(o.accountHolder !== undefined ? { holder: o.accountHolder } : {}),
            }),
          );
          if (!set.ok) throw tools.failure(describeError(set.error));
          console.log(showProfile(set.value));
        });
      },
    );
}
