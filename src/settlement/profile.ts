import { fail, ok, type Outcome } from '../kernel/index.ts';
import { ASSOCIATE_CATEGORIES, getAssociate, type Associate } from '../payments/index.ts';
import type { Executor } from '../storage/index.ts';
import { settlementTables, type SettlementContext } from './context.ts';
import { isCycle, type Cycle } from './cycle-rules.ts';

/**
 * How an associate is settled: its cycle, the bank account it is paid to, and commission
 * overrides per service type. Settlement keeps these in its own tables; the associate's own
 * `settlement` fields (bank, account, holder) are the fallback for the bank account.
 */
export const DEFAULT_CYCLE: Cycle = 'weekly';

/** Service types a commission can be set for: the associates' categories. */
export const SERVICE_TYPES = ASSOCIATE_CATEGORIES;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export function isServiceType(value: string): value is ServiceType {
  return (SERVICE_TYPES as readonly string[]).includes(value);
}

export interface BankAccount {
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly holder: string;
}

export interface SettlementProfile {
  readonly associateId: string;
  readonly cycle: Cycle;
  /** Where payouts go; null until one is known (the run books, the payout file skips it). */
  readonly bankAccount: BankAccount | null;
  /** Commission overrides by service type. */
  readonly commissions: Readonly<Partial<Record<ServiceType, bigint>>>;
}

const BANK_CODE = /^[0-9]{3}$/;
const ACCOUNT_NUMBER = /^[0-9][0-9-]{4,24}[0-9]$/;

export function bankAccountProblem(account: Partial<BankAccount>): string | null {
  if (account.bankCode !== undefined && !BANK_CODE.test(account.bankCode)) return 'bank_code';
  if (account.accountNumber !== undefined) {
    const digits = account.accountNumber.replace(/-/g, '');
    if (!ACCOUNT_NUMBER.test(account.accountNumber) || digits.length < 6 || digits.length > 20)
      return 'account_number';
  }
  if (
    account.holder !== undefined &&
    (account.holder.trim() === '' || account.holder.length > 60 || /[\r\n]/.test(account.holder))
  )
    return 'account_holder';
  return null;
}

/** The bank account from the profile, else from the associate's own settlement fields. */
export function bankAccountOf(
  row: { bankCode: string | null; accountNumber: string | null; holder: string | null } | null,
  associate: Associate,
): BankAccount | null {
  const bankCode = row?.bankCode ?? associate.settlement.bank ?? null;
  const accountNumber = row?.accountNumber ?? associate.settlement.account ?? null;
  const holder = row?.holder ?? associate.settlement.holder ?? associate.name;
  if (bankCode === null || accountNumber === null) return null;
  const candidate = { bankCode, accountNumber, holder };
  return bankAccountProblem(candidate) === null ? candidate : null;
}

/** The rate a line is settled at: the override for its service type, else the associate's. */
export function commissionBpsFor(
  associate: Pick<Associate, 'commissionBps'>,
  overrides: Readonly<Partial<Record<string, bigint>>>,
  serviceType: string,
): bigint {
  return overrides[serviceType] ?? associate.commissionBps;
}

export async function getProfile(
  executor: Executor,
  associate: Associate,
): Promise<SettlementProfile> {
  const t = settlementTables(executor);
  const row = await t
    .selectFrom('settlement_profile')
    .selectAll()
    .where('associate_id', '=', associate.id)
    .executeTakeFirst();
  const rates = await t
    .selectFrom('settlement_commission')
    .selectAll()
    .where('associate_id', '=', associate.id)
    .orderBy('service_type')
    .execute();
  const commissions: Partial<Record<ServiceType, bigint>> = {};
  for (const r of rates)
    if (isServiceType(r.service_type)) commissions[r.service_type] = r.commission_bps;
  return {
    associateId: associate.id,
    cycle: row !== undefined && isCycle(row.cycle) ? row.cycle : DEFAULT_CYCLE,
    bankAccount: bankAccountOf(
      row === undefined
        ? null
        : {
            bankCode: row.bank_code,
            accountNumber: row.account_number,
            holder: row.account_holder,
          },
      associate,
    ),
    commissions,
  };
}

export interface ProfilePatch {
  readonly cycle?: string;
  readonly bankCode?: string;
  readonly accountNumber?: string;
  readonly holder?: string;
}

/** Sets an associate's cycle and bank account (fields not given stay as they are). */
export async function setProfile(
  ctx: SettlementContext,
  tx: Executor,
  associateId: string,
  patch: ProfilePatch,
): Promise<Outcome<SettlementProfile>> {
  const associate = await getAssociate(tx, associateId);
  if (associate === undefined) return fail('associate_not_found', 'associate');
  if (patch.cycle !== undefined && !isCycle(patch.cycle))
    return fail('parameter_invalid', 'cycle', 'daily or weekly');
  const problem = bankAccountProblem({
    ...(patch.bankCode !== undefined ? { bankCode: patch.bankCode } : {}),
    ...(patch.accountNumber !== undefined ? { accountNumber: patch.accountNumber } : {}),
    ...(patch.holder !== undefined ? { holder: patch.holder } : {}),
  });
  if (problem !== null) return fail('parameter_invalid', problem);
  const t = settlementTables(tx);
  const current = await t
    .selectFrom('settlement_profile')
    .selectAll()
    .where('associate_id', '=', associateId)
    .executeTakeFirst();
  const row = {
    associate_id: associateId,
    cycle: patch.cycle ?? current?.cycle ?? DEFAULT_CYCLE,
    bank_code: patch.bankCode ?? current?.bank_code ?? null,
    account_number: patch.accountNumber ?? current?.account_number ?? null,
    account_holder: patch.holder?.trim() ?? current?.account_holder ?? null,
    updated_at_ms: ctx.clock.nowMs(),
  };
  if (current === undefined) await t.insertInto('settlement_profile').values(row).execute();
  else
    await t
      .updateTable('settlement_profile')
      .set(row)
      .where('associate_id', '=', associateId)
      .execute();
  return ok(await getProfile(tx, associate));
}

/** Sets (or, with `bps` null, removes) the commission for one associate and service type. */
export async function setCommission(
  ctx: SettlementContext,
  tx: Executor,
  input: {
    readonly associateId: string;
    readonly serviceType: string;
    readonly bps: bigint | null;
  },
): Promise<Outcome<SettlementProfile>> {
  const associate = await getAssociate(tx, input.associateId);
  if (associate === undefined) return fail('associate_not_found', 'associate');
  if (!isServiceType(input.serviceType))
    return fail('parameter_invalid', 'service_type', `one of ${SERVICE_TYPES.join(', ')}`);
  if (input.bps !== null && (input.bps < 0n || input.bps > 10_000n))
    return fail('parameter_invalid', 'bps', '0 to 10000 basis points');
  const t = settlementTables(tx);
  await t
    .deleteFrom('settlement_commission')
    .where('associate_id', '=', input.associateId)
    .where('service_type', '=', input.serviceType)
    .execute();
  if (input.bps !== null) {
    await t
      .insertInto('settlement_commission')
      .values({
        associate_id: input.associateId,
        service_type: input.serviceType,
        commission_bps: input.bps,
        updated_at_ms: ctx.clock.nowMs(),
      })
      .execute();
  }
  return ok(await getProfile(tx, associate));
}

/** Associates on a cycle (those without a profile are on the default cycle). */
export async function associatesOnCycle(
  executor: Executor,
  associates: readonly Associate[],
  cycle: Cycle,
): Promise<Associate[]> {
  const rows = await settlementTables(executor)
    .selectFrom('settlement_profile')
    .select(['associate_id', 'cycle'])
    .execute();
  const cycleOf = new Map(rows.map((r) => [r.associate_id, r.cycle]));
  return associates.filter((a) => (cycleOf.get(a.id) ?? DEFAULT_CYCLE) === cycle);
}
