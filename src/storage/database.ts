import type { Kysely } from 'kysely';
import type { GroupCommitter } from './group-commit.ts';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The one database handle. Modules see it through `tablesOf<T>()`, typed with only their own
 * tables, so a module cannot read another module's tables without a visible cast.
 */
export interface Database {
  readonly dialect: DialectName;
  readonly kysely: Kysely<object>;
  /** Where the data lives, for people: a file path or a redacted URL. */
  readonly describe: string;
  /** SQLite's group commit (see group-commit.ts); absent on PostgreSQL or when turned off. */
  readonly group?: GroupCommitter;
  close(): Promise<void>;
}

/** An open transaction (or the bare database for reads), typed per module. */
export type Executor = Kysely<object>;

export function tablesOf<T>(executor: Executor): Kysely<T> {
  return executor as unknown as Kysely<T>;
}
