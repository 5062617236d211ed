import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ALL_MIGRATIONS } from '../../src/main/migrations.ts';
import { migrate, openPostgres, openSqlite, type Database } from '../../src/storage/index.ts';

/**
 * Every storage and ledger test runs against each database from the same file:
 * `for (const target of DATABASES) describe(target.name, { skip: target.skip }, …)`.
 * SQLite always runs. PostgreSQL runs when ONEPIN_TEST_DATABASE_URL is set; under CI it is
 * required, and a missing URL fails the run instead of skipping it.
 */
export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** A reason to skip, shown in the test output; false when the database is available. */
  readonly skip: string | false;
  /** A fresh, migrated, empty database, and how to throw it away. */
  open(): Promise<{ db: Database; dispose: () => Promise<void> }>;
}

const pgUrl = process.env.ONEPIN_TEST_DATABASE_URL;
if (
  (pgUrl === undefined || pgUrl === '') &&
  process.env.CI !== undefined &&
  process.env.CI !== ''
) {
  throw new Error(
    'CI is set but ONEPIN_TEST_DATABASE_URL is not: the PostgreSQL suite is required',
  );
}

const sqliteTarget: TestDatabase = {
  name: 'sqlite',
  skip: false,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'onepin-test-'));
    const db = openSqlite(join(dir, 'test.sqlite'));
    await migrate(db, ALL_MIGRATIONS);
    return {
      db,
      dispose: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresTarget: TestDatabase = {
  name: 'postgres',
  skip:
    pgUrl === undefined || pgUrl === ''
      ? 'PostgreSQL suite skipped: set ONEPIN_TEST_DATABASE_URL=postgres://… to run it'
      : false,
  async open() {
    if (pgUrl === undefined) throw new Error('no ONEPIN_TEST_DATABASE_URL');
    const name = `onepin_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    const db = await openPostgres({ connectionString: url.toString(), poolSizeMax: 20 });
    await migrate(db, ALL_MIGRATIONS);
    return {
      db,
      dispose: async () => {
        await db.close();
        const cleanup = new pg.Client({ connectionString: pgUrl });
        await cleanup.connect();
        // pg's pool.end() resolves before the server has seen every connection close; wait
        // (bounded) so that dropping the database does not kill a connection mid-goodbye.
        for (let i = 0; i < 100; i += 1) {
          const r = await cleanup.query<{ n: string }>(
            'select count(*) as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (r.rows[0]?.n === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      },
    };
  },
};

export const DATABASES: readonly TestDatabase[] = [sqliteTarget, postgresTarget];
