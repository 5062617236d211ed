import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, isCurrency, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { AccountFlags, ensureSystemAccounts } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import type { AgentsContext } from './context.ts';
import { formatCommission, parseCommission, type CommissionRule } from './rules.ts';
import { agentTables, type AgentsTables } from './tables.ts';

export interface Agent {
  readonly id: string;
  readonly name: string;
  readonly contact: string;
  readonly currency: Currency;
  /** Per denomination id; `*` is the default for the others. */
  readonly commission: Readonly<Record<string, CommissionRule>>;
  readonly termsDays: number;
  readonly receivableAccountId: string;
  readonly keyLast4: string | null;
  readonly status: string;
  readonly createdAtMs: bigint;
}

export function agentId(): string {
  return `agt_${randomBytes(11).toString('hex')}`;
}

export function agentFromRow(row: AgentsTables['agent']): Agent {
  const raw = JSON.parse(row.commission) as Record<string, string>;
  const commission: Record<string, CommissionRule> = {};
  for (const [den, text] of Object.entries(raw)) {
    const rule = parseCommission(text);
    if (rule.ok) commission[den] = rule.value;
  }
  return {
    id: row.id,
    name: row.name,
    contact: row.contact,
    currency: isCurrency(row.currency) ? row.currency : 'KRW',
    commission,
    termsDays: Number(row.terms_days),
    receivableAccountId: row.receivable_account_id,
    keyLast4: row.key_last4,
    status: row.status,
    createdAtMs: row.created_at_ms,
  };
}

export async function getAgent(executor: Executor, id: string): Promise<Agent | undefined> {
  const row = await agentTables(executor)
    .selectFrom('agent')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : agentFromRow(row);
}

export async function listAgents(executor: Executor): Promise<Agent[]> {
  const rows = await agentTables(executor)
    .selectFrom('agent')
    .selectAll()
    .orderBy('name')
    .execute();
  return rows.map(agentFromRow);
}

/**
 * Adds a selling agent with its own `agent_receivable` ledger account. `commission` maps a
 * denomination id (or `*`) to `500bps` or `fixed:300`.
 */
export async function addAgent(
  ctx: AgentsContext,
  input: {
    readonly name: string;
    readonly contact: string;
    readonly currency?: string;
    readonly commission: Readonly<Record<string, string>>;
    readonly termsDays: number;
  },
): Promise<Outcome<Agent>> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) return fail('parameter_invalid', 'name');
  if (input.contact.length > 200) return fail('parameter_invalid', 'contact');
  if (!Number.isSafeInteger(input.termsDays) || input.termsDays < 0 || input.termsDays > 365)
    return fail('parameter_invalid', 'terms_days', 'terms are 0 to 365 days');
  const commission: Record<string, string> = {};
  for (const [den, text] of Object.entries(input.commission)) {
    const rule = parseCommission(text);
    if (!rule.ok) return fail(rule.code, 'commission', rule.detail);
    commission[den] = formatCommission(rule.value);
  }
  const currency = input.currency ?? 'KRW';
  if (!isCurrency(currency)) return fail('currency_invalid', 'currency');
  const id = agentId();
  const accountId = `acc_${id}`;
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    await ensureSystemAccounts(ctx.ledger, tx, currency, nowMs);
    const created = await ctx.ledger.createAccounts(
      tx,
      [
        {
          id: accountId,
          currency,
          code: 'agent_receivable',
          flags: AccountFlags.none,
          ownerRef: id,
        },
      ],
      nowMs,
    );
    if (created[0] !== 'ok') return fail('ledger_rejected', undefined, created[0]);
    const row: AgentsTables['agent'] = {
      id,
      name,
      contact: input.contact,
      currency,
      commission: JSON.stringify(commission),
      terms_days: BigInt(input.termsDays),
      receivable_account_id: accountId,
      key_id: null,
      key_hash: null,
      key_last4: null,
      status: 'active',
      created_at_ms: nowMs,
    };
    await agentTables(tx).insertInto('agent').values(row).execute();
    return ok(agentFromRow(row));
  });
}

function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The signing secret of an agent key: HMAC of the key id under the server key, never stored. */
export function agentSigningSecret(ctx: AgentsContext, keyId: string): string {
  return `as_${createHmac('sha256', ctx.signingKey).update(keyId).digest('base64url')}`;
}

/**
 * Issues the agent's POS key (`ak_…`) and its signing secret, both shown once; a new key
 * replaces the old one at once. Only the key's SHA-256 is kept.
 */
export async function issueAgentKey(
  ctx: AgentsContext,
  id: string,
): Promise<Outcome<{ keyId: string; key: string; signingSecret: string }>> {
  const key = `ak_${randomBytes(30).toString('base64url')}`;
  const keyId = `agk_${randomBytes(11).toString('hex')}`;
  const result = await agentTables(ctx.db.kysely)
    .updateTable('agent')
    .set({ key_id: keyId, key_hash: hashKey(key), key_last4: key.slice(-4) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return fail('agent_not_found', 'agent');
  return ok({ keyId, key, signingSecret: agentSigningSecret(ctx, keyId) });
}

/** The agent and key id of a presented key, or null. */
export async function agentOfKey(
  ctx: AgentsContext,
  key: string,
): Promise<{ agent: Agent; keyId: string } | null> {
  if (!/^ak_[A-Za-z0-9_-]{40}$/.test(key)) return null;
  const hash = hashKey(key);
  const row = await agentTables(ctx.db.kysely)
    .selectFrom('agent')
    .selectAll()
    .where('key_hash', '=', hash)
    .executeTakeFirst();
  if (
    row?.key_hash === undefined ||
    row.key_hash === null ||
    row.key_id === null ||
    row.status !== 'active'
  )
    return null;
  if (!timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return { agent: agentFromRow(row), keyId: row.key_id };
}
