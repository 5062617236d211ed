import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { UnsafeDurabilityError } from './durability.ts';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** 64-bit integers (and integer sums, which PostgreSQL returns as numeric) come back as bigint. */
const parseBigInt = (value: string): bigint => BigInt(value);
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseBigInt;
    return pg.types.getTypeParser(oid, format ?? 'text') as unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  readonly connectionString: string;
  readonly poolSizeMax?: number;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSizeMax ?? 10,
    types,
  });
  const kysely = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  try {
    await checkPostgresDurability(kysely);
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
  return {
    dialect: 'postgres',
    kysely,
    describe: redactUrl(options.connectionString),
    close: () => kysely.destroy(),
  };
}

/** fsync off, synchronous_commit off or torn pages allowed could lose an acknowledged payment. */
async function checkPostgresDurability(kysely: Kysely<object>): Promise<void> {
  const reasons: string[] = [];
  const show = async (name: string): Promise<string> => {
    const result = await sql<{ value: string }>`select current_setting(${name}) as value`.execute(
      kysely,
    );
    return result.rows[0]?.value ?? '';
  };
  if ((await show('fsync')) !== 'on') reasons.push('fsync is off');
  const syncCommit = await show('synchronous_commit');
  if (syncCommit === 'off') reasons.push('synchronous_commit is off');
  if ((await show('full_page_writes')) !== 'on') reasons.push('full_page_writes is off');
  if (reasons.length > 0) throw new UnsafeDurabilityError(reasons);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}
