import { join } from 'node:path';
import type { Database } from './database.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

export interface OpenOptions {
  /** A `postgres://` URL selects PostgreSQL; otherwise the embedded SQLite file is used. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const url = options.databaseUrl;
  if (url !== undefined && url !== '') {
    if (/^postgres(ql)?:\/\//.test(url)) return openPostgres({ connectionString: url });
    if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
    throw new Error('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
  }
  return openSqlite(join(options.dataDir, 'onepin.sqlite'));
}
