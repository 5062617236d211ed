/**
 * `npm run bench`: the ledger path against the limits of this machine, measured in ONE run so the
 * ratios mean something on a shared, noisy host. Not a test: it prints figures, it asserts
 * nothing about speed.
 *
 *   baseline  raw better-sqlite3, one debit + credit + journal row per commit, synchronous=FULL
 *   sqlite    OnePIN holds through the card and ledger code, group commit off, then on
 *   pgbench   TPC-B-like, 8 clients, prepared, same duration (when PostgreSQL is reachable)
 *   postgres  OnePIN holds on PostgreSQL, 8 and 32 concurrent callers
 */
import BetterSqlite3 from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  DEFAULT_CATALOGUE,
  activateCard,
  issueCards,
  sellCard,
  spend,
  upsertDenomination,
} from '../src/cards/index.ts';
import { ensureSystemAccounts, verifyLedger } from '../src/ledger/index.ts';
import { wireApp, type App } from '../src/main/app.ts';
import { ALL_MIGRATIONS } from '../src/main/migrations.ts';
import {
  migrate,
  openPostgres,
  openSqlite,
  writeTransaction,
  type Database,
} from '../src/storage/index.ts';

const quick = process.argv.includes('--quick');
const OPS = quick ? 600 : 4_000;
const SECONDS = quick ? 3 : 10;
const results: Record<string, number> = {};

function keys() {
  const k = (id: string) => ({ id, secret: randomBytes(32) });
  return { pinKeys: [k('k1')], passwordKey: k('p1'), activationKey: k('a1') };
}

function rawSqliteBaseline(dir: string): number {
  const db = new BetterSqlite3(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table acc (id integer primary key, bal integer not null);
           create table jr (id integer primary key, acc integer, amt integer, bal integer);
           insert into acc values (1, 1000000000), (2, 0);`);
  const debit = db.prepare('update acc set bal = bal - ? where id = 1');
  const credit = db.prepare('update acc set bal = bal + ? where id = 2');
  const line = db.prepare('insert into jr (acc, amt, bal) values (?, ?, ?)');
  const op = db.transaction((amt: number) => {
    debit.run(amt);
    credit.run(amt);
    line.run(1, -amt, 0);
  });
  const start = performance.now();
  for (let i = 0; i < OPS; i += 1) op(1);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return OPS / seconds;
}

/** Cards with enough value that every hold fits; returns their ids. */
async function prepare(app: App, cards: number): Promise<string[]> {
  const nowMs = app.clock.nowMs();
  await writeTransaction(app.db, async (tx) => {
    await ensureSystemAccounts(app.ledger, tx, 'KRW', nowMs);
    for (const d of DEFAULT_CATALOGUE) await upsertDenomination(tx, d, nowMs);
    await app.ledger.createAccounts(
      tx,
      [{ id: 'acc_bench_shop', currency: 'KRW', code: 'merchant_payable', flags: 1n }],
      nowMs,
    );
  });
  const issued = await issueCards(app.cards, { denominationId: 'den_krw_100000', count: cards });
  if (!issued.ok) throw new Error('issue failed');
  const ids: string[] = [];
  for (const c of issued.value.cards) {
    const sold = await sellCard(app.cards, {
      serial: c.serial,
      channel: 'demo',
      activationKind: 'otp',
    });
    if (!sold.ok) throw new Error('sale failed');
    const active = await activateCard(app.cards, {
      pin: c.pin,
      activationSecret: sold.value.activationSecret,
      password: '2580',
    });
    if (!active.ok) throw new Error('activation failed');
    ids.push(active.value.id);
  }
  return ids;
}

/** `ops` holds of 1 won spread over the cards, `concurrency` callers at a time. */
async function holds(
  app: App,
  cardIds: string[],
  concurrency: number,
  label: string,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= OPS) return;
      const r = await spend(app.cards, {
        cardId: cardIds[i % cardIds.length] ?? '',
        creditAccountId: 'acc_bench_shop',
        amountMinor: 1n,
        currency: 'KRW',
        transferId: `${label}_${i}`,
        code: 'authorization',
        holdTimeoutMs: 3_600_000n,
      });
      if (!r.ok) throw new Error(`hold refused: ${r.error.code}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return OPS / ((performance.now() - start) / 1000);
}

async function onepin(db: Database, label: string, concurrency: number): Promise<number> {
  await migrate(db, ALL_MIGRATIONS);
  const app = wireApp(db, keys());
  const cards = await prepare(app, 64);
  const rate = await holds(app, cards, concurrency, label);
  const report = await verifyLedger(db);
  if (!report.ok) throw new Error(`ledger verify failed after ${label}`);
  return rate;
}

function pgbench(url: string): number | null {
  const probe = spawnSync('pgbench', ['--version']);
  if (probe.status !== 0) return null;
  execFileSync('pgbench', ['-i', '-q', '-s', '1', url], { stdio: 'ignore' });
  const out = execFileSync(
    'pgbench',
    ['-c', '8', '-j', '2', '-M', 'prepared', '-T', String(SECONDS), url],
    { encoding: 'utf8' },
  );
  const match = /tps = ([0-9.]+)/.exec(out);
  return match?.[1] === undefined ? null : Number.parseFloat(match[1]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'onepin-bench-'));
  try {
    results.raw_sqlite_ops_per_s = rawSqliteBaseline(dir);
    const off = openSqlite(join(dir, 'off.sqlite'), { groupCommit: null });
    results.onepin_sqlite_holds_per_s_group_off = await onepin(off, 'off', 64);
    await off.close();
    const on = openSqlite(join(dir, 'on.sqlite'));
    results.onepin_sqlite_holds_per_s_group_on = await onepin(on, 'on', 64);
    const groups = on.group?.stats;
    if (groups !== undefined)
      results.sqlite_transactions_per_commit = groups.transactions / Math.max(1, groups.groups);
    await on.close();

    const base =
      process.env.ONEPIN_BENCH_DATABASE_URL ??
      process.env.ONEPIN_TEST_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `onepin_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    try {
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(base);
      url.pathname = `/${name}`;
      const tps = pgbench(url.toString());
      if (tps !== null) results.pgbench_tpcb_8_clients_tps = tps;
      for (const concurrency of [8, 32]) {
        const db = await openPostgres({
          connectionString: url.toString(),
          poolSizeMax: concurrency,
        });
        results[`onepin_postgres_holds_per_s_${concurrency}_callers`] = await onepin(
          db,
          `pg${concurrency}`,
          concurrency,
        );
        await db.close();
      }
    } catch (error) {
      console.log(
        `PostgreSQL part skipped: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      // pg's pool.end() resolves before the server sees the connections go: wait (bounded).
      for (let i = 0; i < 100; i += 1) {
        const r = await admin
          .query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [
            name,
          ])
          .catch(() => ({ rows: [{ n: '0' }] }));
        if (r.rows[0]?.n === '0') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (a: string, b: string): string => {
    const x = results[a];
    const y = results[b];
    return x !== undefined && y !== undefined ? (x / y).toFixed(2) : 'n/a';
  };
  console.log(`\nOnePIN bench (${quick ? 'quick' : 'full'}: ${OPS} holds per run, 64 cards)`);
  for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(44)} ${v.toFixed(1)}`);
  console.log(
    `  group commit on / off (SQLite)             ${ratio('onepin_sqlite_holds_per_s_group_on', 'onepin_sqlite_holds_per_s_group_off')}×`,
  );
  console.log(
    `  OnePIN SQLite (group on) / raw SQLite       ${ratio('onepin_sqlite_holds_per_s_group_on', 'raw_sqlite_ops_per_s')}×`,
  );
  console.log(
    `  OnePIN PostgreSQL 8 callers / pgbench       ${ratio('onepin_postgres_holds_per_s_8_callers', 'pgbench_tpcb_8_clients_tps')}×`,
  );
  console.log(JSON.stringify({ bench: 'ledger', quick, ...results }));
}

await main();
