// `onepin foreign …`, driven in-process through a commander program built the way
// src/main/cli.ts builds it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command } from 'commander';
import { listProviders, stockReport } from '../../src/foreign/index.ts';
import { MS_PER_DAY } from '../../src/kernel/index.ts';
import { addForeignCommands } from '../../src/main/cli-foreign.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';

class CliFailure extends Error {}

for (const target of DATABASES) {
  describe(`onepin foreign (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let dir: string;
    let providerId = '';

    before(async () => {
      t = await openTestApp(target);
      dir = mkdtempSync(join(tmpdir(), 'onepin-foreign-'));
      writeFileSync(
        join(dir, 'pins.csv'),
        'pin,face_value\nGC-1000-0000-0001,10.00\nGC-1000-0000-0002,10.00\nGC-2500-0000-0001,25.00\n',
      );
      writeFileSync(
        join(dir, 'bad.csv'),
        'pin,face_value\nGC-9000-0000-0001,10.00\nGC-9000-0000-0001,10.00\nGC-9000-0000-0002,ten\n',
      );
      writeFileSync(join(dir, 'rates.csv'), 'pair,rate\nUSD/KRW,1385.27\nJPY/KRW,9.0421\n');
      writeFileSync(join(dir, 'bad-rates.csv'), 'pair,rate\nUSD/USD,1\n');
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.dispose();
    });

    async function run(c: TestContext, ...args: string[]): Promise<string[]> {
      const printed: string[] = [];
      c.mock.method(console, 'log', (...parts: unknown[]) => {
        printed.push(parts.map(String).join(' '));
      });
      const program = new Command('onepin')
        .exitOverride()
        .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      addForeignCommands(program, {
        withApp: (work) => work(t.app),
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

    test('providers add and list', async (c) => {
      const added = await run(
        c,
        'foreign',
        'providers',
        'add',
        '--name',
        'GlobalCall',
        '--currency',
        'USD',
        '--contact',
        'stock@globalcall.example',
        '--low-stock',
        '2',
      );
      assert.match(
        added[0] ?? '',
        /^fxp_[a-z0-9]+ {2}GlobalCall {2}USD {2}active {2}contact stock@globalcall\.example {2}low stock < 2 {2}margin 0 bps$/,
      );
      providerId = (await listProviders(t.app.foreign))[0]?.id ?? '';
      const again = await run(
        c,
        'foreign',
        'providers',
        'add',
        '--name',
        'GlobalCall',
        '--currency',
        'USD',
        '--contact',
        'x@example.com',
      ).catch((e: unknown) => e);
      assert.ok(again instanceof CliFailure);
      assert.match(again.message, /^foreign_provider_exists \(name\)/);
      assert.equal((await run(c, 'foreign', 'providers', 'list')).length, 1);
    });

    test('pins import: bad lines one by one and nothing stored; dry run; import', async (c) => {
      const caught = await run(
        c,
        'foreign',
        'pins',
        'import',
        providerId,
        join(dir, 'bad.csv'),
        '--by',
        'ops',
      ).catch((e: unknown) => e);
      assert.ok(caught instanceof CliFailure);
      assert.match(caught.message, /^foreign_pins_invalid \(file\): .*: 2 bad lines in bad\.csv$/);
      assert.deepEqual((caught as unknown as { printed: string[] }).printed, [
        'line 3, pin: the same PIN as line 2',
        'line 4, face_value: a positive amount in USD, like 10.00',
      ]);
      assert.deepEqual(await stockReport(t.app.foreign), []);

      const dry = await run(
        c,
        'foreign',
        'pins',
        'import',
        providerId,
        join(dir, 'pins.csv'),
        '--by',
        'ops',
        '--dry-run',
      );
      assert.deepEqual(dry, [
        'dry run: pins.csv is valid (3 PINs); nothing stored',
        '  10.00 USD: 2 PINs, cost 20.00 USD',
        '  25.00 USD: 1 PINs, cost 25.00 USD',
        'would owe GlobalCall: 45.00 USD (face 45.00 USD)',
      ]);
      assert.deepEqual(await stockReport(t.app.foreign), []);

      const stored = await run(
        c,
        'foreign',
        'pins',
        'import',
        providerId,
        join(dir, 'pins.csv'),
        '--by',
        'ops',
      );
      assert.match(stored[0] ?? '', /^imported 3 PINs from pins\.csv as batch fxb_[a-z0-9]+$/);
      assert.match(
        stored[3] ?? '',
        /^owed to GlobalCall: 45\.00 USD \(face 45\.00 USD\), transfer fxstk_fxb_/,
      );

      const dup = await run(
        c,
        'foreign',
        'pins',
        'import',
        providerId,
        join(dir, 'pins.csv'),
        '--by',
        'ops',
      ).catch((e: unknown) => e);
      assert.ok(dup instanceof CliFailure);
      assert.match(dup.message, /3 bad lines in pins\.csv$/);
    });

    test('stock shows counts and low flags', async (c) => {
      const lines = await run(c, 'foreign', 'stock');
      assert.equal(lines.length, 2);
      assert.match(
        lines[0] ?? '',
        /GlobalCall +10\.00 USD {2}available {6}2 {2}reserved 0 {2}sold 0 {2}void 0 {2}threshold 2$/,
      );
      assert.match(lines[1] ?? '', /25\.00 USD {2}available {6}1 .* threshold 2 {2}LOW$/);
    });

    test('rates set, import (bad file refused), list', async (c) => {
      assert.deepEqual(
        await run(c, 'foreign', 'rates', 'set', 'USD/KRW', '1385.270', '--by', 'ops'),
        [`USD/KRW 1385.27 in force from ${new Date(Number(t.clock.nowMs())).toISOString()}`],
      );
      const bad = await run(c, 'foreign', 'rates', 'set', 'USD/KRW', '1,385', '--by', 'ops').catch(
        (e: unknown) => e,
      );
      assert.ok(bad instanceof CliFailure);
      assert.match(bad.message, /^fx_rate_invalid \(rate\)/);
      const badFile = await run(
        c,
        'foreign',
        'rates',
        'import',
        join(dir, 'bad-rates.csv'),
        '--by',
        'ops',
      ).catch((e: unknown) => e);
      assert.ok(badFile instanceof CliFailure);
      assert.deepEqual((badFile as unknown as { printed: string[] }).printed, [
        'line 2, pair: two different known currencies, like USD/KRW',
      ]);
      assert.deepEqual(
        await run(c, 'foreign', 'rates', 'import', join(dir, 'rates.csv'), '--by', 'ops'),
        ['imported 2 rates from rates.csv'],
      );
      assert.equal((await run(c, 'foreign', 'rates', 'list')).length, 3);
    });

    test('settle: simulate, pay, re-run pays nothing more', async (c) => {
      const day = new Date(Number(t.clock.nowMs() + 9n * 3_600_000n)).toISOString().slice(0, 10);
      const early = await run(c, 'foreign', 'settle', providerId, '--until', day).catch(
        (e: unknown) => e,
      );
      assert.ok(early instanceof CliFailure);
      assert.match(early.message, /the period has not ended yet/);
      t.clock.advance(MS_PER_DAY);
      const sim = await run(c, 'foreign', 'settle', providerId, '--until', day, '--simulate');
      assert.match(
        sim[0] ?? '',
        /^fxset_\S+: would pay GlobalCall 45\.00 USD for 1 payable lines until /,
      );
      const paid = await run(c, 'foreign', 'settle', providerId, '--until', day);
      assert.match(
        paid[0] ?? '',
        /^fxset_\S+: paid GlobalCall 45\.00 USD for 1 payable lines until .*, transfer fxset_/,
      );
      const again = await run(c, 'foreign', 'settle', providerId, '--until', day);
      assert.match(again[0] ?? '', /: already paid GlobalCall 45\.00 USD/);
    });

    test('recover with nothing to do', async (c) => {
      assert.deepEqual(await run(c, 'foreign', 'recover', '--simulate'), [
        '0 switches to release, 0 quotes to expire',
      ]);
    });
  });
}
