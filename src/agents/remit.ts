import { randomBytes } from 'node:crypto';
import {
  derivedId,
  fail,
  isCurrency,
  isValidCallerId,
  ok,
  type Currency,
  type Outcome,
} from '../kernel/index.ts';
import { isApplied, systemAccountId } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { getAgent, listAgents, type Agent } from './agents.ts';
import type { AgentsContext } from './context.ts';
import { remittanceStatus } from './rules.ts';
import { saleFromRow, type AgentSale } from './sales.ts';
import { agentTables } from './tables.ts';

export interface Remittance {
  readonly id: string;
  readonly agentId: string;
  readonly reference: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly recordedBy: string;
  readonly paidAtMs: bigint;
}

/** What the agent owes: the debit balance of its `agent_receivable` account. */
async function owedOf(ctx: AgentsContext, executor: Executor, agent: Agent): Promise<bigint> {
  const account = await ctx.ledger.getAccount(executor, agent.receivableAccountId);
  return account === undefined ? 0n : account.debitsPosted - account.creditsPosted;
}

/**
 * Records money received from an agent: `funding_clearing → agent_receivable`, code
 * `agent_remittance`. Idempotent by the agent's reference (same amount); never more than owed.
 */
export async function recordRemittance(
  ctx: AgentsContext,
  input: {
    readonly agentId: string;
    readonly amountMinor: bigint;
    readonly reference: string;
    readonly operator: string;
  },
): Promise<Outcome<Remittance & { readonly replayed: boolean }>> {
  if (input.amountMinor <= 0n) return fail('amount_must_be_positive', 'amount');
  if (!isValidCallerId(input.reference)) return fail('parameter_invalid', 'reference');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const agent = await getAgent(tx, input.agentId);
    if (agent === undefined) return fail('agent_not_found', 'agent');
    const t = agentTables(tx);
    const prior = await t
      .selectFrom('agent_remittance')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('reference', '=', input.reference)
      .executeTakeFirst();
    if (prior !== undefined) {
      if (prior.amount_minor !== input.amountMinor)
        return fail('agent_reference_conflict', 'reference');
      return ok({ ...remittanceFromRow(prior), replayed: true });
    }
    if (input.amountMinor > (await owedOf(ctx, tx, agent)))
      return fail('remittance_exceeds_owed', 'amount');
    const id = `rem_${randomBytes(11).toString('hex')}`;
    const [result] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: derivedId('agr', id),
          debitAccountId: systemAccountId(agent.currency, 'funding_clearing'),
          creditAccountId: agent.receivableAccountId,
          amountMinor: input.amountMinor,
          currency: agent.currency,
          code: 'agent_remittance',
          reference: `${agent.id}:${input.reference}`,
        },
      ],
      nowMs,
    );
    if (result === undefined || !isApplied(result))
      return fail('ledger_rejected', undefined, result);
    const row = {
      id,
      agent_id: agent.id,
      reference: input.reference,
      amount_minor: input.amountMinor,
      currency: agent.currency,
      recorded_by: input.operator,
      paid_at_ms: nowMs,
    };
    await t.insertInto('agent_remittance').values(row).execute();
    return ok({ ...remittanceFromRow(row), replayed: false });
  });
}

function remittanceFromRow(row: {
  id: string;
  agent_id: string;
  reference: string;
  amount_minor: bigint;
  currency: string;
  recorded_by: string;
  paid_at_ms: bigint;
}): Remittance {
  return {
    id: row.id,
    agentId: row.agent_id,
    reference: row.reference,
    amountMinor: row.amount_minor,
    currency: isCurrency(row.currency) ? row.currency : 'KRW',
    recordedBy: row.recorded_by,
    paidAtMs: row.paid_at_ms,
  };
}

export interface AgentStatement {
  readonly agent: Agent;
  readonly fromMs: bigint;
  readonly toMs: bigint;
  readonly sales: readonly AgentSale[];
  readonly remittances: readonly Remittance[];
  readonly faceMinor: bigint;
  readonly commissionMinor: bigint;
  readonly netMinor: bigint;
  readonly paidMinor: bigint;
  /** All time, from the ledger: what the agent owes now. */
  readonly owedMinor: bigint;
  /** Of that, what fell due before now (payments settle the oldest sales first). */
  readonly overdueMinor: bigint;
  readonly oldestOverdueDueAtMs: bigint | null;
  readonly unsoldStock: number;
}

/** Sales and remittances in [fromMs, toMs), with the agent's balance owed and overdue now. */
export async function agentStatement(
  ctx: AgentsContext,
  input: { readonly agentId: string; readonly fromMs?: bigint; readonly toMs?: bigint },
): Promise<Outcome<AgentStatement>> {
  const db = ctx.db.kysely;
  const agent = await getAgent(db, input.agentId);
  if (agent === undefined) return fail('agent_not_found', 'agent');
  const fromMs = input.fromMs ?? 0n;
  const toMs = input.toMs ?? ctx.clock.nowMs() + 1n;
  if (fromMs > toMs) return fail('parameter_invalid', 'from');
  const t = agentTables(db);
  const allSales = await t
    .selectFrom('agent_sale')
    .selectAll()
    .where('agent_id', '=', agent.id)
    .where('state', '=', 'done')
    .orderBy('sold_at_ms')
    .orderBy('id')
    .execute();
  const allRemits = await t
    .selectFrom('agent_remittance')
    .selectAll()
    .where('agent_id', '=', agent.id)
    .orderBy('paid_at_ms')
    .orderBy('id')
    .execute();
  const sales = allSales
    .filter((s) => s.sold_at_ms >= fromMs && s.sold_at_ms < toMs)
    .map(saleFromRow);
  const remittances = allRemits
    .filter((r) => r.paid_at_ms >= fromMs && r.paid_at_ms < toMs)
    .map(remittanceFromRow);
  const status = remittanceStatus(
    allSales.map((s) => ({ netMinor: s.face_minor - s.commission_minor, dueAtMs: s.due_at_ms })),
    allRemits.reduce((sum, r) => sum + r.amount_minor, 0n),
    ctx.clock.nowMs(),
  );
  const stock = await t
    .selectFrom('agent_stock')
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
    .where('agent_id', '=', agent.id)
    .executeTakeFirst();
  const faceMinor = sales.reduce((s, x) => s + x.faceMinor, 0n);
  const commissionMinor = sales.reduce((s, x) => s + x.commissionMinor, 0n);
  return ok({
    agent,
    fromMs,
    toMs,
    sales,
    remittances,
    faceMinor,
    commissionMinor,
    netMinor: faceMinor - commissionMinor,
    paidMinor: remittances.reduce((s, r) => s + r.amountMinor, 0n),
    owedMinor: await owedOf(ctx, db, agent),
    overdueMinor: status.overdueMinor,
    oldestOverdueDueAtMs: status.oldestOverdueDueAtMs,
    unsoldStock: Number(stock?.n ?? 0),
  });
}

/** Agents with an overdue balance now. */
export async function overdueAgents(
  ctx: AgentsContext,
): Promise<{ agent: Agent; owedMinor: bigint; overdueMinor: bigint; since: bigint }[]> {
  const out: { agent: Agent; owedMinor: bigint; overdueMinor: bigint; since: bigint }[] = [];
  for (const agent of await listAgents(ctx.db.kysely)) {
    const s = await agentStatement(ctx, { agentId: agent.id });
    if (s.ok && s.value.overdueMinor > 0n && s.value.oldestOverdueDueAtMs !== null)
      out.push({
        agent,
        owedMinor: s.value.owedMinor,
        overdueMinor: s.value.overdueMinor,
        since: s.value.oldestOverdueDueAtMs,
      });
  }
  return out;
}
