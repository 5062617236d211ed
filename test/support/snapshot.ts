import { sql } from 'kysely';
import type { Database } from '../../src/storage/index.ts';

const TABLES = [
  'ledger_account',
  'ledger_transfer',
  'ledger_pending',
  'ledger_journal',
  'card',
  'card_event',
  'card_denomination',
  'card_issue_batch',
  'card_counter',
] as const;

/** Every row of every table, as text: two equal snapshots prove that nothing changed. */
export async function snapshot(db: Database): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      db.kysely,
    );
    const lines = rows.rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
    );
    parts.push(`${table}:${lines.sort().join('\n')}`);
  }
  return parts.join('\n');
}
