import { InvalidArgumentError, type Command } from 'commander';
import { getCard, normalizeSerial } from '../cards/index.ts';
import {
  MAILBOX_LANGUAGES,
  MAILBOX_STATES,
  chargeDueMailboxFees,
  closeMailbox,
  getMailbox,
  isMailboxLanguage,
  isMailboxState,
  listMailboxes,
  localDateTime,
  openMailbox,
  resumeMailbox,
  voicemailPolicyOf,
  type Mailbox,
  type MailboxLanguage,
  type MailboxState,
} from '../charging/index.ts';
import { describeError, formatMoney, limits, type Outcome } from '../kernel/index.ts';
import type { App } from './app.ts';
import type { CliTools } from './cli-associates.ts';

function serialArg(value: string): string {
  const serial = normalizeSerial(value);
  if (serial === null) throw new InvalidArgumentError('a serial is 1 to 12 digits');
  return serial;
}

function feeArg(value: string): bigint {
  if (!/^[0-9]{1,16}$/.test(value)) {
    throw new InvalidArgumentError('the fee is a whole number of minor units (won)');
  }
  return BigInt(value);
}

function languageArg(value: string): MailboxLanguage {
  if (!isMailboxLanguage(value)) throw new InvalidArgumentError(MAILBOX_LANGUAGES.join(' or '));
  return value;
}

function stateArg(value: string): MailboxState {
  if (!isMailboxState(value)) throw new InvalidArgumentError(MAILBOX_STATES.join(', '));
  return value;
}

function limitArg(value: string): number {
  const n = /^[0-9]{1,6}$/.test(value) ? Number.parseInt(value, 10) : 0;
  if (n < 1 || n > limits.pageSizeMax) {
    throw new InvalidArgumentError(`a whole number from 1 to ${limits.pageSizeMax}`);
  }
  return n;
}

/** `2026-02-28 10:00 Asia/Seoul`: months are counted on the operator's clock, so shown on it. */
function wallClock(app: App, ms: bigint | null): string {
  if (ms === null) return '-';
  const zone = voicemailPolicyOf(app.charging).timeZone;
  const t = localDateTime(ms, zone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)} ${zone}`;
}

function mailboxLine(app: App, m: Mailbox): string {
  return `${m.id}  ${m.state.padEnd(9)}  +${m.number}  ${m.language}  ${formatMoney(m.feeMinor, m.currency)}/month  paid until ${wallClock(app, m.paidUntilMs)}  card ${m.cardId}`;
}

function mailboxDetail(app: App, m: Mailbox): string[] {
  const rows: [string, string][] = [
    ['id', m.id],
    ['state', m.state],
    ['number', `+${m.number}`],
    ['language', m.language],
    ['card', m.cardId],
    ['monthly fee', formatMoney(m.feeMinor, m.currency)],
    ['opened', wallClock(app, m.openedAtMs)],
    ['paid until', wallClock(app, m.paidUntilMs)],
    ['next charge', wallClock(app, m.nextChargeAtMs)],
    ['fees taken', `${m.monthsCharged} (${formatMoney(m.chargedMinor, m.currency)})`],
  ];
  if (m.state === 'suspended') {
    rows.push(['suspended', wallClock(app, m.suspendedAtMs)]);
    rows.push(['failed charges', String(m.failedCharges)]);
    rows.push(['closes', `${wallClock(app, m.closesAtMs)} unless the card pays`]);
  }
  if (m.state === 'closed') {
    rows.push(['closed', `${wallClock(app, m.closedAtMs)} (${m.closeReason ?? '?'})`]);
  }
  return rows.map(([k, v]) => `${k.padEnd(15)} ${v}`);
}

/**
 * `onepin voicemail …`: prepaid voicemail mailboxes. Opening takes the first month's fee from
 * the card at once; the server's worker takes the next ones (`charge-due` does one pass by hand).
 */
export function addVoicemailCommands(program: Command, tools: CliTools): void {
  const voicemail = program
    .command('voicemail')
    .description('prepaid voicemail mailboxes: monthly fee, suspension, closing');

  const must = <T>(outcome: Outcome<T>): T => {
    if (!outcome.ok) throw tools.failure(describeError(outcome.error));
    return outcome.value;
  };

  voicemail
    .command('open')
    .description("open a mailbox on the holder's phone number; takes the first month's fee")
    .requiredOption('--card <serial>', 'the card that pays', serialArg)
    .requiredOption('--number <phone>', 'the holder’s phone number (010-1234-5678 or +82…)')
    .option('--fee <won>', 'monthly fee in minor units (default: the policy’s, 1,100 won)', feeArg)
    .option('--language <ko|en>', 'prompts and greeting', languageArg, 'ko')
    .action(
      async (options: {
        card: string;
        number: string;
        fee?: bigint;
        language: MailboxLanguage;
      }) => {
        await tools.withApp(async (app) => {
          const card = must(await getCard(app.cards, app.db.kysely, { serial: options.card }));
          const opened = must(
            await openMailbox(app.charging, {
              subscriber: { cardId: card.id },
              number: options.number,
              language: options.language,
              ...(options.fee !== undefined ? { feeMinor: options.fee } : {}),
            }),
          );
          console.log(`opened ${opened.id}; first month's fee taken from card ${card.serial}`);
          for (const line of mailboxDetail(app, opened)) console.log(line);
        });
      },
    );

  voicemail
    .command('list')
    .description('list mailboxes, newest first')
    .option('--card <serial>', 'only one card’s', serialArg)
    .option('--state <state>', `only one state (${MAILBOX_STATES.join(', ')})`, stateArg)
    .option('--number <phone>', 'only one phone number')
    .option('--limit <n>', 'at most this many', limitArg, limits.pageSizeDefault)
    .action(
      async (options: { card?: string; state?: MailboxState; number?: string; limit: number }) => {
        await tools.withApp(async (app) => {
          let cardId: string | undefined;
          if (options.card !== undefined) {
            cardId = must(await getCard(app.cards, app.db.kysely, { serial: options.card })).id;
          }
          const rows = must(
            await listMailboxes(app.charging, {
              limit: options.limit,
              ...(cardId !== undefined ? { cardId } : {}),
              ...(options.state !== undefined ? { state: options.state } : {}),
              ...(options.number !== undefined ? { number: options.number } : {}),
            }),
          );
          if (rows.length === 0) console.log('no mailboxes');
          for (const m of rows) console.log(mailboxLine(app, m));
        });
      },
    );

  voicemail
    .command('show <id>')
    .description('one mailbox: fee, paid time, suspension')
    .action(async (id: string) => {
      await tools.withApp(async (app) => {
        for (const line of mailboxDetail(app, must(await getMailbox(app.charging, id)))) {
          console.log(line);
        }
      });
    });

  voicemail
    .command('close <id>')
    .description('close a mailbox now: no more fees, the month paid is not refunded')
    .action(async (id: string) => {
      await tools.withApp(async (app) => {
        const closed = must(await closeMailbox(app.charging, { mailboxId: id, by: 'operator' }));
        console.log(`closed ${closed.id} (+${closed.number})`);
      });
    });

  voicemail
    .command('resume <id>')
    .description('reopen a suspended mailbox after a recharge: takes a month’s fee from now')
    .action(async (id: string) => {
      await tools.withApp(async (app) => {
        const resumed = must(await resumeMailbox(app.charging, id));
        console.log(`${resumed.id} is open, paid until ${wallClock(app, resumed.paidUntilMs)}`);
      });
    });

  voicemail
    .command('charge-due')
    .description('one pass of the fee worker: take due fees, suspend, close')
    .option('--limit <n>', 'at most this many mailboxes', limitArg, limits.expiryBatchMax)
    .action(async (options: { limit: number }) => {
      await tools.withApp(async (app) => {
        const r = await chargeDueMailboxFees(app.charging, options.limit);
        console.log(
          `${r.charged} fees taken (${r.reopened} reopened), ${r.suspended} could not pay (suspended), ${r.closed} closed`,
        );
      });
    });
}
