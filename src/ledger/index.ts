export {
  AccountFlags,
  CHART,
  SYSTEM_ACCOUNT_CODES,
  isAccountCode,
  systemAccountId,
  type AccountCode,
} from './chart.ts';
export {
  applyBatch,
  accountInvariantHolds,
  compareExisting,
  type BatchPlan,
  type LedgerState,
} from './engine.ts';
export { LEDGER_MIGRATIONS } from './migrations.ts';
export {
  ACCOUNT_RESULTS,
  TRANSFER_RESULTS,
  isApplied,
  type AccountResult,
  type TransferResult,
} from './result-codes.ts';
export { LedgerStore, type AccountSpec } from './store.ts';
export { ensureSystemAccounts } from './system-accounts.ts';
export {
  TransferFlags,
  availableBalance,
  type Account,
  type AccountTotals,
  type PendingHold,
  type PendingStatus,
  type Posting,
  type StoredTransfer,
  type TransferRequest,
} from './types.ts';
export { journalPage, type JournalEntry, type JournalQuery } from './journal-read.ts';
export { verifyLedger, type VerifyReport, type CurrencyTotals } from './verify.ts';
