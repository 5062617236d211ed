import { randomBytes } from 'node:crypto';
import { fail, ok, type Outcome } from '../kernel/index.ts';
import { moveStock } from '../cards/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { getAgent } from './agents.ts';
import type { AgentsContext } from './context.ts';
import { formatRange, parseRanges, rangeSize, rangesOverlap, type SerialRange } from './rules.ts';
import { agentTables } from './tables.ts';

export type ConsignmentState = 'proposed' | 'consigned' | 'rejected';

export interface Consignment {
  readonly id: string;
  readonly agentId: string;
  readonly state: ConsignmentState;
  readonly ranges: readonly SerialRange[];
  readonly cardCount: bigint;
  readonly proposedBy: string;
  readonly proposedAtMs: bigint;
  readonly decidedBy: string | null;
  readonly decidedAtMs: bigint | null;
}

const INSERT_ROWS = 400;

function checkOperator(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(name);
}

export async function getConsignment(
  executor: Executor,
  id: string,
): Promise<Consignment | undefined> {
  const t = agentTables(executor);
  const row = await t
    .selectFrom('agent_consignment')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const ranges = await t
    .selectFrom('agent_consignment_range')
    .selectAll()
    .where('consignment_id', '=', id)
    .orderBy('serial_first')
    .execute();
  return {
    id: row.id,
    agentId: row.agent_id,
    state: row.state as ConsignmentState,
    ranges: ranges.map((r) => ({ first: r.serial_first, last: r.serial_last })),
    cardCount: row.card_count,
    proposedBy: row.proposed_by,
    proposedAtMs: row.proposed_at_ms,
    decidedBy: row.decided_by,
    decidedAtMs: row.decided_at_ms,
  };
}

export async function listConsignments(
  executor: Executor,
  agentIdFilter?: string,
): Promise<Consignment[]> {
  let q = agentTables(executor).selectFrom('agent_consignment').select('id');
  if (agentIdFilter !== undefined) q = q.where('agent_id', '=', agentIdFilter);
  const ids = await q.orderBy('proposed_at_ms').orderBy('id').execute();
  const out: Consignment[] = [];
  for (const { id } of ids) {
    const c = await getConsignment(executor, id);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** Every card of every range exists and is unsold vault stock (`issued`). */
async function checkStock(tx: Executor, ranges: readonly SerialRange[]): Promise<Outcome<null>> {
  const t = agentTables(tx);
  for (const range of ranges) {
    const rows = await t
      .selectFrom('card')
      .select(['state'])
      .where('serial', '>=', range.first)
      .where('serial', '<=', range.last)
      .execute();
    if (BigInt(rows.length) !== rangeSize(range))
      return fail('serial_unknown', 'ranges', formatRange(range));
    if (rows.some((r) => r.state !== 'issued'))
      return fail('stock_not_available', 'ranges', formatRange(range));
  }
  return ok(null);
}

/**
 * Proposes consigning serial ranges to an agent. Nothing moves until a different operator
 * approves. Refused (nothing written) when a range is malformed, overlaps another of the
 * request or a proposal still waiting, names a serial never issued, or holds a card that is
 * not vault stock.
 */
export async function proposeConsignment(
  ctx: AgentsContext,
  input: {
    readonly agentId: string;
    readonly ranges: readonly string[];
    readonly operator: string;
  },
): Promise<Outcome<Consignment>> {
  if (!checkOperator(input.operator)) return fail('parameter_invalid', 'operator');
  const parsed = parseRanges(input.ranges);
  if (!parsed.ok) return fail(parsed.code, 'ranges', parsed.detail);
  const ranges = parsed.value;
  const nowMs = ctx.clock.nowMs();
  const id = `csg_${randomBytes(11).toString('hex')}`;
  return writeTransaction(ctx.db, async (tx) => {
    const t = agentTables(tx);
    if ((await getAgent(tx, input.agentId)) === undefined) return fail('agent_not_found', 'agent');
    const waiting = await t
      .selectFrom('agent_consignment_range')
      .innerJoin(
        'agent_consignment',
        'agent_consignment.id',
        'agent_consignment_range.consignment_id',
      )
      .select(['serial_first', 'serial_last', 'agent_consignment.id'])
      .where('agent_consignment.state', '=', 'proposed')
      .execute();
    for (const w of waiting) {
      const other = { first: w.serial_first, last: w.serial_last };
      const clash = ranges.find((r) => rangesOverlap(r, other));
      if (clash !== undefined)
        return fail('serial_range_overlap', 'ranges', `${formatRange(clash)} is in ${w.id}`);
    }
    const stock = await checkStock(tx, ranges);
    if (!stock.ok) return stock;
    const count = ranges.reduce((s, r) => s + rangeSize(r), 0n);
    await t
      .insertInto('agent_consignment')
      .values({
        id,
        agent_id: input.agentId,
        state: 'proposed',
        card_count: count,
        proposed_by: input.operator,
        proposed_at_ms: nowMs,
        decided_by: null,
        decided_at_ms: null,
      })
      .execute();
    await t
      .insertInto('agent_consignment_range')
      .values(
        ranges.map((r) => ({ consignment_id: id, serial_first: r.first, serial_last: r.last })),
      )
      .execute();
    const made = await getConsignment(tx, id);
    return made === undefined ? fail('consignment_not_found') : ok(made);
  });
}

/**
 * Approves a proposal: every card of its ranges moves `issued → consigned` (no value: nothing
 * in the ledger) and is recorded as the agent's stock. The approver must differ from the
 * proposer. The stock is checked again, so cards sold or consigned since are refused.
 */
export async function approveConsignment(
  ctx: AgentsContext,
  input: { readonly id: string; readonly operator: string },
): Promise<Outcome<Consignment>> {
  if (!checkOperator(input.operator)) return fail('parameter_invalid', 'operator');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const c = await getConsignment(tx, input.id);
    if (c === undefined) return fail('consignment_not_found', 'id');
    if (c.state !== 'proposed') return fail('consignment_state_invalid', 'id', c.state);
    if (c.proposedBy === input.operator) return fail('approval_self', 'operator');
    const stock = await checkStock(tx, c.ranges);
    if (!stock.ok) return stock;
    const t = agentTables(tx);
    for (const range of c.ranges) {
      const cards = await t
        .selectFrom('card')
        .select(['id', 'serial'])
        .where('serial', '>=', range.first)
        .where('serial', '<=', range.last)
        .where('state', '=', 'issued')
        .execute();
      if (BigInt(cards.length) !== rangeSize(range))
        throw new Error(`consignment ${c.id}: stock changed under the transaction`);
      await moveStock(tx, {
        cardIds: cards.map((card) => card.id),
        transition: 'consign',
        reason: `consigned to ${c.agentId} (${c.id}), approved by ${input.operator}`,
        nowMs,
      });
      for (let i = 0; i < cards.length; i += INSERT_ROWS) {
        const part = cards.slice(i, i + INSERT_ROWS);
        await t
          .insertInto('agent_stock')
          .values(
            part.map((card) => ({
              card_id: card.id,
              serial: card.serial,
              agent_id: c.agentId,
              consignment_id: c.id,
            })),
          )
          .execute();
      }
    }
    await t
      .updateTable('agent_consignment')
      .set({ state: 'consigned', decided_by: input.operator, decided_at_ms: nowMs })
      .where('id', '=', c.id)
      .where('state', '=', 'proposed')
      .execute();
    const after = await getConsignment(tx, c.id);
    return after === undefined ? fail('consignment_not_found') : ok(after);
  });
}

/** Rejects a proposal (by a different operator); nothing moves. */
export async function rejectConsignment(
  ctx: AgentsContext,
  input: { readonly id: string; readonly operator: string },
): Promise<Outcome<Consignment>> {
  if (!checkOperator(input.operator)) return fail('parameter_invalid', 'operator');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const c = await getConsignment(tx, input.id);
    if (c === undefined) return fail('consignment_not_found', 'id');
    if (c.state !== 'proposed') return fail('consignment_state_invalid', 'id', c.state);
    if (c.proposedBy === input.operator) return fail('approval_self', 'operator');
    await agentTables(tx)
      .updateTable('agent_consignment')
      .set({ state: 'rejected', decided_by: input.operator, decided_at_ms: nowMs })
      .where('id', '=', c.id)
      .execute();
    const after = await getConsignment(tx, c.id);
    return after === undefined ? fail('consignment_not_found') : ok(after);
  });
}

/**
 * Returns unsold stock: every card of the ranges must be consigned to this agent and unsold,
 * else nothing is returned. Cards go `consigned → issued`; no money moves.
 */
export async function returnStock(
  ctx: AgentsContext,
  input: { readonly agentId: string; readonly ranges: readonly string[]; readonly by: string },
): Promise<Outcome<{ readonly returned: number; readonly serials: readonly string[] }>> {
  const parsed = parseRanges(input.ranges);
  if (!parsed.ok) return fail(parsed.code, 'ranges', parsed.detail);
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    if ((await getAgent(tx, input.agentId)) === undefined) return fail('agent_not_found', 'agent');
    const t = agentTables(tx);
    const all: { id: string; serial: string }[] = [];
    for (const range of parsed.value) {
      const rows = await t
        .selectFrom('agent_stock')
        .innerJoin('card', 'card.id', 'agent_stock.card_id')
        .select(['card.id', 'card.serial', 'card.state'])
        .where('agent_stock.agent_id', '=', input.agentId)
        .where('agent_stock.serial', '>=', range.first)
        .where('agent_stock.serial', '<=', range.last)
        .execute();
      const held = rows.filter((r) => r.state === 'consigned');
      if (BigInt(held.length) !== rangeSize(range))
        return fail('stock_not_consigned', 'ranges', formatRange(range));
      all.push(...held);
    }
    for (let i = 0; i < all.length; i += INSERT_ROWS) {
      const part = all.slice(i, i + INSERT_ROWS);
      const ids = part.map((c) => c.id);
      await moveStock(tx, {
        cardIds: ids,
        transition: 'return_stock',
        reason: `returned by ${input.agentId} (${input.by})`,
        nowMs,
      });
      await t.deleteFrom('agent_stock').where('card_id', 'in', ids).execute();
    }
    return ok({ returned: all.length, serials: all.map((c) => c.serial) });
  });
}
