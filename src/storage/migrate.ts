import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Database } from './database.ts';

/** A module's forward-only migrations, named with a global order prefix (`0001_ledger`). */
export type MigrationSet = Readonly<Record<string, Migration>>;

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}

export interface MigrateReport {
  readonly applied: readonly string[];
}

/** Applies every pending migration in name order. There are no down migrations: forward only. */
export async function migrate(db: Database, sets: readonly MigrationSet[]): Promise<MigrateReport> {
  const all: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set)) {
      if (Object.hasOwn(all, name)) throw new Error(`duplicate migration name ${name}`);
      all[name] = migration;
    }
  }
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(all),
    migrationTableName: 'onepin_migration',
    migrationLockTableName: 'onepin_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined)
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
