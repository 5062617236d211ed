export { breakageCsv, breakageReport, type BreakageReport, type BreakageRow } from './breakage.ts';
export { seoulDate, seoulMonth, type ReportsContext } from './context.ts';
export { toCsv, toJson } from './csv.ts';
export {
  EXPIRING_DAYS_MAX,
  EXPIRING_HORIZONS_DAYS,
  expiringCsv,
  expiringReport,
  type ExpiringLine,
  type ExpiringReport,
  type ExpiringSummary,
} from './expiring.ts';
export {
  AGE_BUCKETS,
  liabilityCsv,
  liabilityReport,
  type AgeBucket,
  type CurrencyCheck,
  type LiabilityReport,
  type LiabilityRow,
} from './liability.ts';
