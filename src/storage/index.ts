export type { Database, DialectName, Executor } from './database.ts';
export { tablesOf } from './database.ts';
export { UnsafeDurabilityError } from './durability.ts';
export { migrate, type MigrationSet, type MigrateReport } from './migrate.ts';
export { openDatabase, type OpenOptions } from './open.ts';
export { openPostgres, redactUrl } from './postgres.ts';
export { openSqlite } from './sqlite.ts';
export { beforeCursor } from './keyset.ts';
export { isRetryable, lockClause, readSnapshot, writeTransaction } from './transaction.ts';
