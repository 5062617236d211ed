import {
  SMS_SEND_TIMEOUT_MS,
  SmsSendError,
  type SmsReceipt,
  type SmsReceiptOutcome,
  type SmsTransport,
} from '../../notify/index.ts';
import {
  SMPP_SUBMIT_DEADLINE_MS,
  SmppClient,
  SmppError,
  type SmppClientOptions,
  type SmppClientStatus,
  type SmppLog,
} from './client.ts';
import type { DeliveryReceipt, ReceiptState } from './receipt.ts';
import { smsSubmitParts } from './segment.ts';
import { parseSmppUrl } from './url.ts';

/**
 * The SMS outbox's transport over SMPP: one client (a transceiver) or two (a transmitter and a
 * receiver, `bind=pair`), built from SMPP_URL. Texts are split by segment.ts; receipts go to
 * `onReceipt` (the outbox's recordSmsReceipt) before the SMSC gets its deliver_sm_resp.
 */

/** Parts one SMS may take here (the outbox's 800-character limit needs at most 24). */
export const SMS_PARTS_MAX = 32;
/** Alphanumeric sender ids are at most 11 characters (GSM 03.40). */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ._-]{1,11}$/;
const NUMERIC_SENDER = /^\+?[0-9]{1,20}$/;

export interface SourceAddress {
  readonly addr: string;
  readonly ton: number;
  readonly npi: number;
}

/**
 * TON/NPI of the sender id: letters → alphanumeric (TON 5, NPI 0); `+` and digits →
 * international (TON 1, NPI 1, sent without the `+`); digits alone (a short code) → TON 3
 * (network specific), NPI 0... unless a carrier asks otherwise, which it states in its
 * interface document.
 */
export function sourceAddressOf(sender: string): SourceAddress {
  if (ALPHANUMERIC_SENDER.test(sender)) return { addr: sender, ton: 5, npi: 0 };
  if (NUMERIC_SENDER.test(sender)) {
    return sender.startsWith('+')
      ? { addr: sender.slice(1), ton: 1, npi: 1 }
      : { addr: sender, ton: 3, npi: 0 };
  }
  throw new Error(
    'SMPP_SOURCE_ADDR must be a short code, +digits, or 1–11 letters, digits, space . _ -',
  );
}

/** What a receipt's state means for the outbox. */
export function receiptOutcome(state: ReceiptState): SmsReceiptOutcome {
  switch (state) {
    case 'delivered':
      return 'delivered';
    case 'expired':
      return 'expired';
    case 'deleted':
    case 'undeliverable':
    case 'rejected':
    case 'unknown':
    case 'skipped':
      return 'failed';
    case 'scheduled':
    case 'enroute':
    case 'accepted':
      return 'pending';
  }
}

export function smsReceiptOf(receipt: DeliveryReceipt): SmsReceipt {
  return {
    messageId: receipt.messageId,
    outcome: receiptOutcome(receipt.state),
    stat: receipt.stat,
    error: receipt.error,
  };
}

export type ClientTuning = Omit<
  SmppClientOptions,
  'host' | 'port' | 'systemId' | 'password' | 'systemType' | 'mode' | 'onReceipt' | 'log'
>;

export interface SmppGatewayOptions {
  /** SMPP_URL (url.ts). */
  readonly url: string;
  /** SMPP_SOURCE_ADDR: the sender id. */
  readonly sourceAddr: string;
  /** SMPP_WINDOW; default 10. */
  readonly window?: number;
  readonly onReceipt?: (receipt: SmsReceipt) => Promise<unknown>;
  readonly log?: SmppLog;
  /** Timeouts and backoffs (tests shorten them). */
  readonly tuning?: ClientTuning;
}

export interface SmppGateway {
  readonly transport: SmsTransport;
  /** The session that submits, and the one that takes receipts (the same for a transceiver). */
  readonly transmitter: SmppClient;
  readonly receiver: SmppClient | null;
  start(): void;
  status(): { readonly transmitter: SmppClientStatus; readonly receiver: SmppClientStatus | null };
  close(): Promise<void>;
}

export function createSmppGateway(options: SmppGatewayOptions): SmppGateway {
  const endpoint = parseSmppUrl(options.url);
  const source = sourceAddressOf(options.sourceAddr);
  const onReceipt =
    options.onReceipt === undefined
      ? undefined
      : async (receipt: DeliveryReceipt): Promise<void> => {
          await options.onReceipt?.(smsReceiptOf(receipt));
        };
  const base = {
    host: endpoint.host,
    port: endpoint.port,
    systemId: endpoint.systemId,
    password: endpoint.password,
    systemType: endpoint.systemType,
    ...(options.log !== undefined ? { log: options.log } : {}),
    ...options.tuning,
    ...(options.window !== undefined ? { window: options.window } : {}),
    // A send must end before the outbox's lease on it does.
    submitDeadlineMs: Math.min(
      options.tuning?.submitDeadlineMs ?? SMPP_SUBMIT_DEADLINE_MS,
      SMS_SEND_TIMEOUT_MS,
    ),
  };
  const transmitter = new SmppClient({
    ...base,
    mode: endpoint.bind === 'transceiver' ? 'transceiver' : 'transmitter',
    ...(endpoint.bind === 'transceiver' && onReceipt !== undefined ? { onReceipt } : {}),
  });
  const receiver =
    endpoint.bind === 'pair'
      ? new SmppClient({
          ...base,
          mode: 'receiver',
          ...(onReceipt !== undefined ? { onReceipt } : {}),
        })
      : null;

  const transport: SmsTransport = {
    async send(sms) {
      let plan;
      try {
        plan = smsSubmitParts(sms.text, sms.concatReference);
      } catch (error) {
        throw new SmsSendError(error instanceof Error ? error.message : 'cannot split', true);
      }
      const parts = plan.shortMessages.length;
      if (parts > SMS_PARTS_MAX) {
        throw new SmsSendError(`the text needs ${parts} parts; at most ${SMS_PARTS_MAX}`, true);
      }
      // Parts go into the client's queue in order; its window keeps up to N of them in flight.
      const results = await Promise.allSettled(
        plan.shortMessages.map(async (shortMessage, i) => {
          const part = i + 1;
          if (sms.acceptedParts.has(part)) return;
          const messageId = await transmitter.submit({
            sourceAddr: source.addr,
            sourceTon: source.ton,
            sourceNpi: source.npi,
            destination: sms.to,
            shortMessage,
            dataCoding: plan.dataCoding,
            esmClass: plan.esmClass,
            registeredDelivery: true,
          });
          await sms.onPartAccepted({ part, parts, messageId });
        }),
      );
      const failures: unknown[] = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      if (failures.length > 0) {
        const permanent = failures.some((e) => e instanceof SmppError && e.permanent);
        const first: unknown =
          failures.find((e) => e instanceof SmppError && e.permanent) ?? failures[0];
        const why = first instanceof Error ? first.message : 'send failed';
        throw new SmsSendError(
          `${failures.length} of ${parts} part(s) not accepted: ${why}`,
          permanent,
        );
      }
      return { parts };
    },
  };

  return {
    transport,
    transmitter,
    receiver,
    start() {
      transmitter.start();
      receiver?.start();
    },
    status() {
      return { transmitter: transmitter.status(), receiver: receiver?.status() ?? null };
    },
    async close() {
      await Promise.all([transmitter.close(), receiver?.close()]);
    },
  };
}
