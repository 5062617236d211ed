import { randomBytes } from 'node:crypto';
import { renewActivationSecret, sellCard } from '../cards/index.ts';
import { derivedId, fail, isValidCallerId, limits, ok, type Outcome } from '../kernel/index.ts';
import { isApplied, systemAccountId } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { getAgent, type Agent } from './agents.ts';
import type { AgentsContext } from './context.ts';
import { commissionFor, dueAt, ruleFor } from './rules.ts';
import { agentTables, type AgentsTables } from './tables.ts';

export interface AgentSale {
  readonly id: string;
  readonly agentId: string;
  readonly reference: string;
  readonly cardId: string;
  readonly serial: string;
  readonly denominationId: string;
  readonly faceMinor: bigint;
  readonly commissionMinor: bigint;
  readonly currency: string;
  readonly soldAtMs: bigint;
  readonly dueAtMs: bigint;
}

export interface PosSaleResult {
  readonly sale: AgentSale;
  /**
   * For the receipt: the holder activates the card with PIN + this. A replay (same reference)
   * issues a fresh one and the earlier one stops working; null once the card is activated.
   */
  readonly activationSecret: string | null;
  readonly activationExpiresAtMs: bigint | null;
  readonly replayed: boolean;
}

export function saleFromRow(row: AgentsTables['agent_sale']): AgentSale {
  return {
    id: row.id,
    agentId: row.agent_id,
    reference: row.reference,
    cardId: row.card_id,
    serial: row.serial,
    denominationId: row.denomination_id,
    faceMinor: row.face_minor,
    commissionMinor: row.commission_minor,
    currency: row.currency,
    soldAtMs: row.sold_at_ms,
    dueAtMs: row.due_at_ms,
  };
}

type Step =
  | { readonly kind: 'new' | 'resume'; readonly row: AgentsTables['agent_sale'] }
  | { readonly kind: 'done'; readonly row: AgentsTables['agent_sale'] };

/**
 * An agent sells a consigned card at the point of sale: the card is sold and loaded (face value
 * from the agent's `agent_receivable`), the commission is booked (`commission_expense →
 * agent_receivable`), and the sale is recorded against the agent's reference. Idempotent by
 * reference: a retry never moves money twice; a sale interrupted between its steps is finished
 * by the retry.
 */
export async function posSale(
  ctx: AgentsContext,
  input: { readonly agentId: string; readonly serial: string; readonly reference: string },
): Promise<Outcome<PosSaleResult>> {
  if (!isValidCallerId(input.reference)) return fail('parameter_invalid', 'reference');
  const serial = /^[0-9]{1,12}$/.test(input.serial) ? input.serial.padStart(12, '0') : null;
  if (serial === null) return fail('parameter_invalid', 'serial');
  const nowMs = ctx.clock.nowMs();
  const agent = await getAgent(ctx.db.kysely, input.agentId);
  if (agent === undefined) return fail('agent_not_found', 'agent');

  const step = await writeTransaction(ctx.db, async (tx): Promise<Outcome<Step>> => {
    const t = agentTables(tx);
    const prior = await t
      .selectFrom('agent_sale')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('reference', '=', input.reference)
      .executeTakeFirst();
    if (prior !== undefined) {
      if (prior.serial !== serial) return fail('agent_reference_conflict', 'reference');
      return ok({ kind: prior.state === 'done' ? 'done' : 'resume', row: prior });
    }
    const stock = await t
      .selectFrom('agent_stock')
      .innerJoin('card', 'card.id', 'agent_stock.card_id')
      .select([
        'card.id',
        'card.state',
        'card.denomination_id',
        'card.face_value_minor',
        'card.currency',
      ])
      .where('agent_stock.agent_id', '=', agent.id)
      .where('agent_stock.serial', '=', serial)
      .executeTakeFirst();
    if (stock?.state !== 'consigned') return fail('stock_not_consigned', 'serial');
    const taken = await t
      .selectFrom('agent_sale')
      .select('id')
      .where('card_id', '=', stock.id)
      .executeTakeFirst();
    if (taken !== undefined) return fail('stock_not_consigned', 'serial');
    if (stock.currency !== agent.currency) return fail('currency_mismatch', 'serial');
    const commission = commissionFor(
      ruleFor(agent.commission, stock.denomination_id),
      stock.face_value_minor,
    );
    const row: AgentsTables['agent_sale'] = {
      id: `asl_${randomBytes(11).toString('hex')}`,
      agent_id: agent.id,
      reference: input.reference,
      card_id: stock.id,
      serial,
      denomination_id: stock.denomination_id,
      face_minor: stock.face_value_minor,
      commission_minor: commission,
      currency: stock.currency,
      state: 'pending',
      sold_at_ms: nowMs,
      due_at_ms: dueAt(nowMs, agent.termsDays),
    };
    await t.insertInto('agent_sale').values(row).execute();
    return ok({ kind: 'new', row });
  });
  if (!step.ok) return step;
  const row = step.value.row;

  let secret: { secret: string; expiresAtMs: bigint } | null = null;
  if (step.value.kind !== 'done') {
    const sold = await sellCard(ctx.cards, {
      serial,
      channel: 'agent',
      activationKind: 'pos',
      debitAccountId: agent.receivableAccountId,
      reference: `${agent.id}:${input.reference}`,
    });
    if (sold.ok) {
      secret = {
        secret: sold.value.activationSecret,
        expiresAtMs: sold.value.activationExpiresAtMs,
      };
    } else {
      // A retry after a crash between the steps: the card was sold by the first attempt.
      const saleTransfer = await ctx.ledger.getTransfer(
        ctx.db.kysely,
        derivedId('sale', row.card_id),
      );
      if (step.value.kind === 'new' || saleTransfer === undefined) {
        await agentTables(ctx.db.kysely)
          .deleteFrom('agent_sale')
          .where('id', '=', row.id)
          .where('state', '=', 'pending')
          .execute();
        return sold;
      }
    }
  }
  const booked = await writeTransaction(ctx.db, async (tx) => {
    if (step.value.kind !== 'done') {
      const booked = await bookCommission(ctx, tx, agent, row, nowMs);
      if (!booked.ok) return booked;
    }
    if (secret === null) {
      const renewed = await renewActivationSecret(ctx.cards, tx, {
        cardId: row.card_id,
        kind: 'pos',
        expiresAtMs: nowMs + limits.activationSecretTtlMs,
      });
      if (renewed.ok) secret = renewed.value;
    }
    return ok(null);
  });
  if (!booked.ok) return booked;
  return ok({
    sale: saleFromRow(row),
    activationSecret: secret?.secret ?? null,
    activationExpiresAtMs: secret?.expiresAtMs ?? null,
    replayed: step.value.kind !== 'new',
  });
}

async function bookCommission(
  ctx: AgentsContext,
  tx: Parameters<Parameters<typeof writeTransaction>[1]>[0],
  agent: Agent,
  row: AgentsTables['agent_sale'],
  nowMs: bigint,
): Promise<Outcome<null>> {
  if (row.commission_minor > 0n) {
    const [result] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: derivedId('agc', row.card_id),
          debitAccountId: systemAccountId(agent.currency, 'commission_expense'),
          creditAccountId: agent.receivableAccountId,
          amountMinor: row.commission_minor,
          currency: row.currency,
          code: 'agent_commission',
          reference: `${agent.id}:${row.reference}`,
        },
      ],
      nowMs,
    );
    if (result === undefined || !isApplied(result))
      return fail('ledger_rejected', undefined, result);
  }
  const t = agentTables(tx);
  await t.updateTable('agent_sale').set({ state: 'done' }).where('id', '=', row.id).execute();
  await t.deleteFrom('agent_stock').where('card_id', '=', row.card_id).execute();
  return ok(null);
}
