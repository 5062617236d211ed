/**
 * SMS over SMPP 3.4, our side (the ESME): a client on top of the `smpp` package's codec and
 * session, the pure splitting of texts into parts, delivery receipts, and the SMS outbox's
 * transport. See docs/sms.md.
 */
export { RECONNECT_BACKOFF, THROTTLE_BACKOFF, backoffMs, type BackoffPolicy } from './backoff.ts';
export {
  SMPP_CONNECT_TIMEOUT_MS,
  SMPP_ENQUIRE_LINK_MS,
  SMPP_QUEUE_MAX,
  SMPP_RESPONSE_TIMEOUT_MS,
  SMPP_SUBMIT_ATTEMPTS_MAX,
  SMPP_SUBMIT_DEADLINE_MS,
  SMPP_WINDOW_DEFAULT,
  SMPP_WINDOW_MAX,
  SmppClient,
  SmppError,
  type BindMode,
  type SmppClientOptions,
  type SmppClientState,
  type SmppClientStatus,
  type SmppErrorCode,
  type SmppLog,
  type SubmitRequest,
} from './client.ts';
export {
  SMS_PARTS_MAX,
  createSmppGateway,
  receiptOutcome,
  smsReceiptOf,
  sourceAddressOf,
  type ClientTuning,
  type SmppGateway,
  type SmppGatewayOptions,
  type SourceAddress,
} from './gateway.ts';
export { encodeGsm, gsmSeptetsOf } from './gsm.ts';
export { maskNumber } from './mask.ts';
export {
  isReceiptEsmClass,
  parseReceiptText,
  receiptOf,
  type DeliveryReceipt,
  type ReceiptState,
  type ReceiptText,
} from './receipt.ts';
export {
  DATA_CODING_GSM,
  DATA_CODING_UCS2,
  ESM_CLASS_UDHI,
  SMS_PART_GSM_SEPTETS,
  SMS_PART_UCS2_UNITS,
  SMS_SINGLE_GSM_SEPTETS,
  SMS_SINGLE_UCS2_UNITS,
  concatHeader,
  segmentSms,
  smsSubmitParts,
  type SmsEncoding,
  type SmsSegments,
  type SmsSubmitParts,
} from './segment.ts';
export { STATUS, describeStatus, submitVerdict, type SubmitVerdict } from './status.ts';
export { parseSmppUrl, redactSmppUrl, type GatewayBind, type SmppEndpoint } from './url.ts';
