// `onepin voicemail …` driven in-process through a commander program built the way
// src/main/cli.ts builds it (addVoicemailCommands with the app handed in).
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command } from 'commander';
import { spend } from '../../src/cards/index.ts';
import { getMailbox, listMailboxes } from '../../src/charging/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { addVoicemailCommands } from '../../src/main/cli-voicemail.ts';
import { activeTestCard, openTestApp, type TestApp } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';

/** What cli.ts turns into `error: …` and exit code 2. */
class CliFailure extends Error {}

for (const target of DATABASES) {
  describe(`onepin voicemail (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let serial: string;
    let cardId: string;
    let poorSerial: string;

    before(async () => {
      t = await openTestApp(target);
      // 31 January 2026, 10:00 in Seoul.
      t.clock.set(BigInt(Date.parse('2026-01-31T10:00:00+09:00')));
      const card = await activeTestCard(t.app);
      serial = card.serial;
      cardId = card.id;
      const poor = await activeTestCard(t.app);
      poorSerial = poor.serial;
      const spent = await spend(t.app.cards, {
        cardId: poor.id,
        creditAccountId: systemAccountId('KRW', 'fee_revenue'),
        amountMinor: 9_500n,
        currency: 'KRW',
        transferId: 'test_cli_vm_down',
        code: 'test_spend',
      });
      assert.ok(spent.ok);
    });
    after(async () => {
      const report = await verifyLedger(t.app.db);
      assert.ok(report.ok, report.problems.join('; '));
      await t.dispose();
    });

    /** Runs one command line; returns what it printed, or throws what it threw. */
    async function run(tc: TestContext, ...args: string[]): Promise<string[]> {
      const printed: string[] = [];
      tc.mock.method(console, 'log', (...parts: unknown[]) => {
        printed.push(parts.map(String).join(' '));
      });
      const program = new Command('onepin')
        .exitOverride()
        .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      addVoicemailCommands(program, {
        withApp: (work) => work(t.app),
        failure: (message) => new CliFailure(message),
      });
      await program.parseAsync(args, { from: 'user' });
      return printed;
    }

    async function failure(tc: TestContext, ...args: string[]): Promise<string> {
      let caught: unknown;
      await run(tc, ...args).catch((error: unknown) => {
        caught = error;
      });
      assert.ok(caught instanceof CliFailure, `expected a CliFailure, got ${String(caught)}`);
      return caught.message;
    }

    test('open, list, show, charge-due, close', async (tc) => {
      assert.deepEqual(await run(tc, 'voicemail', 'list'), ['no mailboxes']);

      const opened = await run(
        tc,
        'voicemail',
        'open',
        '--card',
        serial,
        '--number',
        '010-1234-5678',
      );
      const listed = await listMailboxes(t.app.charging);
      assert.ok(listed.ok);
      assert.equal(listed.value.length, 1);
      const [box] = listed.value;
      assert.ok(box);
      assert.deepEqual(opened, [
        `opened ${box.id}; first month's fee taken from card ${serial}`,
        `id              ${box.id}`,
        'state           open',
        'number          +821012345678',
        'language        ko',
        `card            ${cardId}`,
        'monthly fee     1,100 KRW',
        'opened          2026-01-31 10:00 Asia/Seoul',
        'paid until      2026-02-28 10:00 Asia/Seoul',
        'next charge     2026-02-28 10:00 Asia/Seoul',
        'fees taken      1 (1,100 KRW)',
      ]);
      assert.deepEqual(await run(tc, 'voicemail', 'list', '--card', serial), [
        `${box.id}  open       +821012345678  ko  1,100 KRW/month  paid until 2026-02-28 10:00 Asia/Seoul  card ${cardId}`,
      ]);

      assert.deepEqual(await run(tc, 'voicemail', 'charge-due'), [
        '0 fees taken (0 reopened), 0 could not pay (suspended), 0 closed',
      ]);
      t.clock.set(BigInt(Date.parse('2026-02-28T10:00:00+09:00')));
      assert.deepEqual(await run(tc, 'voicemail', 'charge-due'), [
        '1 fees taken (0 reopened), 0 could not pay (suspended), 0 closed',
      ]);
      assert.deepEqual(await run(tc, 'voicemail', 'charge-due'), [
        '0 fees taken (0 reopened), 0 could not pay (suspended), 0 closed',
      ]);
      const shown = await run(tc, 'voicemail', 'show', box.id);
      assert.ok(shown.includes('paid until      2026-03-31 10:00 Asia/Seoul'));
      assert.ok(shown.includes('fees taken      2 (2,200 KRW)'));

      assert.deepEqual(await run(tc, 'voicemail', 'close', box.id), [
        `closed ${box.id} (+821012345678)`,
      ]);
      const closed = await getMailbox(t.app.charging, box.id);
      assert.ok(closed.ok);
      assert.equal(closed.value.state, 'closed');
      assert.equal(closed.value.closeReason, 'operator');
      assert.deepEqual(await run(tc, 'voicemail', 'list', '--state', 'open'), ['no mailboxes']);
    });

    test('refusals: one failure line, nothing opened', async (tc) => {
      assert.match(
        await failure(tc, 'voicemail', 'open', '--card', poorSerial, '--number', '010-2222-3333'),
        /^credit_limit_reached: .*the monthly fee$/,
      );
      assert.match(
        await failure(tc, 'voicemail', 'open', '--card', serial, '--number', 'call me'),
        /^number_invalid \(number\): .*contains letters$/,
      );
      assert.match(
        await failure(tc, 'voicemail', 'open', '--card', '999999', '--number', '010-2222-3333'),
        /^card_not_found \(serial\)/,
      );
      assert.match(await failure(tc, 'voicemail', 'show', 'vm_nope'), /^mailbox_not_found/);
      await assert.rejects(
        run(tc, 'voicemail', 'open', '--card', serial, '--number', '010', '--fee', '1.5'),
        /the fee is a whole number/,
      );
      const rows = await listMailboxes(t.app.charging, { state: 'open' });
      assert.ok(rows.ok);
      assert.equal(rows.value.length, 0);
    });
  });
}
