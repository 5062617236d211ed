import { createHash } from 'node:crypto';
import { writeTransaction, type Executor } from '../storage/index.ts';
import type { Principal } from './api-keys.ts';
import { paymentTables, type PaymentsContext } from './context.ts';

/** Idempotency records are kept this long (at least the 24 hours we promise). */
export const IDEMPOTENCY_TTL_MS = 48n * 3_600_000n;
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotentResult =
  | (StoredResponse & { readonly replayed: boolean; readonly conflict?: false })
  | { readonly conflict: true };

/** The request's fingerprint: a different body under the same key is a conflict. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so key order never makes two equal requests differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The stored answer for a key without running anything (see replayIfSeen in the HTTP layer). */
export async function peekIdempotent(
  ctx: PaymentsContext,
  principal: Principal,
  key: string,
  hash: string,
): Promise<IdempotentResult | null> {
  return lookup(ctx.db.kysely, principal, key, hash);
}

class RollbackWith extends Error {
  constructor(readonly response: StoredResponse) {
    super('rolled back with a stored answer');
  }
}

async function lookup(
  tx: Executor,
  principal: Principal,
  key: string,
  hash: string,
): Promise<IdempotentResult | null> {
  const row = await paymentTables(tx)
    .selectFrom('idempotency_record')
    .selectAll()
    .where('associate_id', '=', principal.associateId)
    .where('livemode', '=', principal.livemode ? 1n : 0n)
    .where('key', '=', key)
    .executeTakeFirst();
  if (row === undefined) return null;
  if (row.request_hash !== hash) return { conflict: true };
  return {
    status: Number(row.status_code),
    body: JSON.parse(row.response) as unknown,
    replayed: true,
  };
}

async function store(
  ctx: PaymentsContext,
  tx: Executor,
  principal: Principal,
  key: string,
  hash: string,
  response: StoredResponse,
): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  await paymentTables(tx)
    .insertInto('idempotency_record')
    .values({
      associate_id: principal.associateId,
      livemode: principal.livemode ? 1n : 0n,
      key,
      request_hash: hash,
      status_code: BigInt(response.status),
      response: JSON.stringify(response.body),
      created_at_ms: nowMs,
      expires_at_ms: nowMs + IDEMPOTENCY_TTL_MS,
    })
    .execute();
}

/**
 * Runs a mutating request once per (associate, mode, key). The answer is stored in the same
 * transaction as the effect, so a crash never leaves one without the other; a repeat replays it,
 * a different body under the key is a conflict. Concurrent duplicates: on SQLite writers are
 * serialized; on PostgreSQL the loser's insert hits the primary key, its transaction is retried
 * and then finds the winner's record. A refused request (4xx) stores its answer with no effect.
 */
export async function idempotent(
  ctx: PaymentsContext,
  principal: Principal,
  key: string,
  hash: string,
  work: (tx: Executor) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  try {
    return await writeTransaction(ctx.db, async (tx) => {
      const seen = await lookup(tx, principal, key, hash);
      if (seen !== null) return seen;
      const response = await work(tx);
      if (response.status >= 400) throw new RollbackWith(response);
      await store(ctx, tx, principal, key, hash, response);
      return { ...response, replayed: false };
    });
  } catch (error) {
    if (!(error instanceof RollbackWith)) throw error;
    return writeTransaction(ctx.db, async (tx) => {
      const seen = await lookup(tx, principal, key, hash);
      if (seen !== null) return seen;
      await store(ctx, tx, principal, key, hash, error.response);
      return { ...error.response, replayed: false };
    });
  }
}

/** Drops records past their time; run by the worker. */
export async function purgeIdempotency(ctx: PaymentsContext): Promise<bigint> {
  const nowMs = ctx.clock.nowMs();
  const result = await paymentTables(ctx.db.kysely)
    .deleteFrom('idempotency_record')
    .where('expires_at_ms', '<', nowMs)
    .executeTakeFirst();
  const sigs = await paymentTables(ctx.db.kysely)
    .deleteFrom('api_signature_seen')
    .where('expires_at_ms', '<', nowMs)
    .executeTakeFirst();
  return result.numDeletedRows + sigs.numDeletedRows;
}
