import { InvalidArgumentError, type Command } from 'commander';
import { openSync, writeSync, closeSync } from 'node:fs';
import {
  addAgent,
  agentStatement,
  approveConsignment,
  formatCommission,
  formatRange,
  getAgent,
  issueAgentKey,
  issuePrintRun,
  listAgents,
  listConsignments,
  overdueAgents,
  proposeConsignment,
  recordRemittance,
  rejectConsignment,
  returnStock,
  type Agent,
  type Consignment,
} from '../agents/index.ts';
import { describeError, formatMoney, isoFromMs, type Outcome } from '../kernel/index.ts';
import type { CliTools } from './cli-associates.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function daysArg(value: string): number {
  if (!/^[0-9]{1,3}$/.test(value) || Number(value) > 365)
    throw new InvalidArgumentError('days from 0 to 365');
  return Number(value);
}

function wonArg(value: string): bigint {
  if (!/^[0-9]{1,15}$/.test(value) || BigInt(value) === 0n)
    throw new InvalidArgumentError('a positive amount in minor units (won)');
  return BigInt(value);
}

function countArg(value: string): number {
  if (!/^[0-9]{1,7}$/.test(value)) throw new InvalidArgumentError('a card count');
  return Number(value);
}

function showAgent(a: Agent): string {
  const rules = Object.entries(a.commission)
    .map(([den, r]) => `${den}=${formatCommission(r)}`)
    .join(' ');
  return `${a.id}  ${a.name}  ${a.status}  ${a.currency}  commission ${rules || 'none'}  terms ${a.termsDays}d  key ${a.keyLast4 === null ? 'none' : `…${a.keyLast4}`}`;
}

function showConsignment(c: Consignment): string {
  return `${c.id}  ${c.state}  agent ${c.agentId}  ${c.cardCount} cards  ${c.ranges.map(formatRange).join(' ')}  proposed by ${c.proposedBy} ${isoFromMs(c.proposedAtMs)}${c.decidedBy === null || c.decidedAtMs === null ? '' : `, decided by ${c.decidedBy} ${isoFromMs(c.decidedAtMs)}`}`;
}

/**
 * `onepin agents …`: selling agents of physical cards. Operators name themselves with
 * `--operator`; real operator authentication comes with the back office.
 */
export function addAgentCommands(program: Command, tools: CliTools): void {
  const value = <T>(o: Outcome<T>): T => {
    if (!o.ok) throw tools.failure(describeError(o.error));
    return o.value;
  };
  const agents = program.command('agents').description('selling agents (physical cards)');

  agents
    .command('add')
    .description('add a selling agent (with its agent_receivable ledger account)')
    .requiredOption('--name <name>', 'the agent (shop, distributor)')
    .option('--contact <text>', 'e-mail or phone', '')
    .option(
      '--commission <den=rule>',
      'per denomination: den_krw_10000=500 (bps) or den_krw_5000=fixed:300; *=… is the default (repeatable)',
      collect,
      [],
    )
    .option('--terms-days <n>', 'days after each sale its net is due', daysArg, 7)
    .action(
      async (o: { name: string; contact: string; commission: string[]; termsDays: number }) => {
        const commission: Record<string, string> = {};
        for (const item of o.commission) {
          const eq = item.indexOf('=');
          if (eq < 1) throw tools.failure(`--commission ${item}: write <denomination>=<rule>`);
          commission[item.slice(0, eq)] = item.slice(eq + 1);
        }
        await tools.withApp(async (app) => {
          const a = value(
            await addAgent(app.agents, {
              name: o.name,
              contact: o.contact,
              commission,
              termsDays: o.termsDays,
            }),
          );
          console.log(showAgent(a));
        });
      },
    );

  agents
    .command('list')
    .description('list agents')
    .action(async () => {
      await tools.withApp(async (app) => {
        const rows = await listAgents(app.db.kysely);
        if (rows.length === 0) console.log('no agents');
        for (const a of rows) console.log(showAgent(a));
      });
    });

  agents
    .command('show <agent>')
    .description('an agent and its consignments')
    .action(async (id: string) => {
      await tools.withApp(async (app) => {
        const a = await getAgent(app.db.kysely, id);
        if (a === undefined) throw tools.failure(`no agent ${id}`);
        console.log(showAgent(a));
        for (const c of await listConsignments(app.db.kysely, a.id))
          console.log(`  ${showConsignment(c)}`);
      });
    });

  agents
    .command('key <agent>')
    .description('issue the agent POS key and signing secret (shown once; replaces the old key)')
    .action(async (id: string) => {
      await tools.withApp(async (app) => {
        const k = value(await issueAgentKey(app.agents, id));
        console.log(`key id:          ${k.keyId}`);
        console.log(`agent key:       ${k.key}`);
        console.log(`signing secret:  ${k.signingSecret}`);
        console.log('Both are shown once; only a hash of the key is kept.');
      });
    });

  const consign = agents.command('consign').description('consign stock (two-person approval)');
  consign
    .command('propose <agent> <ranges...>')
    .description('propose consigning serial ranges (first-last) to an agent')
    .requiredOption('--operator <name>', 'who proposes')
    .action(async (id: string, ranges: string[], o: { operator: string }) => {
      await tools.withApp(async (app) => {
        const c = value(
          await proposeConsignment(app.agents, { agentId: id, ranges, operator: o.operator }),
        );
        console.log(showConsignment(c));
      });
    });
  consign
    .command('approve <consignment>')
    .description('approve a proposal (a different operator): the cards become consigned')
    .requiredOption('--operator <name>', 'who approves')
    .action(async (id: string, o: { operator: string }) => {
      await tools.withApp(async (app) => {
        console.log(
          showConsignment(
            value(await approveConsignment(app.agents, { id, operator: o.operator })),
          ),
        );
      });
    });
  consign
    .command('reject <consignment>')
    .description('reject a proposal (a different operator)')
    .requiredOption('--operator <name>', 'who rejects')
    .action(async (id: string, o: { operator: string }) => {
      await tools.withApp(async (app) => {
        console.log(
          showConsignment(value(await rejectConsignment(app.agents, { id, operator: o.operator }))),
        );
      });
    });
  consign
    .command('list')
    .description('list consignments')
    .option('--agent <agent>', 'only one agent')
    .action(async (o: { agent?: string }) => {
      await tools.withApp(async (app) => {
        const rows = await listConsignments(app.db.kysely, o.agent);
        if (rows.length === 0) console.log('no consignments');
        for (const c of rows) console.log(showConsignment(c));
      });
    });

  agents
    .command('print-run')
    .description(
      'issue cards and write the printer file (serial, PIN, denomination, design) — once, never again',
    )
    .requiredOption('--denomination <id>', 'e.g. den_krw_10000')
    .requiredOption('--count <n>', 'how many cards', countArg)
    .requiredOption('--design <name>', 'the card design for the printer')
    .requiredOption('--out <file>', 'the CSV file to create (must not exist; mode 0600)')
    .requiredOption('--operator <name>', 'who exports')
    .action(
      async (o: {
        denomination: string;
        count: number;
        design: string;
        out: string;
        operator: string;
      }) => {
        let fd: number;
        try {
          fd = openSync(o.out, 'wx', 0o600);
        } catch (error) {
          throw tools.failure(`cannot create ${o.out}: ${(error as Error).message}`);
        }
        try {
          await tools.withApp(async (app) => {
            const r = value(
              await issuePrintRun(app.agents, {
                denominationId: o.denomination,
                count: o.count,
                design: o.design,
                operator: o.operator,
                write: (line) => writeSync(fd, `${line}\n`),
              }),
            );
            console.log(
              `batch ${r.batchId}: ${r.count} cards ${r.serialFirst}-${r.serialLast} written to ${o.out}`,
            );
            console.log('The PINs exist only in that file now; it can never be exported again.');
          });
        } finally {
          closeSync(fd);
        }
      },
    );

  agents
    .command('return <agent> <ranges...>')
    .description('take unsold stock back into the vault (consigned → issued, no money)')
    .requiredOption('--operator <name>', 'who books the return')
    .action(async (id: string, ranges: string[], o: { operator: string }) => {
      await tools.withApp(async (app) => {
        const r = value(await returnStock(app.agents, { agentId: id, ranges, by: o.operator }));
        console.log(`returned ${r.returned} cards`);
      });
    });

  agents
    .command('statement <agent>')
    .description('sales, commission, remittances and what the agent owes')
    .option('--from <iso>', 'start (inclusive)')
    .option('--to <iso>', 'end (exclusive)')
    .action(async (id: string, o: { from?: string; to?: string }) => {
      const time = (text: string | undefined): bigint | undefined => {
        if (text === undefined) return undefined;
        const ms = Date.parse(text);
        if (Number.isNaN(ms)) throw tools.failure(`not a date: ${text}`);
        return BigInt(ms);
      };
      const fromMs = time(o.from);
      const toMs = time(o.to);
      await tools.withApp(async (app) => {
        const s = value(
          await agentStatement(app.agents, {
            agentId: id,
            ...(fromMs !== undefined ? { fromMs } : {}),
            ...(toMs !== undefined ? { toMs } : {}),
          }),
        );
        const m = (x: bigint): string => formatMoney(x, s.agent.currency);
        console.log(`${s.agent.name} (${s.agent.id})`);
        for (const x of s.sales)
          console.log(
            `  sale ${isoFromMs(x.soldAtMs)}  ${x.serial}  ${m(x.faceMinor)}  commission ${m(x.commissionMinor)}  due ${isoFromMs(x.dueAtMs)}  ref ${x.reference}`,
          );
        for (const r of s.remittances)
          console.log(`  paid ${isoFromMs(r.paidAtMs)}  ${m(r.amountMinor)}  ref ${r.reference}`);
        console.log(
          `sold ${m(s.faceMinor)}, commission ${m(s.commissionMinor)}, net ${m(s.netMinor)}, paid ${m(s.paidMinor)}`,
        );
        console.log(
          `owed now ${m(s.owedMinor)}, overdue ${m(s.overdueMinor)}${s.oldestOverdueDueAtMs === null ? '' : ` (since ${isoFromMs(s.oldestOverdueDueAtMs)})`}, unsold stock ${s.unsoldStock} cards`,
        );
      });
    });

  agents
    .command('remit <agent>')
    .description('record money received from the agent (funding_clearing → agent_receivable)')
    .requiredOption('--amount <won>', 'minor units', wonArg)
    .requiredOption('--reference <ref>', 'the bank reference (idempotent)')
    .requiredOption('--operator <name>', 'who books it')
    .action(async (id: string, o: { amount: bigint; reference: string; operator: string }) => {
      await tools.withApp(async (app) => {
        const r = value(
          await recordRemittance(app.agents, {
            agentId: id,
            amountMinor: o.amount,
            reference: o.reference,
            operator: o.operator,
          }),
        );
        console.log(
          `${r.id}  ${formatMoney(r.amountMinor, r.currency)}  ref ${r.reference}${r.replayed ? '  (already recorded)' : ''}`,
        );
      });
    });

  agents
    .command('overdue')
    .description('agents with an overdue balance')
    .action(async () => {
      await tools.withApp(async (app) => {
        const rows = await overdueAgents(app.agents);
        if (rows.length === 0) console.log('no overdue agents');
        for (const r of rows)
          console.log(
            `${r.agent.id}  ${r.agent.name}  overdue ${formatMoney(r.overdueMinor, r.agent.currency)} since ${isoFromMs(r.since)}, owed ${formatMoney(r.owedMinor, r.agent.currency)}`,
          );
      });
    });
}
