import { sql } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { limits } from '../kernel/index.ts';
import type { Database, Executor } from './database.ts';

/**
 * Operating errors that a fresh attempt of the whole transaction can cure: PostgreSQL
 * serialization failures, deadlocks and unique races (a concurrent insert of the same id: the
 * retry then sees the committed row), and SQLite's busy/locked answers from another process.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === '40001' ||
    code === '40P01' ||
    code === '23505' ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT' ||
    code === 'SQLITE_LOCKED'
  );
}

/**
 * Runs `work` in one write transaction and retries the whole of it, a bounded number of times,
 * on retryable errors. On SQLite the transaction starts with BEGIN IMMEDIATE so that two writers
 * never both read and then fail to upgrade their lock. `work` must be safe to run again: it may
 * not have effects outside the database.
 */
export async function writeTransaction<T>(
  db: Database,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      if (db.group !== undefined) return await db.group.run(work);
      if (db.dialect === 'sqlite') {
        return await db.kysely.connection().execute(async (connection) => {
          await sql`begin immediate`.execute(connection);
          try {
            const result = await work(connection);
            await sql`commit`.execute(connection);
            return result;
          } catch (error) {
            await sql`rollback`.execute(connection);
            throw error;
          }
        });
      }
      return await db.kysely.transaction().execute(work);
    } catch (error) {
      if (!isRetryable(error) || attempt >= limits.transactionRetriesMax) throw error;
      // Jittered backoff so that colliding writers do not collide again in step.
      await sleep(Math.floor(Math.random() * 2 ** Math.min(attempt, 6)));
    }
  }
}

/**
 * Runs read-only `work` on one consistent snapshot: REPEATABLE READ on PostgreSQL, a deferred
 * read transaction on SQLite (WAL readers see the database as of their first read).
 */
export async function readSnapshot<T>(
  db: Database,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  if (db.dialect === 'sqlite') {
    return db.kysely.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      try {
        return await work(connection);
      } finally {
        await sql`rollback`.execute(connection);
      }
    });
  }
  return db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(work);
}
