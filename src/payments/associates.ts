import { fail, newId, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { AccountFlags } from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import type { AssociateTable } from './tables.ts';

export const ASSOCIATE_CATEGORIES = [
  'shopping',
  'contents',
  'calling',
  'pc_communication',
  'voicemail',
  'public_inquiry',
] as const;
export type AssociateCategory = (typeof ASSOCIATE_CATEGORIES)[number];

export interface Settlement {
  readonly bank?: string;
  readonly account?: string;
  readonly holder?: string;
}

export interface Associate {
  readonly id: string;
  readonly name: string;
  readonly category: AssociateCategory;
  readonly commissionBps: bigint;
  readonly webhookUrl: string | null;
  readonly returnUrls: readonly string[];
  readonly settlement: Settlement;
  readonly trusted: boolean;
  readonly status: 'active' | 'disabled';
  readonly createdAtMs: bigint;
}

export interface AssociateInput {
  readonly name: string;
  readonly category: string;
  readonly commissionBps: bigint;
  readonly webhookUrl?: string | null;
  readonly returnUrls?: readonly string[];
  readonly settlement?: Settlement;
  readonly trusted?: boolean;
}

export function associateFromRow(row: AssociateTable): Associate {
  return {
    id: row.id,
    name: row.name,
    category: row.category as AssociateCategory,
    commissionBps: row.commission_bps,
    webhookUrl: row.webhook_url,
    returnUrls: JSON.parse(row.return_urls) as string[],
    settlement: JSON.parse(row.settlement) as Settlement,
    trusted: row.trusted === 1n,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    createdAtMs: row.created_at_ms,
  };
}

/** An http(s) URL without credentials; webhooks and return URLs must be one. */
export function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username === '' &&
      url.password === '' &&
      text.length <= 2_000
    );
  } catch {
    return false;
  }
}

function checkInput(input: AssociateInput): Outcome<null> {
  if (input.name.trim() === '' || input.name.length > 120) return fail('parameter_invalid', 'name');
  if (!(ASSOCIATE_CATEGORIES as readonly string[]).includes(input.category)) {
    return fail('parameter_invalid', 'category', `one of ${ASSOCIATE_CATEGORIES.join(', ')}`);
  }
  if (input.commissionBps < 0n || input.commissionBps > 10_000n) {
    return fail('parameter_invalid', 'commission_bps', '0 to 10000 basis points');
  }
  if (input.webhookUrl !== undefined && input.webhookUrl !== null && !isWebUrl(input.webhookUrl))
    return fail('parameter_invalid', 'webhook_url');
  for (const url of input.returnUrls ?? []) {
    if (!isWebUrl(url)) return fail('parameter_invalid', 'return_urls');
  }
  if ((input.returnUrls ?? []).length > 20) return fail('parameter_invalid', 'return_urls');
  for (const [field, value] of Object.entries(input.settlement ?? {})) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
      return fail('parameter_invalid', `settlement.${field}`);
    }
  }
  return ok(null);
}

export async function createAssociate(
  ctx: PaymentsContext,
  tx: Executor,
  input: AssociateInput,
): Promise<Outcome<Associate>> {
  const checked = checkInput(input);
  if (!checked.ok) return checked;
  const row: AssociateTable = {
    id: newId('asc'),
    name: input.name.trim(),
    category: input.category,
    commission_bps: input.commissionBps,
    webhook_url: input.webhookUrl ?? null,
    return_urls: JSON.stringify(input.returnUrls ?? []),
    settlement: JSON.stringify(input.settlement ?? {}),
    trusted: input.trusted === true ? 1n : 0n,
    status: 'active',
    created_at_ms: ctx.clock.nowMs(),
  };
  await paymentTables(tx).insertInto('associate').values(row).execute();
  return ok(associateFromRow(row));
}

export async function updateAssociate(
  ctx: PaymentsContext,
  tx: Executor,
  id: string,
  patch: Partial<AssociateInput> & { readonly status?: 'active' | 'disabled' },
): Promise<Outcome<Associate>> {
  const current = await getAssociate(tx, id);
  if (current === undefined) return fail('associate_not_found', 'associate');
  const merged: AssociateInput = {
    name: patch.name ?? current.name,
    category: patch.category ?? current.category,
    commissionBps: patch.commissionBps ?? current.commissionBps,
    webhookUrl: patch.webhookUrl === undefined ? current.webhookUrl : patch.webhookUrl,
    returnUrls: patch.returnUrls ?? current.returnUrls,
    settlement: patch.settlement ?? current.settlement,
    trusted: patch.trusted ?? current.trusted,
  };
  const checked = checkInput(merged);
  if (!checked.ok) return checked;
  await paymentTables(tx)
    .updateTable('associate')
    .set({
      name: merged.name,
      category: merged.category,
      commission_bps: merged.commissionBps,
      webhook_url: merged.webhookUrl ?? null,
      return_urls: JSON.stringify(merged.returnUrls ?? []),
      settlement: JSON.stringify(merged.settlement ?? {}),
      trusted: merged.trusted === true ? 1n : 0n,
      status: patch.status ?? current.status,
    })
    .where('id', '=', id)
    .execute();
  const after = await getAssociate(tx, id);
  return after === undefined ? fail('associate_not_found') : ok(after);
}

export async function getAssociate(executor: Executor, id: string): Promise<Associate | undefined> {
  const row = await paymentTables(executor)
    .selectFrom('associate')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : associateFromRow(row);
}

export async function listAssociates(executor: Executor): Promise<Associate[]> {
  const rows = await paymentTables(executor)
    .selectFrom('associate')
    .selectAll()
    .orderBy('name')
    .limit(1_000)
    .execute();
  return rows.map(associateFromRow);
}

/** The ledger account that holds what we owe an associate, per mode and currency. */
export function merchantAccountId(
  associateId: string,
  livemode: boolean,
  currency: Currency,
): string {
  return `acc_${associateId}_${livemode ? 'live' : 'test'}_${currency.toLowerCase()}`;
}

export async function ensureMerchantAccount(
  ctx: PaymentsContext,
  tx: Executor,
  associateId: string,
  livemode: boolean,
  currency: Currency,
): Promise<string> {
  const id = merchantAccountId(associateId, livemode, currency);
  await ctx.ledger.createAccounts(
    tx,
    [
      {
        id,
        currency,
        code: 'merchant_payable',
        flags: AccountFlags.debitsMustNotExceedCredits,
        ownerRef: associateId,
      },
    ],
    ctx.clock.nowMs(),
  );
  return id;
}

/** Whether a return URL is on the associate's allow-list (same origin and a listed path prefix). */
export function returnUrlAllowed(associate: Associate, url: string): boolean {
  if (!isWebUrl(url)) return false;
  const target = new URL(url);
  return associate.returnUrls.some((allowed) => {
    const base = new URL(allowed);
    if (base.origin !== target.origin) return false;
    // A prefix matches whole path segments: /return allows /return and /return/x, not /returns.
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return target.pathname === base.pathname || target.pathname.startsWith(prefix);
  });
}
