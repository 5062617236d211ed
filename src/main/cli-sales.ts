import { InvalidArgumentError, type Command } from 'commander';
import { describeError, formatMoney, isoFromMs } from '../kernel/index.ts';
import {
  decideBalanceRefundReview,
  listBalanceRefunds,
  type BalanceRefund,
  type BalanceRefundStatus,
} from '../sales/index.ts';
import type { CliTools } from './cli-associates.ts';

const STATUSES: readonly BalanceRefundStatus[] = [
  'review',
  'approved',
  'rejected',
  'paid',
  'failed',
];

function statusArg(value: string): BalanceRefundStatus {
  if (!(STATUSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`one of ${STATUSES.join(', ')}`);
  return value as BalanceRefundStatus;
}

function showRefund(r: BalanceRefund): string {
  const money = (m: bigint): string => formatMoney(m, r.currency);
  return [
    `${r.id}  ${r.status}  card ${r.cardId}  balance ${money(r.amountMinor)}, fee ${money(r.feeMinor)}, payout ${money(r.payoutMinor)} (${r.rule})`,
    `  requested ${isoFromMs(r.requestedAtMs)}${r.decidedBy === null ? '' : `, decided by ${r.decidedBy}`}${r.reviewNote === null ? '' : `: ${r.reviewNote}`}${r.failureCode === null ? '' : `, last failure ${r.failureCode}`}`,
    ...r.payouts.map(
      (p) =>
        `  → ${p.kind} ${p.orderId}: ${money(BigInt(p.amountMinor))}${p.refundId === null ? ' (not paid yet)' : ` paid as ${p.refundId}`}`,
    ),
  ].join('\n');
}

/**
 * `onepin refunds …`: the operator's review queue for refunds of balance above the review
 * threshold (the back office will show the same queue). Approving pays out at once through
 * the provider when it answers; otherwise the server's completer pays it on its next pass.
 */
export function addSalesCommands(program: Command, tools: CliTools): void {
  const refunds = program.command('refunds').description('refunds of balance: the review queue');

  refunds
    .command('list')
    .description('list refund requests, newest first')
    .option('--status <status>', `only one status (${STATUSES.join(', ')})`, statusArg)
    .option('--card <id>', 'only one card')
    .action(async (options: { status?: BalanceRefundStatus; card?: string }) => {
      await tools.withApp(async (app) => {
        const rows = await listBalanceRefunds(app.sales, {
          ...(options.status !== undefined ? { status: options.status } : {}),
          ...(options.card !== undefined ? { cardId: options.card } : {}),
        });
        if (rows.length === 0) console.log('no refund requests');
        for (const r of rows) console.log(showRefund(r));
      });
    });

  for (const decision of ['approve', 'reject'] as const) {
    refunds
      .command(`${decision} <id>`)
      .description(`${decision} a refund request waiting for review`)
      .requiredOption('--operator <name>', 'who decides (recorded)')
      .option('--note <text>', 'why (sent to the holder when rejecting)', '')
      .action(async (id: string, options: { operator: string; note: string }) => {
        await tools.withApp(async (app) => {
          const decided = await decideBalanceRefundReview(app.sales, {
            id,
            decision,
            operator: options.operator,
            note: options.note,
          });
          if (!decided.ok) {
            if (decided.error.code === 'funding_unavailable') {
              console.log(
                `${id} approved; the payout will be retried by the server (the provider did not answer)`,
              );
              return;
            }
            throw tools.failure(describeError(decided.error));
          }
          console.log(showRefund(decided.value));
        });
      });
  }
}
