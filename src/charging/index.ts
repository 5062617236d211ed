export {
  createChargingContext,
  createSessionsContext,
  type ChargingContext,
  type SessionsContext,
} from './context.ts';
export {
  checkBalance,
  debitEvent,
  refundCharge,
  type BalanceAnswer,
  type DebitInput,
  type RefundInput,
} from './charging-events.ts';
export {
  type ChargingAnswer,
  type ChargingRequestType,
  type ChargingStatus,
  type RatingSummary,
} from './session-answer.ts';
export { DEFAULT_CHARGING_POLICY, HOLD_MARGIN_MS, type ChargingPolicy } from './session-policy.ts';
export {
  clientKeyOf,
  expireSilentSessions,
  startSession,
  terminateSession,
  updateSession,
  type ReportInput,
  type SessionKey,
  type StartInput,
  type Subscriber,
} from './sessions.ts';
export {
  cardOfToken,
  issueSubscriberToken,
  purgeExpiredTokens,
  revokeSubscriberToken,
  tokenForCard,
  type SubscriberToken,
} from './subscriber-tokens.ts';
export {
  affordableBilledSeconds,
  billedSeconds,
  costOf,
  incrementalCostMinor,
  maxAffordableSeconds,
} from './cost-rules.ts';
export {
  parseCsv,
  type CsvOptions,
  type CsvParse,
  type CsvProblem,
  type CsvRecord,
} from './csv.ts';
export { describeRate, describeTiming } from './describe-rate.ts';
export { grantSeconds, type Grant, type GrantInput } from './grant-rules.ts';
export { importTariff, type ImportOptions, type ImportReport } from './import-tariff.ts';
export { parseIsoInstant } from './iso-time.ts';
export { CHARGING_LIMITS, assertChargingLimits } from './limits.ts';
export { currentTariff, loadTariff, loadTariffVersion } from './load-tariff.ts';
export { CHARGING_MIGRATIONS } from './migrations.ts';
export { normalizeNumber } from './number-rules.ts';
export {
  buildPrefixIndex,
  matchDestination,
  prefixMatches,
  type PrefixIndex,
  type PrefixMatch,
} from './prefix-index.ts';
export { priceEnquiry, type PriceAnswer, type PriceEnquiry } from './price-enquiry.ts';
export {
  planInForce,
  priceOf,
  rate,
  type Price,
  type RateQuery,
  type Rating,
} from './rating-rules.ts';
export { buildTariff } from './tariff-build.ts';
export { TariffCache } from './tariff-cache.ts';
export {
  TARIFF_COLUMNS,
  parseTariffCsv,
  type TariffLineError,
  type TariffParse,
} from './tariff-csv.ts';
export {
  countTariff,
  diffTariffs,
  type KindChanges,
  type TariffChanges,
  type TariffCounts,
} from './tariff-diff.ts';
export { latestTariffVersion, tariffVersionInfo, type TariffVersionInfo } from './tariff-store.ts';
export {
  DEFAULT_TIME_ZONE,
  isTimeZone,
  localTime,
  timingMatches,
  type LocalTime,
} from './timing-rules.ts';
export {
  KOREA_NUMBERING,
  SERVICES,
  WEEKDAYS,
  isService,
  type Destination,
  type NumberingPlan,
  type PlanActivation,
  type PlanEntry,
  type Rate,
  type RatingPlan,
  type Service,
  type Tariff,
  type TariffDraft,
  type Timing,
  type Weekday,
} from './types.ts';
export { getSessionRecord, type SessionRecord } from './usage-read.ts';
export {
  VOICEMAIL_FEE_CODE,
  VOICEMAIL_ORIGINS,
  chargeDueMailboxFees,
  closeMailbox,
  getMailbox,
  listMailboxes,
  mailboxSubscriber,
  openMailbox,
  resumeMailbox,
  voicemailDeposit,
  voicemailPolicyOf,
  voicemailRetrieval,
  type Mailbox,
  type MailboxFeeReport,
  type MailboxQuery,
  type OpenMailboxInput,
  type VoicemailContext,
  type VoicemailUseInput,
} from './voicemail.ts';
export {
  DEFAULT_VOICEMAIL_POLICY,
  MAILBOX_LANGUAGES,
  MAILBOX_STATES,
  addCalendarMonths,
  feeStep,
  isMailboxLanguage,
  isMailboxState,
  localDateTime,
  type FeeStep,
  type LocalDateTime,
  type MailboxDue,
  type MailboxLanguage,
  type MailboxState,
  type VoicemailPolicy,
  type VoicemailUnit,
} from './voicemail-rules.ts';
export {
  CHARGING_HOLD_CODES,
  CHARGING_REFUND_CODE,
  USAGE_CSV_COLUMNS,
  USAGE_KINDS,
  exportUsageCsv,
  listUsage,
  usageAnchorTransferId,
  usageByReference,
  type UsageExport,
  type UsageExportQuery,
  type UsageKind,
  type UsagePage,
  type UsageQuery,
  type UsageRecord,
  type UsageTotals,
} from './usage.ts';
