// The settlement commands, driven in-process through a commander program built the way
// src/main/cli.ts builds it (addSettlementCommands is registered there).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command, CommanderError } from 'commander';
import { addSettlementCommands } from '../../src/main/cli-settlement.ts';
import { DATABASES } from '../support/databases.ts';
import { openSettlementWorld, type SettlementWorld } from './support.ts';

/** What cli.ts turns into `error: …` and exit code 2. */
class CliFailure extends Error {}

for (const target of DATABASES) {
  describe(`onepin settlement (${target.name})`, { skip: target.skip }, () => {
    let w: SettlementWorld;
    let dir: string;
    let runId: string;

    before(async () => {
      w = await openSettlementWorld(target);
      dir = mkdtempSync(join(tmpdir(), 'onepin-settlement-'));
      w.at('2026-01-01 12:00');
      await w.pay(10_000);
      await w.pay(4_999);
      w.at('2026-01-02 09:00');
      runId = `stl_${w.associateId}_test_krw_20260101`;
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await w.close();
    });

    /** Runs one command line; returns what it printed (stdout and stderr), or throws. */
    async function run(t: TestContext, ...args: string[]): Promise<string[]> {
      const printed: string[] = [];
      const keep = (...parts: unknown[]): void => {
        printed.push(...parts.map(String).join(' ').split('\n'));
      };
      t.mock.method(console, 'log', keep);
      t.mock.method(console, 'error', keep);
      const program = new Command('onepin')
        .exitOverride()
        .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      addSettlementCommands(program, {
        withApp: (work) => work(w.g.app),
        failure: (message) => new CliFailure(message),
      });
      try {
        await program.parseAsync(args, { from: 'user' });
      } catch (error) {
        if (error instanceof Error) Object.assign(error, { printed });
        throw error;
      }
      return printed;
    }

    test('set-settlement and set-commission show the profile, account masked', async (t) => {
      const set = await run(
        t,
        'associates',
        'set-settlement',
        w.associateId,
        '--cycle',
        'daily',
        '--bank-code',
        '004',
        '--account-number',
        '123-456-789012',
        '--account-holder',
        'Test Shop',
      );
      assert.deepEqual(set, [
        `${w.associateId}: settled daily`,
        '  paid to: bank 004, account ****9012, Test Shop',
        "  commission by service type: none (the associate's own rate)",
      ]);
      const rate = await run(
        t,
        'associates',
        'set-commission',
        w.associateId,
        '--service-type',
        'shopping',
        '--bps',
        '300',
      );
      assert.equal(rate[2], '  commission by service type: shopping 300 bps');
      await assert.rejects(
        run(t, 'associates', 'set-commission', w.associateId, '--service-type', 'shopping'),
        (e: unknown) => e instanceof CliFailure && e.message === 'give one of --bps or --clear',
      );
      await assert.rejects(
        run(t, 'associates', 'set-settlement', w.associateId, '--bank-code', 'KB'),
        (e: unknown) =>
          e instanceof CliFailure && e.message.startsWith('parameter_invalid (bank_code)'),
      );
    });

    test('run: bad arguments, simulate, the real run, and the re-run', async (t) => {
      await assert.rejects(
        run(t, 'settlement', 'run', '--cycle', 'monthly'),
        (e: unknown) => e instanceof CommanderError && e.code === 'commander.invalidArgument',
      );
      await assert.rejects(
        run(t, 'settlement', 'run', '--cycle', 'daily', '--until', '2099-01-01', '--test-mode'),
        (e: unknown) => e instanceof CliFailure && e.message.startsWith('settlement_cycle_open'),
      );
      const before = await w.counts();
      const simulated = await run(
        t,
        'settlement',
        'run',
        '--cycle',
        'daily',
        '--test-mode',
        '--simulate',
      );
      assert.equal(simulated.length, 4);
      assert.equal(
        simulated[0],
        `${runId}  2026-01-01..2026-01-01  TEST  booked  2 line(s)  gross 14,999 KRW  fee 449 KRW  net 14,550 KRW  payout 14,550 KRW`,
      );
      assert.match(
        simulated[1] ?? '',
        /^ {4}would book commission_adjustment 75 KRW: acc_asc_\w+_test_krw -> acc_sys_krw_fee_revenue \(stladj_/,
      );
      assert.match(
        simulated[2] ?? '',
        /^ {4}would book settlement_payout 14,550 KRW: .* -> acc_sys_krw_payout_clearing \(stlpay_/,
      );
      assert.equal(simulated[3], 'simulated: nothing was written');
      assert.deepEqual(await w.counts(), before);

      const real = await run(
        t,
        'settlement',
        'run',
        '--cycle',
        'daily',
        '--test-mode',
        '--until',
        '2026-01-02',
      );
      assert.equal(real[0], simulated[0]);
      assert.equal(real.length, 3);
      assert.match(real[2] ?? '', /^ {4}booked settlement_payout 14,550 KRW/);
      assert.deepEqual(await run(t, 'settlement', 'run', '--cycle', 'daily', '--test-mode'), [
        'nothing to settle',
      ]);
      const json = await run(t, 'settlement', 'run', '--cycle', 'daily', '--test-mode', '--json');
      assert.deepEqual(JSON.parse(json[0] ?? ''), { simulated: false, runs: [], problems: [] });
      await w.verify();
    });

    test('list, show, statements, payout file, mark paid, reconcile', async (t) => {
      const list = await run(t, 'settlement', 'list');
      assert.equal(list.length, 1);
      assert.match(list[0] ?? '', new RegExp(`^${runId} .* booked `));
      const shown = await run(t, 'settlement', 'show', runId);
      assert.equal(shown.length, 4);
      assert.match(
        shown[2] ?? '',
        /^ {5}1 capture {2}pay_\w+ order-\d+ {2}10,000 KRW {2}fee 300 KRW \(300 bps\) {2}net 9,700 KRW$/,
      );
      const shownJson = JSON.parse(
        (await run(t, 'settlement', 'show', runId, '--json'))[0] ?? '',
      ) as Record<string, unknown>;
      assert.equal(shownJson.payout, 14_550);
      assert.equal(shownJson.commission_adjustment, 75);

      const csvFile = join(dir, 'statement.csv');
      const pdfFile = join(dir, 'statement.pdf');
      assert.deepEqual(await run(t, 'settlement', 'statement', runId, '--csv', '--out', csvFile), [
        `statement of ${runId} (2 line(s)) written to ${csvFile}`,
      ]);
      assert.ok(readFileSync(csvFile, 'utf8').startsWith('line,date_kst,kind,payment,'));
      await run(t, 'settlement', 'statement', runId, '--pdf', '--out', pdfFile);
      assert.equal(readFileSync(pdfFile).subarray(0, 5).toString(), '%PDF-');
      await assert.rejects(
        run(t, 'settlement', 'statement', runId, '--csv', '--pdf', '--out', csvFile),
        (e: unknown) => e instanceof CliFailure,
      );

      const payoutFile = join(dir, 'payouts.csv');
      const exported = await run(
        t,
        'settlement',
        'payout-file',
        '--test-mode',
        '--until',
        '2026-01-02',
        '--out',
        payoutFile,
      );
      assert.equal(exported.length, 2);
      assert.equal(exported[0], `  ${runId}  bank 004 ****9012  14,550 KRW`);
      assert.match(
        exported[1] ?? '',
        new RegExp(
          `^batch pob_test_krw_20260102_[0-9a-f]{12} \\(TEST\\): 1 transfer\\(s\\), 14,550 KRW, written to ${payoutFile.replace(/[.]/g, '\\.')}$`,
        ),
      );
      assert.ok(
        exported.every((line) => !line.includes('789012')),
        'the console never shows the account number',
      );
      assert.equal(
        readFileSync(payoutFile, 'utf8'),
        'bank_code,account_number,account_holder,amount,currency,memo,run_id,associate_id,associate_name\r\n' +
          `004,123-456-789012,Test Shop,14550,KRW,ONEPIN 20260101,${runId},${w.associateId},Test Shop\r\n`,
      );
      assert.deepEqual(
        await run(t, 'settlement', 'payout-file', '--test-mode', '--out', join(dir, 'again.csv')),
        ['no booked payouts to export'],
      );
      assert.equal(existsSync(join(dir, 'again.csv')), false);
      const batchId = /batch (pob_\w+)/.exec(exported[1] ?? '')?.[1] ?? '';
      await assert.rejects(
        run(t, 'settlement', 'payout-file', '--batch', batchId, '--out', payoutFile),
        (e: unknown) =>
          e instanceof CliFailure && e.message.endsWith('a payout file is never overwritten'),
      );
      const rewritten = join(dir, 'rewritten.csv');
      await run(t, 'settlement', 'payout-file', '--batch', batchId, '--out', rewritten);
      assert.equal(readFileSync(rewritten, 'utf8'), readFileSync(payoutFile, 'utf8'));

      assert.deepEqual(await run(t, 'settlement', 'mark-paid', runId, '--reference', 'KB-1'), [
        `${runId} paid (14,550 KRW), bank reference KB-1`,
      ]);
      assert.deepEqual(await run(t, 'settlement', 'reconcile'), [
        'runs: computed 0, booked 0, exported 0, paid 1, closed 0',
        'payouts booked 14,550 KRW: paid 14,550 KRW, outstanding 0 KRW',
        'ledger: 1 payout transfer(s) 14,550 KRW; payout clearing balance 14,550 KRW',
        'reconcile: OK',
      ]);
      await w.verify();
    });
  });
}
