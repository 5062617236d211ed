export {
  API_SCOPES,
  createApiKey,
  listApiKeys,
  principalOf,
  revokeApiKey,
  rotateApiKey,
  signingSecretOf,
  type ApiKeyView,
  type ApiScope,
  type NewApiKey,
  type Principal,
} from './api-keys.ts';
export {
  ASSOCIATE_CATEGORIES,
  createAssociate,
  getAssociate,
  listAssociates,
  merchantAccountId,
  updateAssociate,
  type Associate,
  type AssociateInput,
} from './associates.ts';
export { authorizeCardShare, authorizeWithCard, type AuthorizeResult } from './authorize.ts';
export { capturePayment, voidPayment } from './capture.ts';
export { chargeCard, chargeCredentials } from './charge.ts';
export type { PaymentKeys, PaymentsContext } from './context.ts';
export {
  HOLD_LIFETIME_DEFAULT_MS,
  createPayment,
  listPayments,
  type CreatePaymentInput,
} from './create.ts';
export {
  EVENT_TYPES,
  emitEvent,
  getEvent,
  listEvents,
  type EventJson,
  type EventType,
} from './events.ts';
export { expireDuePayments } from './expiry.ts';
export {
  activityJson,
  cardActivity,
  flagPayment,
  suspendFlaggedCard,
  type CardActivity,
} from './holder.ts';
export {
  IDEMPOTENCY_KEY,
  canonicalJson,
  idempotent,
  peekIdempotent,
  purgeIdempotency,
  requestHash,
  type StoredResponse,
} from './idempotency.ts';
export { PAYMENTS_MIGRATIONS } from './migrations.ts';
export {
  loadPayment,
  paymentJson,
  type Payment,
  type PaymentJson,
  type PaymentPart,
} from './payment-row.ts';
export { Refusal, refusable } from './refusal.ts';
export {
  REFUND_REASONS,
  getRefund,
  listRefunds,
  refundJson,
  refundPayment,
  type Refund,
  type RefundJson,
} from './refund.ts';
export {
  PAYMENT_STATUSES,
  allocate,
  commissionMinor,
  paymentStatus,
  type PaymentStatus,
} from './rules.ts';
export { rememberSignature, signWebhook, signedReturnUrl, webhookSecretOf } from './secrets.ts';
export {
  SIGNATURE_TOLERANCE_S,
  bodyDigest,
  signatureHeader,
  signingPayload,
  verifySignature,
} from './signature.ts';
export {
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_RETRY_WINDOW_MS,
  attemptJson,
  deliverDueWebhooks,
  deliveryJson,
  getDelivery,
  listDeliveries,
  nextAttemptAtMs,
  redeliverEvent,
  type DeliveryJson,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookPassReport,
} from './webhook-delivery.ts';
