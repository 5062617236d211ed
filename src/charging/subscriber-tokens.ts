import { createHash, randomBytes } from 'node:crypto';
import { authenticate, cardBalance, type Card } from '../cards/index.ts';
import { MS_PER_SECOND, fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import type { SessionsContext } from './context.ts';
import { sessionTables } from './session-tables.ts';

/** `st_` + 43 base64url characters (32 random bytes). */
const TOKEN_PATTERN = /^st_[A-Za-z0-9_-]{43}$/;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SubscriberToken {
  /** Shown once to the caller (the IVR, a switch front end); only its hash is stored. */
  readonly token: string;
  readonly cardId: string;
  readonly expiresAtMs: bigint;
  readonly balanceMinor: bigint;
  readonly currency: Currency;
}

/**
 * PIN + password → an opaque subscriber token that stands for the card in charging requests
 * (Diameter Subscription-Id, the charging API), so the PIN never travels past the front end.
 * Failed secrets count against the card's lockout, whatever the channel.
 */
export async function issueSubscriberToken(
  ctx: SessionsContext,
  input: { readonly pin: string; readonly password: string; readonly channel: string },
): Promise<Outcome<SubscriberToken>> {
  const card = await authenticate(ctx.cards, { pin: input.pin, password: input.password });
  if (!card.ok) return card;
  return tokenForCard(ctx, card.value, input.channel);
}

/** A token for a card already authenticated by the caller (the IVR after its own prompts). */
export async function tokenForCard(
  ctx: SessionsContext,
  card: Card,
  channel: string,
): Promise<Outcome<SubscriberToken>> {
  if (card.state === 'locked') return fail('card_locked');
  if (card.state !== 'active') return fail('card_not_active');
  const nowMs = ctx.clock.nowMs();
  const token = `st_${randomBytes(32).toString('base64url')}`;
  const expiresAtMs = nowMs + BigInt(ctx.policy.tokenLifetimeSeconds) * MS_PER_SECOND;
  return writeTransaction(ctx.db, async (tx) => {
    await sessionTables(tx)
      .insertInto('charging_token')
      .values({
        token_hash: tokenHash(token),
        card_id: card.id,
        channel,
        created_at_ms: nowMs,
        expires_at_ms: expiresAtMs,
      })
      .execute();
    const balance = await cardBalance(ctx.cards, tx, card.id);
    if (!balance.ok) return balance;
    return ok({
      token,
      cardId: card.id,
      expiresAtMs,
      balanceMinor: balance.value.balanceMinor,
      currency: balance.value.currency,
    });
  });
}

/** The card a token stands for, or null when the token is unknown, malformed or expired. */
export async function cardOfToken(
  ctx: SessionsContext,
  executor: Executor,
  token: string,
): Promise<string | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await sessionTables(executor)
    .selectFrom('charging_token')
    .select(['card_id', 'expires_at_ms'])
    .where('token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (row === undefined || row.expires_at_ms <= ctx.clock.nowMs()) return null;
  return row.card_id;
}

/** Ends a token before its time (the IVR hangs up, the holder asks). True if it existed. */
export async function revokeSubscriberToken(ctx: SessionsContext, token: string): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  return writeTransaction(ctx.db, async (tx) => {
    const result = await sessionTables(tx)
      .deleteFrom('charging_token')
      .where('token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}

/** Deletes expired tokens (the worker); returns how many. */
export async function purgeExpiredTokens(ctx: SessionsContext, limit: number): Promise<number> {
  return writeTransaction(ctx.db, async (tx) => {
    const rows = await sessionTables(tx)
      .selectFrom('charging_token')
      .select('token_hash')
      .where('expires_at_ms', '<=', ctx.clock.nowMs())
      .limit(limit)
      .execute();
    if (rows.length === 0) return 0;
    await sessionTables(tx)
      .deleteFrom('charging_token')
      .where(
        'token_hash',
        'in',
        rows.map((r) => r.token_hash),
      )
      .execute();
    return rows.length;
  });
}
