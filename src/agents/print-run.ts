import { findDenomination, issueCards, type IssueResult } from '../cards/index.ts';
import { fail, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { AgentsContext } from './context.ts';
import { agentTables } from './tables.ts';

export const PRINT_RUN_HEADER = 'serial,pin,denomination,face_value_minor,currency,design';

/**
 * Issues a batch of physical cards and writes its print-run file for the card printer as it
 * goes: one line per card (serial, PIN for the scratch panel, denomination, design). This is
 * the only time the PINs exist in the clear; the database keeps keyed hashes. The export is
 * recorded against the issue batch and can never happen again (`exportPrintRun` refuses).
 */
export async function issuePrintRun(
  ctx: AgentsContext,
  input: {
    readonly denominationId: string;
    readonly count: number;
    readonly design: string;
    readonly operator: string;
    /** Receives the header, then each line; the caller writes them to the printer's file. */
    readonly write: (line: string) => void;
    readonly livemode?: boolean;
  },
): Promise<Outcome<IssueResult>> {
  const design = input.design.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/.test(design))
    return fail('parameter_invalid', 'design');
  if (input.operator.trim() === '') return fail('parameter_invalid', 'operator');
  const denomination = await findDenomination(ctx.db.kysely, input.denominationId);
  if (denomination?.onSale !== true) return fail('denomination_invalid', 'denomination');
  input.write(PRINT_RUN_HEADER);
  const issued = await issueCards(ctx.cards, {
    denominationId: denomination.id,
    count: input.count,
    collect: false,
    ...(input.livemode !== undefined ? { livemode: input.livemode } : {}),
    onChunk: (cards) => {
      for (const card of cards)
        input.write(
          [
            card.serial,
            card.pin,
            denomination.id,
            String(denomination.amountMinor),
            denomination.currency,
            design,
          ].join(','),
        );
    },
  });
  if (!issued.ok) return issued;
  const nowMs = ctx.clock.nowMs();
  await writeTransaction(ctx.db, async (tx) => {
    await agentTables(tx)
      .insertInto('agent_print_run')
      .values({
        issue_batch_id: issued.value.batchId,
        design,
        card_count: BigInt(issued.value.count),
        exported_by: input.operator,
        exported_at_ms: nowMs,
      })
      .execute();
  });
  return ok(issued.value);
}

/**
 * A second export of a batch's PINs: always refused. The PINs were written once, at issuance;
 * since then they exist only as keyed hashes. The detail says when and by whom.
 */
export async function exportPrintRun(ctx: AgentsContext, batchId: string): Promise<Outcome<never>> {
  const run = await agentTables(ctx.db.kysely)
    .selectFrom('agent_print_run')
    .selectAll()
    .where('issue_batch_id', '=', batchId)
    .executeTakeFirst();
  if (run === undefined)
    return fail(
      'print_run_exported',
      'batch',
      `${batchId}: no print run was written at issuance; its PINs exist only as keyed hashes`,
    );
  return fail(
    'print_run_exported',
    'batch',
    `${batchId}: exported at ${new Date(Number(run.exported_at_ms)).toISOString()} by ${run.exported_by}`,
  );
}
