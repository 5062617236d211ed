export {
  decideBalanceRefundReview,
  getBalanceRefund,
  listBalanceRefunds,
  payBalanceRefund,
  previewBalanceRefund,
  requestBalanceRefund,
  type BalanceRefund,
  type BalanceRefundStatus,
} from './balance-refund.ts';
export { confirmPasswordReset, requestPasswordReset } from './codes.ts';
export {
  COMPLETER_BATCH_MAX,
  completeOrders,
  handleFundingWebhook,
  returnFromProvider,
  type CompleterReport,
} from './completer.ts';
export type { SalesContext } from './context.ts';
export {
  createPurchaseOrder,
  createRechargeOrder,
  type BuyerInput,
  type OrderStarted,
  type PurchaseInput,
  type RechargeOrderInput,
} from './create.ts';
export { fulfilOrder } from './fulfil.ts';
export {
  buyerView,
  claimGift,
  giftView,
  keepForSelf,
  sendAsGift,
  type BuyerView,
  type GiftInput,
  type GiftView,
  type OrderCard,
} from './handover.ts';
export { holderOf, maskEmail, updateHolder, type Holder } from './holders.ts';
export { SALES_MIGRATIONS } from './migrations.ts';
export {
  ORDER_STATUSES,
  isOrderKey,
  orderForBuyer,
  type Locale,
  type Order,
  type OrderKind,
  type OrderStatus,
} from './order-row.ts';
export { checkOrderPayment, startPayment } from './payment-phase.ts';
export { rekeyForHolder } from './rekey.ts';
export {
  DEFAULT_BALANCE_REFUND_RULES,
  GIFT_DESIGNS,
  ORDER_QUANTITY_MAX,
  ORDER_TOTAL_MAX_MINOR,
  RECHARGE_DAILY_MAX_MINOR,
  RECHARGE_MIN_MINOR,
  allocatePayout,
  checkOrder,
  checkRecharge,
  decideBalanceRefund,
  type BalanceRefundRules,
  type GiftDesign,
} from './rules.ts';
export {
  DEFAULT_NOTICE_WINDOWS_DAYS,
  noticeWindow,
  sendExpiryNotices,
  type NoticeLine,
  type NoticeReport,
  type NoticeStatus,
} from './expiry-notices.ts';
