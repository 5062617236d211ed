export {
  fxPositionAccountId,
  inventoryAccountId,
  payableAccountId,
  payoutClearingAccountId,
} from './accounts.ts';
export { availableCount, type LowStockAlert } from './alerts.ts';
export {
  DEFAULT_FOREIGN_POLICY,
  createForeignContext,
  type ForeignContext,
  type ForeignFaults,
  type ForeignPolicy,
  type HolderContact,
} from './context.ts';
export {
  MARGIN_BPS_MAX,
  PARITY,
  convertMinor,
  divideRounded,
  parseMajorAmount,
  parsePair,
  parseRate,
  rateText,
  switchPrice,
  type Rate,
  type Rounding,
  type SwitchPrice,
} from './fx-rules.ts';
export { settlementIdOf, switchIdOf, switchTransfer } from './ids.ts';
export { FOREIGN_MIGRATIONS } from './migrations.ts';
export { FOREIGN_KEY_BYTES, type ForeignKeys } from './pin-seal.ts';
export {
  describeValues,
  importPins,
  offeredValues,
  stockReport,
  voidPoolPin,
  type PinImportReport,
  type StockLine,
  type ValueCount,
} from './pool.ts';
export {
  LOW_STOCK_MAX,
  addProvider,
  getProvider,
  listProviders,
  setProviderState,
  setStockThreshold,
  type Provider,
  type ProviderInput,
} from './providers.ts';
export { createQuote, getQuote, listOffers, type Offer, type Quote } from './quotes.ts';
export {
  importRates,
  listRates,
  rateInForce,
  setRate,
  type RateImportReport,
  type RateInForce,
} from './rates.ts';
export { SETTLEMENT_ENTRIES_MAX, settleProvider, type SettlementReport } from './settlement.ts';
export {
  IMPORT_LINES_MAX,
  normalizeForeignPin,
  parseInstant,
  parsePinFile,
  parseRateFile,
  settlementPeriod,
  stockSignal,
  type LineError,
  type PinLine,
  type RateLine,
  type SettlementPeriod,
  type StockSignal,
} from './stock-rules.ts';
export {
  describeRate,
  listSwitches,
  releaseStaleSwitches,
  runSwitch,
  switchToForeign,
  type PlannedTransfer,
  type ReleaseReport,
  type SwitchInput,
  type SwitchPlan,
  type SwitchResult,
} from './switch.ts';
export type { PoolPinState, QuoteState, SwitchState } from './tables.ts';
