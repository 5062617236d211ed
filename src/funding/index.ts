export { isFinalStatus, mapDecline } from './decline-rules.ts';
export {
  FUNDING_TIMEOUT_DEFAULT_MS,
  sandboxProvider,
  type SandboxProviderOptions,
} from './sandbox-provider.ts';
export {
  DECLINE_CODES,
  PROVIDER_EVENT_TYPES,
  PROVIDER_PAYMENT_STATUSES,
  type CreatePaymentInput,
  type DeclineCode,
  type FundingInstrument,
  type FundingMethod,
  type FundingProvider,
  type PaymentLookup,
  type ProviderEvent,
  type ProviderEventType,
  type ProviderPayment,
  type ProviderPaymentStatus,
  type ProviderRefund,
  type RefundInput,
  type VirtualAccount,
} from './types.ts';
export {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TOLERANCE_S,
  verifyWebhookSignature,
  webhookSignatureHeader,
} from './webhook-signature.ts';
