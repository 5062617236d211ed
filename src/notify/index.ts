export { EMAIL_ADDRESS_CHARS_MAX, normalizeEmailAddress } from './address.ts';
export { BODY_KEY_BYTES, assertBodyKey, deriveEmailBodyKey } from './body-seal.ts';
export type { NotifyContext } from './context.ts';
export {
  EMAIL_PASS_LIMIT_DEFAULT,
  EMAIL_PASS_LIMIT_MAX,
  EMAIL_SEND_LEASE_MS,
  deliverDueEmails,
  messageIdOf,
  retryEmail,
  type EmailPassReport,
} from './deliver.ts';
export { GIFT_DESIGN_LOOKS, type GiftDesignLook } from './designs.ts';
export type { EmailSummary, EmailView } from './email-row.ts';
export {
  DEDUPE_KEY_CHARS_MAX,
  SEND_AFTER_MAX_MS,
  enqueueEmail,
  type Enqueued,
  type EnqueueEmailInput,
} from './enqueue.ts';
export { NOTIFY_MIGRATIONS } from './migrations.ts';
export { EMAIL_PAGE_MAX, getEmail, listEmails, type EmailPage } from './read.ts';
export { renderEmail, type RenderedEmail } from './render.ts';
export { EMAIL_ATTEMPTS_MAX, EMAIL_RETRY_DELAYS_MS, nextEmailAttemptAtMs } from './retry-rules.ts';
export { EMAIL_STATUSES, isEmailStatus, type EmailStatus } from './status.ts';
export { SUBJECT_CHARS_MAX } from './subjects.ts';
export {
  GIFT_DESIGNS,
  LOCALES,
  ORDER_LINES_MAX,
  TEMPLATE_NAMES,
  TEXT_FIELD_CHARS_MAX,
  checkEmailData,
  isLocale,
  isTemplateName,
  type EmailData,
  type GiftDesign,
  type Locale,
  type OrderLine,
  type TemplateName,
} from './templates.ts';
export {
  SMTP_CONNECTION_TIMEOUT_MS,
  SMTP_GREETING_TIMEOUT_MS,
  SMTP_SEND_TIMEOUT_MS,
  SMTP_SOCKET_TIMEOUT_MS,
  redactSmtpUrl,
  smtpTransport,
  type EmailTransport,
  type OutgoingEmail,
} from './transport.ts';
export {
  SMS_EXPIRY_MAX_MS,
  SMS_TEXT_CHARS_MAX,
  enqueueSms,
  type EnqueueSmsInput,
  type SmsEnqueued,
} from './sms-enqueue.ts';
export {
  SMS_ATTEMPTS_MAX,
  SMS_PASS_LIMIT_DEFAULT,
  SMS_PASS_LIMIT_MAX,
  SMS_RETRY_DELAYS_MS,
  SMS_SEND_LEASE_MS,
  deliverDueSms,
  nextSmsAttemptAtMs,
  type SmsPassReport,
} from './sms-deliver.ts';
export { getSms, type SmsPartView, type SmsView } from './sms-read.ts';
export { SMS_RECEIPT_WAIT_MAX_MS, recordSmsReceipt, type SmsReceiptResult } from './sms-receipt.ts';
export { SMS_STATUSES, isSmsStatus, type SmsStatus } from './sms-status.ts';
export {
  SMS_SEND_TIMEOUT_MS,
  SmsSendError,
  type OutgoingSms,
  type SmsPartAccepted,
  type SmsReceipt,
  type SmsReceiptOutcome,
  type SmsSent,
  type SmsTransport,
} from './sms-transport.ts';
