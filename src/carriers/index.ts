export {
  addCarrier,
  carrierByKey,
  carrierSigningSecret,
  getCarrier,
  listCarriers,
  newCarrierKey,
  provisionPins,
  receivableAccountId,
  type Carrier,
  type ProvisionReport,
} from './carriers.ts';
export {
  importBilling,
  reconciliationOf,
  remittanceTransferIds,
  type BillingReport,
} from './billing.ts';
export { createCarriersContext, type CarriersContext } from './context.ts';
export { CARRIERS_MIGRATIONS } from './migrations.ts';
export { codeSmsText, completeRegistration, requestRegistrationCode } from './register.ts';
export {
  BILLING_HEADER,
  DEFAULT_SMS_LIMITS,
  RECONCILIATION_KINDS,
  SALES_HEADER,
  commissionSplit,
  normalizePhone,
  parseBillingFile,
  parseSalesFile,
  periodBounds,
  phonePrefix,
  reconcile,
  smsLimitDecision,
  type BillingLine,
  type LineError,
  type ReconciliationKind,
  type ReconciliationLine,
  type SaleLine,
  type SmsLimits,
} from './rules.ts';
export { pinSmsText, reportSale, type CarrierSale, type SaleReportInput } from './sale.ts';
