import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { validityColumns, validityFromColumns } from './card-row.ts';
import { cardTables } from './context.ts';
import { validityIsSane, type ValidityRule } from './validity.ts';

export interface Denomination {
  readonly id: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly name: string;
  readonly design: string;
  readonly validity: ValidityRule;
  readonly onSale: boolean;
}

/** Five years after sale: the usual validity of a Korean prepaid card. */
const FIVE_YEARS: ValidityRule = { kind: 'days_after_sale', days: 1_825n };

export const DEFAULT_CATALOGUE: readonly Denomination[] = [
  {
    id: 'den_krw_5000',
    amountMinor: 5_000n,
    currency: 'KRW',
    name: '5,000 won',
    design: 'classic-blue',
    validity: FIVE_YEARS,
    onSale: true,
  },
  {
    id: 'den_krw_10000',
    amountMinor: 10_000n,
    currency: 'KRW',
    name: '10,000 won',
    design: 'classic-green',
    validity: FIVE_YEARS,
    onSale: true,
  },
  {
    id: 'den_krw_20000',
    amountMinor: 20_000n,
    currency: 'KRW',
    name: '20,000 won',
    design: 'spring-blossom',
    validity: FIVE_YEARS,
    onSale: true,
  },
  {
    id: 'den_krw_30000',
    amountMinor: 30_000n,
    currency: 'KRW',
    name: '30,000 won',
    design: 'autumn-maple',
    validity: FIVE_YEARS,
    onSale: true,
  },
  {
    id: 'den_krw_50000',
    amountMinor: 50_000n,
    currency: 'KRW',
    name: '50,000 won',
    design: 'celebration-gold',
    validity: FIVE_YEARS,
    onSale: true,
  },
  {
    id: 'den_krw_100000',
    amountMinor: 100_000n,
    currency: 'KRW',
    name: '100,000 won',
    design: 'premium-black',
    validity: FIVE_YEARS,
    onSale: true,
  },
];

/** Adds a denomination; the same id again is left as it is (so seeding can run twice). */
export async function upsertDenomination(
  tx: Executor,
  d: Denomination,
  nowMs: bigint,
): Promise<Outcome<Denomination>> {
  if (d.amountMinor <= 0n) return fail('amount_must_be_positive', 'amount');
  if (!validityIsSane(d.validity)) return fail('parameter_invalid', 'validity');
  await cardTables(tx)
    .insertInto('card_denomination')
    .values({
      id: d.id,
      amount_minor: d.amountMinor,
      currency: d.currency,
      name: d.name,
      design: d.design,
      ...validityColumns(d.validity),
      on_sale: d.onSale ? 1n : 0n,
      created_at_ms: nowMs,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return ok(d);
}

export async function listDenominations(executor: Executor): Promise<Denomination[]> {
  const rows = await cardTables(executor)
    .selectFrom('card_denomination')
    .selectAll()
    .orderBy('currency')
    .orderBy('amount_minor')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    amountMinor: r.amount_minor,
    currency: r.currency as Currency,
    name: r.name,
    design: r.design,
    validity: validityFromColumns(r),
    onSale: r.on_sale === 1n,
  }));
}

export async function findDenomination(
  executor: Executor,
  id: string,
): Promise<Denomination | undefined> {
  return (await listDenominations(executor)).find((d) => d.id === id);
}
