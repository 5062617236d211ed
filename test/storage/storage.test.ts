import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_MIGRATIONS } from '../../src/main/migrations.ts';
import {
  UnsafeDurabilityError,
  migrate,
  openPostgres,
  writeTransaction,
  type Database,
} from '../../src/storage/index.ts';
import { checkSqliteDurability } from '../../src/storage/sqlite.ts';
import { DATABASES } from '../support/databases.ts';

for (const target of DATABASES) {
  describe(`storage on ${target.name}`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ db, dispose } = await target.open());
    });
    after(async () => {
      await dispose();
    });

    test('64-bit integers round-trip as bigint, past 2^53', async () => {
      const big = 2n ** 62n + 12_345n;
      await writeTransaction(db, async (tx) => {
        await sql`insert into card_counter (name, value) values ('probe', ${big})`.execute(tx);
      });
      const row = await sql<{ value: unknown; n: unknown; s: unknown }>`
        select value, (select count(*) from card_counter) as n,
               (select sum(value) from card_counter where name = 'probe') as s
        from card_counter where name = 'probe'`.execute(db.kysely);
      assert.equal(row.rows[0]?.value, big);
      assert.equal(typeof row.rows[0]?.n, 'bigint');
      assert.equal(row.rows[0]?.s, big);
    });

    test('migrations are forward-only and a second run applies nothing', async () => {
      const again = await migrate(db, ALL_MIGRATIONS);
      assert.deepEqual(again.applied, []);
    });

    test('a failed transaction leaves nothing behind', async () => {
      await assert.rejects(
        writeTransaction(db, async (tx) => {
          await sql`insert into card_counter (name, value) values ('rolled_back', 1)`.execute(tx);
          throw new Error('boom');
        }),
        /boom/,
      );
      const row = await sql<{
        n: bigint;
      }>`select count(*) as n from card_counter where name = 'rolled_back'`.execute(db.kysely);
      assert.equal(row.rows[0]?.n, 0n);
    });
  });
}

describe('durability refusals', () => {
  test('SQLite with synchronous=OFF or without WAL is refused, with reasons', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onepin-dur-'));
    try {
      const raw = new BetterSqlite3(join(dir, 'x.sqlite'));
      raw.defaultSafeIntegers(true);
      raw.pragma('synchronous = OFF');
      raw.pragma('journal_mode = DELETE');
      raw.pragma('foreign_keys = OFF');
      assert.throws(
        () => checkSqliteDurability(raw, join(dir, 'x.sqlite')),
        (e: unknown) =>
          e instanceof UnsafeDurabilityError &&
          e.reasons.some((r) => r.includes('synchronous')) &&
          e.reasons.some((r) => r.includes('WAL')) &&
          e.reasons.some((r) => r.includes('foreign_keys')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const pg = DATABASES.find((d) => d.name === 'postgres');
  test(
    'PostgreSQL with synchronous_commit=off is refused',
    { skip: pg?.skip ?? 'no PostgreSQL target' },
    async () => {
      const url = new URL(process.env.ONEPIN_TEST_DATABASE_URL ?? '');
      url.searchParams.set('options', '-c synchronous_commit=off');
      await assert.rejects(
        openPostgres({ connectionString: url.toString() }),
        (e: unknown) =>
          e instanceof UnsafeDurabilityError && e.reasons.includes('synchronous_commit is off'),
      );
    },
  );
});
