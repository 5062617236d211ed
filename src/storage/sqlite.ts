import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { assert } from '../kernel/index.ts';
import type { Database } from './database.ts';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.ts';
import { UnsafeDurabilityError } from './durability.ts';

/** Prepared statements kept per connection; the statement texts are a closed set. */
const STATEMENT_CACHE_MAX = 512;

/**
 * Opens the embedded database with the settings our durability promise rests on: WAL,
 * synchronous=FULL (every commit is on disk before we answer), foreign keys on. The settings
 * are read back and the open fails when any did not take.
 */
/** Group commit on by default: a group forms within one event-loop turn, up to 256 transactions. */
export const GROUP_COMMIT_DEFAULT: GroupCommitOptions = { waitMs: 0, batchMax: 256 };

export function openSqlite(
  file: string,
  options: { readonly groupCommit?: GroupCommitOptions | null } = {},
): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.defaultSafeIntegers(true);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  checkSqliteDurability(raw, file);

  const cache = new Map<string, BetterSqlite3.Statement>();
  const cachedPrepare = (sqlText: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sqlText);
    if (stmt === undefined) {
      stmt = raw.prepare(sqlText);
      if (cache.size >= STATEMENT_CACHE_MAX) {
        const oldest = cache.keys().next();
        if (oldest.done !== true) cache.delete(oldest.value);
      }
      cache.set(sqlText, stmt);
    }
    return stmt;
  };
  const database = {
    prepare: cachedPrepare,
    close: () => {
      raw.close();
    },
  };
  const kysely = new Kysely<object>({
    dialect: new SqliteDialect({ database }),
  });
  const groupCommit =
    options.groupCommit === undefined ? GROUP_COMMIT_DEFAULT : options.groupCommit;
  return {
    dialect: 'sqlite',
    kysely,
    describe: file,
    ...(groupCommit !== null ? { group: new GroupCommitter(kysely, groupCommit) } : {}),
    close: () => kysely.destroy(),
  };
}

export function checkSqliteDurability(raw: BetterSqlite3.Database, file: string): void {
  const journal = String(raw.pragma('journal_mode', { simple: true }));
  const synchronous = raw.pragma('synchronous', { simple: true }) as bigint;
  const foreignKeys = raw.pragma('foreign_keys', { simple: true }) as bigint;
  const reasons: string[] = [];
  if (file !== ':memory:' && journal.toLowerCase() !== 'wal') {
    reasons.push(`journal_mode is ${journal}, WAL is required`);
  }
  if (synchronous !== 2n && synchronous !== 3n) {
    reasons.push(`synchronous is ${synchronous}, FULL (2) or EXTRA (3) is required`);
  }
  if (foreignKeys !== 1n) reasons.push('foreign_keys is off');
  if (reasons.length > 0) {
    raw.close();
    throw new UnsafeDurabilityError(reasons);
  }
  assert(reasons.length === 0, 'durability checked');
}
