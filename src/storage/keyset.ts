import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Keyset pagination, newest first: rows strictly before the cursor row in
 * (created_at_ms desc, id desc) order. A row-value comparison, which PostgreSQL and SQLite
 * (3.15+) both support, so one index serves every page.
 */
export function beforeCursor(
  createdColumn: string,
  idColumn: string,
  cursor: { readonly created_at_ms: bigint; readonly id: string },
): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(createdColumn)}, ${sql.ref(idColumn)}) < (${cursor.created_at_ms}, ${cursor.id})`;
}
