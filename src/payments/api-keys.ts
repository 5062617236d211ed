import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, newId, ok, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { getAssociate } from './associates.ts';
import { paymentTables, type PaymentsContext } from './context.ts';

export const API_SCOPES = [
  'payments:read',
  'payments:write',
  'refunds:write',
  'charges:write',
  'events:read',
  'charging:write',
  'charging:read',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Who is calling: resolved from the API key on every request. */
export interface Principal {
  readonly associateId: string;
  readonly keyId: string;
  readonly livemode: boolean;
  readonly scopes: readonly ApiScope[];
  readonly trusted: boolean;
}

export interface ApiKeyView {
  readonly id: string;
  readonly associateId: string;
  readonly livemode: boolean;
  readonly last4: string;
  readonly scopes: readonly ApiScope[];
  readonly createdAtMs: bigint;
  readonly expiresAtMs: bigint | null;
  readonly revokedAtMs: bigint | null;
}

export interface NewApiKey {
  readonly key: ApiKeyView;
  /** Shown once: `sk_test_…` or `sk_live_…`. Only its hash is kept. */
  readonly secret: string;
  /** Shown once: signs money-moving requests. Derived from a server key, never stored. */
  readonly signingSecret: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: number): string {
  let out = '';
  for (const b of randomBytes(bytes * 2)) {
    // 248 = 4 × 62: higher bytes would bias the alphabet.
    if (b < 248 && out.length < bytes) out += BASE62[b % 62];
  }
  return out.padEnd(bytes, 'x');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The request-signing secret of a key: HMAC of the key id under the server's signing key. */
export function signingSecretOf(ctx: PaymentsContext, keyId: string): string {
  return `ss_${createHmac('sha256', ctx.keys.apiSigningKey.secret).update(keyId).digest('base64url')}`;
}

function scopesFrom(text: string): ApiScope[] {
  return text
    .split(' ')
    .filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
}

export async function createApiKey(
  ctx: PaymentsContext,
  tx: Executor,
  input: {
    readonly associateId: string;
    readonly livemode: boolean;
    readonly scopes?: readonly string[];
  },
): Promise<Outcome<NewApiKey>> {
  const associate = await getAssociate(tx, input.associateId);
  if (associate === undefined) return fail('associate_not_found', 'associate');
  const scopes = input.scopes ?? API_SCOPES;
  if (scopes.length === 0 || scopes.some((s) => !(API_SCOPES as readonly string[]).includes(s))) {
    return fail('parameter_invalid', 'scopes', `scopes are ${API_SCOPES.join(', ')}`);
  }
  // Gaps in the random stream are impossible with 2× bytes; the length is asserted by padEnd.
  const secret = `sk_${input.livemode ? 'live' : 'test'}_${base62(40)}`;
  const id = newId('key');
  const nowMs = ctx.clock.nowMs();
  await paymentTables(tx)
    .insertInto('api_key')
    .values({
      id,
      associate_id: associate.id,
      livemode: input.livemode ? 1n : 0n,
      secret_hash: hashSecret(secret),
      last4: secret.slice(-4),
      scopes: [...new Set(scopes)].join(' '),
      created_at_ms: nowMs,
      expires_at_ms: null,
      revoked_at_ms: null,
    })
    .execute();
  return ok({
    key: {
      id,
      associateId: associate.id,
      livemode: input.livemode,
      last4: secret.slice(-4),
      scopes: scopesFrom([...new Set(scopes)].join(' ')),
      createdAtMs: nowMs,
      expiresAtMs: null,
      revokedAtMs: null,
    },
    secret,
    signingSecret: signingSecretOf(ctx, id),
  });
}

/** Resolves a presented secret to its principal; revoked, expired or unknown keys get null. */
export async function principalOf(ctx: PaymentsContext, secret: string): Promise<Principal | null> {
  if (!/^sk_(test|live)_[0-9A-Za-z]{40}$/.test(secret)) return null;
  const row = await paymentTables(ctx.db.kysely)
    .selectFrom('api_key')
    .innerJoin('associate', 'associate.id', 'api_key.associate_id')
    .select([
      'api_key.id',
      'api_key.associate_id',
      'api_key.livemode',
      'api_key.scopes',
      'api_key.secret_hash',
      'api_key.expires_at_ms',
      'api_key.revoked_at_ms',
      'associate.status',
      'associate.trusted',
    ])
    .where('api_key.secret_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (row === undefined) return null;
  const a = Buffer.from(row.secret_hash, 'hex');
  const b = Buffer.from(hashSecret(secret), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const nowMs = ctx.clock.nowMs();
  if (row.revoked_at_ms !== null || (row.expires_at_ms !== null && nowMs >= row.expires_at_ms))
    return null;
  if (row.status !== 'active') return null;
  return {
    associateId: row.associate_id,
    keyId: row.id,
    livemode: row.livemode === 1n,
    scopes: scopesFrom(row.scopes),
    trusted: row.trusted === 1n,
  };
}

export async function listApiKeys(executor: Executor, associateId: string): Promise<ApiKeyView[]> {
  const rows = await paymentTables(executor)
    .selectFrom('api_key')
    .selectAll()
    .where('associate_id', '=', associateId)
    .orderBy('created_at_ms')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    associateId: r.associate_id,
    livemode: r.livemode === 1n,
    last4: r.last4,
    scopes: scopesFrom(r.scopes),
    createdAtMs: r.created_at_ms,
    expiresAtMs: r.expires_at_ms,
    revokedAtMs: r.revoked_at_ms,
  }));
}

export async function revokeApiKey(
  ctx: PaymentsContext,
  tx: Executor,
  keyId: string,
): Promise<Outcome<null>> {
  const result = await paymentTables(tx)
    .updateTable('api_key')
    .set({ revoked_at_ms: ctx.clock.nowMs() })
    .where('id', '=', keyId)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n ? ok(null) : fail('api_key_not_found', 'key');
}

/**
 * Rotates a key with overlap: a new key with the same mode and scopes, and the old one keeps
 * working until `overlapMs` has passed, so a deployment can switch without downtime.
 */
export async function rotateApiKey(
  ctx: PaymentsContext,
  tx: Executor,
  keyId: string,
  overlapMs: bigint,
): Promise<Outcome<NewApiKey>> {
  const old = await paymentTables(tx)
    .selectFrom('api_key')
    .selectAll()
    .where('id', '=', keyId)
    .executeTakeFirst();
  const nowMs = ctx.clock.nowMs();
  if (old?.revoked_at_ms !== null) return fail('api_key_not_found', 'key');
  // An expired key stays expired, and a key already winding down is not given more time.
  if (old.expires_at_ms !== null && old.expires_at_ms <= nowMs)
    return fail('api_key_not_found', 'key');
  if (overlapMs < 0n || overlapMs > 30n * 86_400_000n) return fail('parameter_invalid', 'overlap');
  const fresh = await createApiKey(ctx, tx, {
    associateId: old.associate_id,
    livemode: old.livemode === 1n,
    scopes: scopesFrom(old.scopes),
  });
  if (!fresh.ok) return fresh;
  await paymentTables(tx)
    .updateTable('api_key')
    .set({
      expires_at_ms:
        old.expires_at_ms !== null && old.expires_at_ms < nowMs + overlapMs
          ? old.expires_at_ms
          : nowMs + overlapMs,
    })
    .where('id', '=', keyId)
    .execute();
  return fresh;
}
