import { InvalidArgumentError, type Command } from 'commander';
import { describeError, isoFromMs } from '../kernel/index.ts';
import {
  ASSOCIATE_CATEGORIES,
  createApiKey,
  createAssociate,
  listApiKeys,
  listAssociates,
  revokeApiKey,
  rotateApiKey,
  updateAssociate,
  webhookSecretOf,
  type Associate,
  type NewApiKey,
} from '../payments/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { App } from './app.ts';

/** How the CLI reports a refused operation (exit 2); provided by cli.ts. */
export interface CliTools {
  withApp<T>(work: (app: App) => Promise<T>): Promise<T>;
  failure(message: string): Error;
}

function bps(value: string): bigint {
  if (!/^[0-9]{1,5}$/.test(value) || BigInt(value) > 10_000n) {
    throw new InvalidArgumentError('basis points from 0 to 10000 (250 = 2.5%)');
  }
  return BigInt(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function showAssociate(a: Associate): string {
  return [
    `${a.id}  ${a.name} (${a.category}), commission ${a.commissionBps} bps${a.trusted ? ', trusted channel' : ''}, ${a.status}`,
    `  webhook: ${a.webhookUrl ?? '-'}`,
    `  return URLs: ${a.returnUrls.join(' ') || '-'}`,
    `  settlement: ${[a.settlement.bank, a.settlement.account, a.settlement.holder].filter((x) => x !== undefined).join(' / ') || '-'}`,
  ].join('\n');
}

function showKey(k: NewApiKey): string {
  return [
    `key id:          ${k.key.id} (${k.key.livemode ? 'live' : 'test'}; scopes ${k.key.scopes.join(' ')})`,
    `secret key:      ${k.secret}`,
    `signing secret:  ${k.signingSecret}`,
    'Both secrets are shown once. Keep them in your server’s secret store.',
  ].join('\n');
}

export function addAssociateCommands(program: Command, tools: CliTools): void {
  const associates = program
    .command('associates')
    .description('associates (merchants) that accept OnePIN');
  associates
    .command('create')
    .description('add an associate')
    .requiredOption('--name <name>', 'shown to holders on the payment page and statements')
    .requiredOption('--category <category>', ASSOCIATE_CATEGORIES.join(' | '))
    .requiredOption('--commission-bps <n>', 'our commission in basis points (250 = 2.5%)', bps)
    .option('--webhook-url <url>', 'where events are POSTed')
    .option('--return-url <url>', 'an allowed return-URL prefix (repeatable)', collect, [])
    .option('--trusted', 'may charge with PIN + password server to server (IVR, PC communication)')
    .option('--settlement-bank <name>', 'bank the associate is paid to')
    .option('--settlement-account <number>', 'account number the associate is paid to')
    .option('--settlement-holder <name>', 'account holder')
    .option('--json', 'print the associate as JSON')
    .action(
      async (o: {
        name: string;
        category: string;
        commissionBps: bigint;
        webhookUrl?: string;
        returnUrl: string[];
        trusted?: boolean;
        settlementBank?: string;
        settlementAccount?: string;
        settlementHolder?: string;
        json?: boolean;
      }) => {
        await tools.withApp(async (app) => {
          const created = await writeTransaction(app.db, (tx) =>
            createAssociate(app.payments, tx, {
              name: o.name,
              category: o.category,
              commissionBps: o.commissionBps,
              webhookUrl: o.webhookUrl ?? null,
              returnUrls: o.returnUrl,
              trusted: o.trusted === true,
              settlement: {
                ...(o.settlementBank !== undefined ? { bank: o.settlementBank } : {}),
                ...(o.settlementAccount !== undefined ? { account: o.settlementAccount } : {}),
                ...(o.settlementHolder !== undefined ? { holder: o.settlementHolder } : {}),
              },
            }),
          );
          if (!created.ok) throw tools.failure(describeError(created.error));
          if (o.json === true) {
            console.log(
              JSON.stringify({
                ...created.value,
                commissionBps: Number(created.value.commissionBps),
                createdAtMs: undefined,
                webhook_secret: webhookSecretOf(app.payments, created.value.id),
              }),
            );
          } else {
            console.log(showAssociate(created.value));
            console.log(`  webhook secret: ${webhookSecretOf(app.payments, created.value.id)}`);
          }
        });
      },
    );
  associates
    .command('list')
    .description('list associates')
    .action(async () => {
      await tools.withApp(async (app) => {
        const all = await listAssociates(app.db.kysely);
        if (all.length === 0) console.log('no associates yet (onepin associates create --help)');
        for (const a of all) console.log(showAssociate(a));
      });
    });
  associates
    .command('update')
    .description('change an associate')
    .requiredOption('--associate <id>', 'asc_…')
    .option('--name <name>')
    .option('--commission-bps <n>', 'basis points', bps)
    .option('--webhook-url <url>', 'new webhook URL ("none" to remove)')
    .option('--return-url <url>', 'replace the return-URL allow-list (repeatable)', collect, [])
    .option('--trusted <yes|no>')
    .option('--status <active|disabled>')
    .action(
      async (o: {
        associate: string;
        name?: string;
        commissionBps?: bigint;
        webhookUrl?: string;
        returnUrl: string[];
        trusted?: string;
        status?: string;
      }) => {
        await tools.withApp(async (app) => {
          if (o.status !== undefined && o.status !== 'active' && o.status !== 'disabled')
            throw tools.failure('--status is active or disabled');
          if (o.trusted !== undefined && o.trusted !== 'yes' && o.trusted !== 'no')
            throw tools.failure('--trusted is yes or no');
          const updated = await writeTransaction(app.db, (tx) =>
            updateAssociate(app.payments, tx, o.associate, {
              ...(o.name !== undefined ? { name: o.name } : {}),
              ...(o.commissionBps !== undefined ? { commissionBps: o.commissionBps } : {}),
              ...(o.webhookUrl !== undefined
                ? { webhookUrl: o.webhookUrl === 'none' ? null : o.webhookUrl }
                : {}),
              ...(o.returnUrl.length > 0 ? { returnUrls: o.returnUrl } : {}),
              ...(o.trusted !== undefined ? { trusted: o.trusted === 'yes' } : {}),
              ...(o.status === 'active' || o.status === 'disabled' ? { status: o.status } : {}),
            }),
          );
          if (!updated.ok) throw tools.failure(describeError(updated.error));
          console.log(showAssociate(updated.value));
        });
      },
    );

  const keys = program.command('api-keys').description('associates’ API keys');
  keys
    .command('create')
    .description('create an API key (its secret and signing secret are shown once)')
    .requiredOption('--associate <id>', 'asc_…')
    .requiredOption('--mode <test|live>', 'test keys touch only test cards')
    .option('--scope <scope>', 'limit the key to a scope (repeatable); default all', collect, [])
    .option('--json', 'print {key_id, secret, signing_secret} as JSON')
    .action(async (o: { associate: string; mode: string; scope: string[]; json?: boolean }) => {
      if (o.mode !== 'test' && o.mode !== 'live') throw tools.failure('--mode is test or live');
      await tools.withApp(async (app) => {
        const created = await writeTransaction(app.db, (tx) =>
          createApiKey(app.payments, tx, {
            associateId: o.associate,
            livemode: o.mode === 'live',
            ...(o.scope.length > 0 ? { scopes: o.scope } : {}),
          }),
        );
        if (!created.ok) throw tools.failure(describeError(created.error));
        if (o.json === true)
          console.log(
            JSON.stringify({
              key_id: created.value.key.id,
              secret: created.value.secret,
              signing_secret: created.value.signingSecret,
            }),
          );
        else console.log(showKey(created.value));
      });
    });
  keys
    .command('list')
    .description('list an associate’s keys (never their secrets)')
    .requiredOption('--associate <id>', 'asc_…')
    .action(async (o: { associate: string }) => {
      await tools.withApp(async (app) => {
        for (const k of await listApiKeys(app.db.kysely, o.associate)) {
          const state =
            k.revokedAtMs !== null
              ? 'revoked'
              : k.expiresAtMs !== null
                ? `expires ${isoFromMs(k.expiresAtMs)}`
                : 'active';
          console.log(
            `${k.id}  ${k.livemode ? 'live' : 'test'}  …${k.last4}  ${state}  ${k.scopes.join(' ')}`,
          );
        }
      });
    });
  keys
    .command('revoke')
    .description('revoke a key at once')
    .requiredOption('--key <id>', 'key_…')
    .action(async (o: { key: string }) => {
      await tools.withApp(async (app) => {
        const done = await writeTransaction(app.db, (tx) => revokeApiKey(app.payments, tx, o.key));
        if (!done.ok) throw tools.failure(describeError(done.error));
        console.log(`revoked ${o.key}`);
      });
    });
  keys
    .command('rotate')
    .description('replace a key; the old one keeps working for the overlap')
    .requiredOption('--key <id>', 'key_…')
    .option('--overlap-hours <n>', 'how long the old key keeps working', '24')
    .action(async (o: { key: string; overlapHours: string }) => {
      if (!/^[0-9]{1,3}$/.test(o.overlapHours)) throw tools.failure('--overlap-hours is 0 to 720');
      await tools.withApp(async (app) => {
        const rotated = await writeTransaction(app.db, (tx) =>
          rotateApiKey(app.payments, tx, o.key, BigInt(o.overlapHours) * 3_600_000n),
        );
        if (!rotated.ok) throw tools.failure(describeError(rotated.error));
        console.log(showKey(rotated.value));
      });
    });
}
