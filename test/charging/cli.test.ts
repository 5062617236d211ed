// The tariff and price commands, driven in-process through a commander program built the way
// src/main/cli.ts builds it (the lead registers addChargingCommands there).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command, CommanderError } from 'commander';
import { createChargingContext, currentTariff } from '../../src/charging/index.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import { wireApp, type App } from '../../src/main/app.ts';
import { addChargingCommands } from '../../src/main/cli-charging.ts';
import { testKeyRing } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import { sampleTariffText } from './fixtures.ts';

/** What cli.ts turns into `error: …` and exit code 2. */
class CliFailure extends Error {}

for (const target of DATABASES) {
  describe(`onepin tariffs / price (${target.name})`, { skip: target.skip }, () => {
    let app: App;
    let dispose: () => Promise<void>;
    let dir: string;

    before(async () => {
      const opened = await target.open();
      dispose = opened.dispose;
      app = wireApp(
        opened.db,
        testKeyRing(),
        new ManualClock(BigInt(Date.parse('2026-01-05T03:00:00Z'))),
      );
      dir = mkdtempSync(join(tmpdir(), 'onepin-tariffs-'));
      writeFileSync(join(dir, 'korea.csv'), sampleTariffText());
      writeFileSync(
        join(dir, 'bad.csv'),
        sampleTariffText()
          .replace('destination,KR_SEOUL,822,Seoul', 'destination,KR_SEOUL,02,Seoul')
          .replace('timing,NIGHT,*any,23:00,07:00', 'timing,NIGHT,*any,23:00,23:00'),
      );
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await dispose();
    });

    /** Runs one command line; returns what it printed, or throws what it threw. */
    async function run(t: TestContext, ...args: string[]): Promise<string[]> {
      const printed: string[] = [];
      t.mock.method(console, 'log', (...parts: unknown[]) => {
        printed.push(parts.map(String).join(' '));
      });
      const program = new Command('onepin')
        .exitOverride()
        .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      addChargingCommands(program, {
        withApp: (work) => work(app),
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

    const printedBy = (error: unknown): string[] => (error as { printed: string[] }).printed;

    test('show before any import', async (t) => {
      assert.deepEqual(await run(t, 'tariffs', 'show'), [
        'no tariff imported yet (onepin tariffs import <file>)',
      ]);
    });

    test('import of a bad file: each bad line printed, one failure, nothing stored', async (t) => {
      let caught: unknown;
      await run(t, 'tariffs', 'import', join(dir, 'bad.csv')).catch((error: unknown) => {
        caught = error;
      });
      assert.ok(caught instanceof CliFailure);
      assert.match(
        caught.message,
        /^tariff_invalid \(file\): The tariff file has errors.*: 2 bad lines in bad\.csv$/,
      );
      const lines = printedBy(caught);
      assert.equal(lines.length, 2);
      assert.match(
        lines[0] ?? '',
        /^line \d+, prefix: an E\.164 prefix starts with the country code/,
      );
      assert.match(lines[1] ?? '', /^line \d+, end: equals the start/);
      assert.equal(
        await currentTariff(createChargingContext({ db: app.db, clock: app.clock })),
        null,
      );
    });

    test('dry run, then import, then the same file again', async (t) => {
      const dry = await run(t, 'tariffs', 'import', join(dir, 'korea.csv'), '--dry-run');
      assert.equal(dry[0], 'dry run: korea.csv is valid (102 records); nothing stored');
      assert.equal(
        dry[1],
        '  13 destinations (40 prefixes), 15 rates, 3 timings, 5 plans (34 entries), 5 activations',
      );
      assert.equal(dry[2], 'would add (no tariff before):');
      assert.ok(dry.includes('  rates         +15 added, -0 removed, ~0 changed'));

      const stored = await run(t, 'tariffs', 'import', join(dir, 'korea.csv'));
      assert.equal(stored[0], 'stored tariff version 1 from korea.csv (102 records)');

      const again = await run(t, 'tariffs', 'import', join(dir, 'korea.csv'), '--json');
      const report = JSON.parse(again[0] ?? '') as Record<string, unknown>;
      assert.equal(report.unchanged, true);
      assert.equal(report.stored, false);
      assert.equal(report.base_version, 1);
    });

    test('show: settings, the plan in force per service, rates and timings', async (t) => {
      const shown = await run(t, 'tariffs', 'show', '--at', '2026-07-01T12:00:00+09:00');
      assert.match(shown[0] ?? '', /^tariff version 1 from korea\.csv, imported /);
      assert.match(
        shown[1] ?? '',
        /^currency KRW, time zone Asia\/Seoul; numbering: country code 82, national prefix 0/,
      );
      assert.ok(shown.includes('  call       RP_CALL_2026H2 (since 2026-06-30T15:00:00.000Z)'));
      assert.ok(shown.includes('  sms        RP_SMS (since 2025-12-31T15:00:00.000Z)'));
      assert.ok(shown.includes('  RT_KR_MOBILE         108 KRW/min, billed 30/6'));
      assert.ok(
        shown.includes(
          '  RT_INTL_OTHER        600 KRW/min, billed 60/60, connection 100 KRW, disconnect 20 KRW',
        ),
      );
      assert.ok(shown.includes('  NIGHT                every day 23:00–07:00'));
      assert.equal(shown.at(-1), 'destinations: 13 (40 prefixes)');
    });

    test('price: text and JSON', async (t) => {
      const text = await run(
        t,
        'price',
        '010-1234-5678',
        '95',
        '--at',
        '2026-01-05T12:00:00+09:00',
      );
      assert.deepEqual(text, [
        '+821012345678 → KR_MOBILE "Korea mobile" (prefix 8210)',
        'plan RP_CALL_2026, timing ALWAYS, tariff version 1',
        'rate RT_KR_MOBILE: 108 KRW/min, billed 30/6',
        '95 s → billed 96 s → 173 KRW',
      ]);
      // Without --at the app's clock decides: Monday 12:00 in Seoul.
      const json = JSON.parse(
        (await run(t, 'price', '+44 20 7946 0000', '61', '--json'))[0] ?? '',
      ) as Record<string, unknown>;
      assert.deepEqual(json, {
        service: 'call',
        e164: '442079460000',
        prefix: '',
        destination_id: 'ANY',
        destination_name: 'Anywhere else',
        plan_id: 'RP_CALL_2026',
        timing_id: 'ALWAYS',
        rate_id: 'RT_INTL_OTHER',
        rate_description: '600 KRW/min, billed 60/60, connection 100 KRW, disconnect 20 KRW',
        seconds: 61,
        billed_seconds: 120,
        cost_minor: 1320,
        currency: 'KRW',
        tariff_version: 1,
      });
      const sms = await run(t, 'price', '01012345678', '3', '--service', 'sms');
      assert.equal(sms.at(-1), '3 s → billed 3 s → 60 KRW');
    });

    test('price: refusals', async (t) => {
      const failure = async (args: string[], pattern: RegExp) => {
        await assert.rejects(run(t, ...args), (error: unknown) => {
          assert.ok(error instanceof CliFailure, String(error));
          assert.match(error.message, pattern);
          return true;
        });
      };
      await failure(
        ['price', '010-CALL-ME', '60'],
        /^number_invalid \(number\): .*contains letters$/,
      );
      await failure(
        ['price', '01012345678', '60', '--service', 'fax'],
        /--service is one of call, voicemail, sms, content/,
      );
      await failure(
        ['price', '01012345678', '60', '--at', 'yesterday'],
        /--at must be an ISO 8601 time/,
      );
      await failure(
        ['price', '01012345678', '60', '--at', '2025-01-01T00:00:00Z'],
        /^rating_plan_not_found/,
      );
      await failure(
        ['tariffs', 'import', join(dir, 'missing.csv')],
        /cannot read .*missing\.csv: ENOENT/,
      );
      await assert.rejects(run(t, 'price', '01012345678', 'ten'), (error: unknown) => {
        assert.ok(error instanceof CommanderError);
        assert.equal(error.code, 'commander.invalidArgument');
        return true;
      });
    });
  });
}
