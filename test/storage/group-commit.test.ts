import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { ALL_MIGRATIONS } from '../../src/main/migrations.ts';
import { migrate, openSqlite, writeTransaction, type Database } from '../../src/storage/index.ts';

async function withDb(work: (db: Database) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'onepin-group-'));
  const db = openSqlite(join(dir, 'g.sqlite'), { groupCommit: { waitMs: 2, batchMax: 64 } });
  try {
    await migrate(db, ALL_MIGRATIONS);
    await work(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = async (db: Database, prefix: string): Promise<bigint> => {
  const r = await sql<{
    n: bigint;
  }>`select count(*) as n from card_counter where name like ${`${prefix}%`}`.execute(db.kysely);
  return r.rows[0]?.n ?? 0n;
};

test('concurrent write transactions share commits, and each keeps its own result', async () => {
  await withDb(async (db) => {
    const group = db.group;
    assert.ok(group, 'group commit is on for SQLite');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        writeTransaction(db, async (tx) => {
          await sql`insert into card_counter (name, value) values (${`g${i}`}, ${BigInt(i)})`.execute(
            tx,
          );
          return i * 2;
        }),
      ),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 200 }, (_, i) => i * 2),
    );
    assert.equal(await count(db, 'g'), 200n);
    assert.equal(group.stats.transactions, 200);
    assert.ok(group.stats.groups < 20, `200 transactions in ${group.stats.groups} commits`);
  });
});

test('a failing transaction in a group rolls back alone', async () => {
  await withDb(async (db) => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        writeTransaction(db, async (tx) => {
          await sql`insert into card_counter (name, value) values (${`f${i}`}, 1)`.execute(tx);
          if (i % 3 === 0) throw new Error(`refused ${i}`);
          await sql`update card_counter set value = value + 1 where name = ${`f${i}`}`.execute(tx);
          return i;
        }),
      ),
    );
    const failed = outcomes.filter((o) => o.status === 'rejected').length;
    assert.equal(failed, 10);
    assert.equal(await count(db, 'f'), 20n, 'the failed ones left nothing, the others everything');
    const values = await sql<{
      v: bigint;
    }>`select distinct value as v from card_counter where name like 'f%'`.execute(db.kysely);
    assert.deepEqual(
      values.rows.map((r) => r.v),
      [2n],
      'each surviving transaction wrote both its rows',
    );
  });
});

test('a transaction sees the writes of the ones before it in its group, as if run alone in order', async () => {
  await withDb(async (db) => {
    await writeTransaction(db, async (tx) => {
      await sql`insert into card_counter (name, value) values ('seq', 0)`.execute(tx);
    });
    const seen = await Promise.all(
      Array.from({ length: 50 }, () =>
        writeTransaction(db, async (tx) => {
          const row = await sql<{
            value: bigint;
          }>`select value from card_counter where name = 'seq'`.execute(tx);
          const next = (row.rows[0]?.value ?? 0n) + 1n;
          await sql`update card_counter set value = ${next} where name = 'seq'`.execute(tx);
          return next;
        }),
      ),
    );
    assert.deepEqual(
      [...seen].sort((a, b) => (a < b ? -1 : 1)),
      Array.from({ length: 50 }, (_, i) => BigInt(i + 1)),
      'no lost update',
    );
  });
});
