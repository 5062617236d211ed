/**
 * What the SMS outbox needs from a carrier connection. The SMPP client in src/protocols/smpp
 * implements it; the outbox never sees a protocol.
 */

/** The longest one send may take: a transport must give up before it (the lease outlasts it). */
export const SMS_SEND_TIMEOUT_MS = 150_000;

export interface SmsPartAccepted {
  /** 1-based. */
  readonly part: number;
  readonly parts: number;
  /** The SMSC's id for this part; its delivery receipt names it. */
  readonly messageId: string;
}

export interface OutgoingSms {
  /** Our id, for logs. */
  readonly id: string;
  /** E.164. */
  readonly to: string;
  readonly text: string;
  /** 0–255: the concatenation reference of every part, the same on every attempt. */
  readonly concatReference: number;
  /** Parts the SMSC accepted in earlier attempts (part → message id): not sent again. */
  readonly acceptedParts: ReadonlyMap<number, string>;
  /** Called as the SMSC accepts each part; the outbox records it at once. */
  onPartAccepted(accepted: SmsPartAccepted): Promise<void>;
}

export interface SmsSent {
  /** Parts the text took. */
  readonly parts: number;
}

/** A send that did not go through; `permanent`: trying again cannot help (a refused number). */
export class SmsSendError extends Error {
  override readonly name = 'SmsSendError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * Sends every part of one SMS not yet accepted, or throws (an SmsSendError says whether it is
 * worth another attempt). Must end within SMS_SEND_TIMEOUT_MS.
 */
export interface SmsTransport {
  send(sms: OutgoingSms): Promise<SmsSent>;
}

/** What a delivery receipt means for one part. `pending`: not final (enroute, accepted). */
export type SmsReceiptOutcome = 'delivered' | 'failed' | 'expired' | 'pending';

export interface SmsReceipt {
  /** The SMSC's message id of the part. */
  readonly messageId: string;
  readonly outcome: SmsReceiptOutcome;
  /** The receipt's own word for it (`DELIVRD`, `UNDELIV`, `message_state=5`). */
  readonly stat: string;
  readonly error: string | null;
}
