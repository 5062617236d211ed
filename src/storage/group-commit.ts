import { sql, type Kysely } from 'kysely';
import { assert } from '../kernel/index.ts';

/**
 * Group commit for the embedded database. SQLite has one writer and every commit waits for an
 * fsync (synchronous=FULL), so one transaction per request caps throughput at the disk's fsync
 * rate. Write transactions that arrive together are queued and run one after another inside ONE
 * database transaction, each in its own savepoint: a failing one rolls back only its own
 * writes, and every caller gets its answer only after the shared commit is durable. The
 * serial order keeps each transaction's semantics exactly as if it had run alone.
 */
export interface GroupCommitOptions {
  /** How long the first queued transaction waits for company (0 = the same event-loop turn). */
  readonly waitMs: number;
  /** Transactions per group: a full group is flushed at once. */
  readonly batchMax: number;
}

/** A transaction handle (the same type as database.ts's Executor, named here to avoid a cycle). */
type Executor = Kysely<object>;

interface Queued {
  readonly work: (tx: Executor) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitter {
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Groups committed and transactions run, for the benchmark and the tests. */
  readonly stats = { groups: 0, transactions: 0 };

  constructor(
    private readonly kysely: Kysely<object>,
    private readonly options: GroupCommitOptions,
  ) {
    assert(options.batchMax >= 1 && options.batchMax <= 10_000, 'sane group size');
    assert(options.waitMs >= 0 && options.waitMs <= 100, 'sane group wait');
  }

  run<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#queue.length >= this.options.batchMax) this.#schedule(0);
      else if (this.#timer === undefined) this.#schedule(this.options.waitMs);
    });
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Groups never overlap: the next one starts when the previous one has committed.
      this.#flushing = this.#flushing.then(() => this.#flush());
    }, delayMs);
  }

  async #flush(): Promise<void> {
    const group = this.#queue.splice(0, this.options.batchMax);
    if (this.#queue.length > 0) this.#schedule(0);
    if (group.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.kysely.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          for (const item of group) {
            await sql`savepoint onepin_group`.execute(connection);
            try {
              const value = await item.work(connection);
              await sql`release onepin_group`.execute(connection);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql`rollback to onepin_group`.execute(connection);
              await sql`release onepin_group`.execute(connection);
              outcomes.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(connection);
        } catch (error) {
          await sql`rollback`.execute(connection);
          throw error;
        }
      });
    } catch (error) {
      // The group did not commit: nothing of it happened, and every caller learns so.
      for (const item of group) item.reject(error);
      return;
    }
    assert(outcomes.length === group.length, 'one outcome per queued transaction');
    this.stats.groups += 1;
    this.stats.transactions += group.length;
    group.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) item.resolve(outcome.value);
      else item.reject(outcome?.error);
    });
  }
}
