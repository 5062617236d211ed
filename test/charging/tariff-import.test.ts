import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  createChargingContext,
  currentTariff,
  importTariff,
  loadTariff,
  loadTariffVersion,
  priceEnquiry,
  type ChargingContext,
} from '../../src/charging/index.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import type { Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { at, sampleTariffText } from './fixtures.ts';

const TABLES = [
  'charging_tariff',
  'charging_destination',
  'charging_prefix',
  'charging_rate',
  'charging_timing',
  'charging_plan_entry',
  'charging_plan_activation',
] as const;

async function rowCounts(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const r = await sql<{
      n: bigint | number | string;
    }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely);
    counts[table] = Number(r.rows[0]?.n ?? -1);
  }
  return counts;
}

const MON_NOON = at('2026-01-05T12:00:00+09:00');

for (const target of DATABASES) {
  describe(`tariff import and price enquiry (${target.name})`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let ctx: ChargingContext;

    before(async () => {
      ({ db, dispose } = await target.open());
      ctx = createChargingContext({ db, clock: new ManualClock() });
    });
    after(async () => {
      await dispose();
    });

    test('before any import: nothing to rate', async () => {
      assert.equal(await currentTariff(ctx), null);
      const loaded = await loadTariff(ctx, { service: 'call', atMs: MON_NOON });
      assert.equal(loaded.ok ? null : loaded.error.code, 'rating_plan_not_found');
      const price = await priceEnquiry(ctx, {
        service: 'call',
        number: '01012345678',
        seconds: 60,
        atMs: MON_NOON,
      });
      assert.equal(price.ok ? null : price.error.code, 'rating_plan_not_found');
    });

    test('a bad file stores nothing, and says why, by line and field', async () => {
      const text = sampleTariffText()
        .replace('destination,KR_SEOUL,822,Seoul', 'destination,KR_SEOUL,02,Seoul')
        .replace('rate,RT_JP,30,60,6,120,60,0', 'rate,RT_JP,30,60,6,1.20,60,0');
      const before = await rowCounts(db);
      for (const dryRun of [false, true]) {
        const report = await importTariff(ctx, { text, sourceName: 'bad.csv', dryRun });
        assert.equal(report.valid, false);
        assert.equal(report.stored, false);
        assert.equal(report.version, null);
        assert.deepEqual(
          report.errors.map((e) => [e.field, e.reason.slice(0, 20)]),
          [
            ['prefix', 'an E.164 prefix star'],
            ['price_minor', 'must be a whole numb'],
          ],
        );
        const lines = text.split('\n');
        assert.match(lines[report.errors[0]!.line - 1] ?? '', /KR_SEOUL,02/);
        assert.match(lines[report.errors[1]!.line - 1] ?? '', /RT_JP/);
      }
      assert.deepEqual(await rowCounts(db), before, 'no row anywhere');
    });

    test('a dry run of a good file reports what it would add, and stores nothing', async () => {
      const report = await importTariff(ctx, { text: sampleTariffText(), dryRun: true });
      assert.equal(report.valid, true);
      assert.equal(report.stored, false);
      assert.equal(report.baseVersion, null);
      assert.deepEqual(report.counts, {
        destinations: 13,
        prefixes: 40,
        rates: 15,
        timings: 3,
        plans: 5,
        planEntries: 34,
        activations: 5,
      });
      assert.deepEqual(report.changes?.rates, { added: 15, removed: 0, changed: 0 });
      assert.equal(report.changes?.settings.length, 5);
      assert.deepEqual(Object.values(await rowCounts(db)), [0, 0, 0, 0, 0, 0, 0]);
    });

    test('a good file is stored as version 1 and rates at once', async () => {
      const report = await importTariff(ctx, { text: sampleTariffText(), sourceName: 'korea.csv' });
      assert.equal(report.valid, true);
      assert.equal(report.stored, true);
      assert.equal(report.version, 1);
      assert.deepEqual(await rowCounts(db), {
        charging_tariff: 1,
        charging_destination: 13,
        charging_prefix: 40,
        charging_rate: 15,
        charging_timing: 3,
        charging_plan_entry: 34,
        charging_plan_activation: 5,
      });
      const p = await priceEnquiry(ctx, {
        service: 'call',
        number: '010-1234-5678',
        seconds: 95,
        atMs: MON_NOON,
      });
      assert.ok(p.ok);
      assert.deepEqual(
        {
          cost: p.value.costMinor,
          billed: p.value.billedSeconds,
          prefix: p.value.prefix,
          destination: p.value.destinationName,
          rate: p.value.rateDescription,
          version: p.value.tariffVersion,
        },
        {
          cost: 173n,
          billed: 96,
          prefix: '8210',
          destination: 'Korea mobile',
          rate: '108 KRW/min, billed 30/6',
          version: 1,
        },
      );
    });

    test('the stored tariff reads back exactly as imported', async () => {
      const stored = await currentTariff(ctx);
      assert.ok(stored !== null);
      const fresh = await importTariff(ctx, { text: sampleTariffText(), dryRun: true });
      assert.equal(fresh.unchanged, true, 'the diff against the stored version is empty');
      const intl = stored.rateById.get('RT_INTL_OTHER');
      assert.deepEqual(intl, {
        id: 'RT_INTL_OTHER',
        connectionFeeMinor: 100n,
        firstBlockSeconds: 60,
        incrementSeconds: 60,
        priceMinor: 600n,
        unitSeconds: 60,
        minimumCostMinor: 0n,
        disconnectFeeMinor: 20n,
      });
      assert.deepEqual(stored.timingById.get('NIGHT'), {
        id: 'NIGHT',
        weekdays: null,
        startMinute: 1380,
        endMinute: 420,
      });
      assert.equal(stored.index.size, 40);
    });

    test('importing the same file again changes nothing', async () => {
      const report = await importTariff(ctx, { text: sampleTariffText() });
      assert.equal(report.unchanged, true);
      assert.equal(report.stored, false);
      assert.equal(report.baseVersion, 1);
      assert.equal((await rowCounts(db)).charging_tariff, 1);
    });

    test('a changed file: the dry run counts the change, the import makes version 2 and rating follows', async () => {
      const text = sampleTariffText()
        .replace('rate,RT_KR_MOBILE,0,30,6,108,60,0', 'rate,RT_KR_MOBILE,0,30,6,120,60,0')
        .replace(
          'destination,PH,63,Philippines',
          'destination,PH,63,Philippines\ndestination,TH,66,Thailand',
        );
      const dry = await importTariff(ctx, { text, dryRun: true });
      assert.equal(dry.stored, false);
      assert.deepEqual(dry.changes?.rates, { added: 0, removed: 0, changed: 1 });
      assert.deepEqual(dry.changes?.destinations, { added: 1, removed: 0, changed: 0 });
      assert.deepEqual(dry.changes?.prefixes, { added: 1, removed: 0, changed: 0 });
      assert.deepEqual(dry.changes?.settings, []);
      assert.equal((await rowCounts(db)).charging_tariff, 1, 'the dry run stored nothing');
      const before = await priceEnquiry(ctx, {
        service: 'call',
        number: '01012345678',
        seconds: 60,
        atMs: MON_NOON,
      });
      assert.equal(before.ok ? before.value.costMinor : null, 108n);

      const report = await importTariff(ctx, { text, sourceName: 'korea-v2.csv' });
      assert.equal(report.version, 2);
      assert.equal(report.baseVersion, 1);
      const after = await priceEnquiry(ctx, {
        service: 'call',
        number: '01012345678',
        seconds: 60,
        atMs: MON_NOON,
      });
      assert.ok(after.ok);
      assert.equal(after.value.costMinor, 120n, 'the cache let go of version 1');
      assert.equal(after.value.tariffVersion, 2);
      // A session that started on version 1 can still find its rate.
      const v1 = await loadTariffVersion(ctx, 1);
      assert.equal(v1?.rateById.get('RT_KR_MOBILE')?.priceMinor, 108n);
      assert.equal(await loadTariffVersion(ctx, 99), null);
    });

    test('another process importing is seen by this one (the latest version is read each time)', async () => {
      const other = createChargingContext({ db, clock: new ManualClock() });
      const text = sampleTariffText().replace(
        'rate,RT_KR_MOBILE,0,30,6,108,60,0',
        'rate,RT_KR_MOBILE,0,30,6,90,60,0',
      );
      assert.equal((await importTariff(other, { text })).version, 3);
      const p = await priceEnquiry(ctx, {
        service: 'call',
        number: '01012345678',
        seconds: 60,
        atMs: MON_NOON,
      });
      assert.equal(p.ok ? p.value.costMinor : null, 90n);
    });

    test('price enquiry: bad input is refused with a code, changing nothing', async () => {
      const before = await rowCounts(db);
      const cases: [query: Parameters<typeof priceEnquiry>[1], code: string, param: string][] = [
        [
          { service: 'fax', number: '01012345678', seconds: 60, atMs: MON_NOON },
          'parameter_invalid',
          'service',
        ],
        [
          { service: 'call', number: '01012345678', seconds: -1, atMs: MON_NOON },
          'parameter_invalid',
          'seconds',
        ],
        [
          { service: 'call', number: '01012345678', seconds: 1.5, atMs: MON_NOON },
          'parameter_invalid',
          'seconds',
        ],
        [
          { service: 'call', number: '01012345678', seconds: 86_401, atMs: MON_NOON },
          'parameter_invalid',
          'seconds',
        ],
        [
          { service: 'call', number: '010-CALL-ME', seconds: 60, atMs: MON_NOON },
          'number_invalid',
          'number',
        ],
        [
          { service: 'call', number: '01012345678', seconds: 60, atMs: at('2025-06-01T00:00:00Z') },
          'rating_plan_not_found',
          'service',
        ],
      ];
      for (const [query, code, param] of cases) {
        const r = await priceEnquiry(ctx, query);
        assert.equal(
          r.ok ? null : r.error.code,
          code,
          JSON.stringify({ ...query, atMs: String(query.atMs) }),
        );
        assert.equal(r.ok ? null : r.error.param, param);
      }
      assert.deepEqual(await rowCounts(db), before);
    });

    test('price enquiry for every service', async () => {
      const ask = async (service: string, number: string, seconds: number) => {
        const r = await priceEnquiry(ctx, { service, number, seconds, atMs: MON_NOON });
        assert.ok(r.ok, r.ok ? '' : r.error.code);
        return r.value.costMinor;
      };
      assert.equal(await ask('voicemail', '01012345678', 90), 45n); // 30 won a minute, per second
      assert.equal(await ask('sms', '01012345678', 2), 40n);
      assert.equal(await ask('sms', '+12125550100', 1), 100n);
      assert.equal(await ask('content', '0601234567', 1), 500n);
      assert.equal(await ask('call', '+44 20 7946 0000', 61), 1_320n); // connection + 2 min + disconnect
    });
  });
}
