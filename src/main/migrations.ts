import { AGENTS_MIGRATIONS } from '../agents/index.ts';
import { CARDS_MIGRATIONS } from '../cards/index.ts';
import { CARRIERS_MIGRATIONS } from '../carriers/index.ts';
import { CHARGING_MIGRATIONS } from '../charging/index.ts';
import { FOREIGN_MIGRATIONS } from '../foreign/index.ts';
import { LEDGER_MIGRATIONS } from '../ledger/index.ts';
import { NOTIFY_MIGRATIONS } from '../notify/index.ts';
import { PAYMENTS_MIGRATIONS } from '../payments/index.ts';
import { SALES_MIGRATIONS } from '../sales/index.ts';
import { SETTLEMENT_MIGRATIONS } from '../settlement/index.ts';
import type { MigrationSet } from '../storage/index.ts';

/** Every module's migrations, applied in name order. */
export const ALL_MIGRATIONS: readonly MigrationSet[] = [
  LEDGER_MIGRATIONS,
  CARDS_MIGRATIONS,
  PAYMENTS_MIGRATIONS,
  NOTIFY_MIGRATIONS,
  SALES_MIGRATIONS,
  CHARGING_MIGRATIONS,
  FOREIGN_MIGRATIONS,
  SETTLEMENT_MIGRATIONS,
  AGENTS_MIGRATIONS,
  CARRIERS_MIGRATIONS,
];
