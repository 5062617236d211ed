export { type SettlementContext } from './context.ts';
export { csvDocument, csvField, maskAccount } from './csv.ts';
export {
  CYCLES,
  CYCLE_LENGTH_MS,
  SEOUL_OFFSET_MS,
  cycleEndOf,
  cycleStartOf,
  isCycle,
  isCycleBoundary,
  lastBoundaryAtOrBefore,
  localDate,
  localDateTime,
  localMidnight,
  localWeekday,
  type Cycle,
} from './cycle-rules.ts';
export {
  BPS_PER_UNIT,
  allocateFees,
  bookingPlan,
  floorDiv,
  type BookingInput,
  type BookingPlan,
  type FeeBatch,
  type FeeInput,
  type FeeLine,
} from './fee-rules.ts';
export { SETTLEMENT_MIGRATIONS } from './migrations.ts';
export {
  PAYOUT_CSV_HEADER,
  createPayoutBatch,
  markPaid,
  payoutCsv,
  payoutFileOf,
  payoutMemo,
  type PayoutBatch,
  type PayoutFileReport,
  type PayoutItem,
} from './payout.ts';
export {
  DEFAULT_CYCLE,
  SERVICE_TYPES,
  bankAccountOf,
  bankAccountProblem,
  commissionBpsFor,
  getProfile,
  isServiceType,
  setCommission,
  setProfile,
  type BankAccount,
  type ProfilePatch,
  type ServiceType,
  type SettlementProfile,
} from './profile.ts';
export { reconcile, type ReconcileReport } from './reconcile.ts';
export {
  bookedTransfers,
  classifyEntries,
  runSettlement,
  runTransferIds,
  type PlannedTransfer,
  type RunFaults,
  type RunOptions,
  type RunOutcome,
  type RunProblem,
  type RunReport,
} from './run.ts';
export {
  RUN_STATES,
  SETTLEMENT_CODES,
  getRun,
  listRuns,
  runIdOf,
  runJson,
  runLines,
  type LineKind,
  type RunFilter,
  type RunState,
  type SettlementLine,
  type SettlementRun,
} from './runs.ts';
export {
  STATEMENT_CSV_HEADER,
  latinOnly,
  statementCsv,
  statementPdf,
  type PdfOptions,
  type StatementParty,
} from './statement.ts';
