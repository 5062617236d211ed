import smpp, { type Pdu, type Session, type TlvType } from 'smpp';
import { RECONNECT_BACKOFF, THROTTLE_BACKOFF, backoffMs, type BackoffPolicy } from './backoff.ts';
import { maskNumber } from './mask.ts';
import { isReceiptEsmClass, receiptOf, type DeliveryReceipt } from './receipt.ts';
import { STATUS, describeStatus, submitVerdict } from './status.ts';

/**
 * Our side of SMPP 3.4: the ESME. The `smpp` package (farhadi/node-smpp) encodes and decodes
 * the PDUs and reads them off the socket; this class adds what it lacks: the bind and a
 * keep-alive, reconnecting with capped exponential backoff and jitter, a window of outstanding
 * submit_sm with a response timeout for each, back-off on throttling, a deadline for every
 * submit, receipts handed to the caller before deliver_sm_resp, and a graceful unbind.
 *
 * Everything a peer can do to us ends in its own session: a malformed PDU, a socket error or a
 * peer that stops answering (no response to enquire_link) destroys that session, and the
 * client binds again after a backoff. Nothing here logs message text, and phone numbers are
 * logged masked.
 */

/**
 * The package reads a C-Octet string TLV up to a NUL and ignores the TLV's length, so a
 * receipted_message_id sent without its NUL swallows the TLVs after it. Read it by its length.
 */
const C_OCTET_BY_LENGTH: TlvType = {
  read: (buffer, offset, length) =>
    buffer.toString('latin1', offset, offset + length).replace(/\0[\s\S]*$/, ''),
  write: (value, buffer, offset) => {
    const bytes = Buffer.from(String(value), 'latin1');
    bytes.copy(buffer, offset);
    buffer[offset + bytes.length] = 0;
  },
  size: (value) => Buffer.byteLength(String(value), 'latin1') + 1,
  default: '',
};
smpp.addTLV('receipted_message_id', { id: 0x001e, type: C_OCTET_BY_LENGTH });

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';
export type SmppClientState =
  'idle' | 'connecting' | 'binding' | 'bound' | 'disconnected' | 'closing' | 'closed';

export interface SmppLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const SILENT: SmppLog = { info: () => undefined, warn: () => undefined };

export const SMPP_WINDOW_DEFAULT = 10;
export const SMPP_WINDOW_MAX = 1_000;
export const SMPP_RESPONSE_TIMEOUT_MS = 10_000;
export const SMPP_ENQUIRE_LINK_MS = 30_000;
export const SMPP_CONNECT_TIMEOUT_MS = 10_000;
/** Sends of one submit_sm that went unanswered or met a passing fault, before it fails. */
export const SMPP_SUBMIT_ATTEMPTS_MAX = 3;
/** The longest one submit may take, queueing, throttling and retries included. */
export const SMPP_SUBMIT_DEADLINE_MS = 120_000;
/** Submits waiting for a window slot; more are refused at once. */
export const SMPP_QUEUE_MAX = 10_000;
/** Receipts handed to the caller and not yet answered; more are answered "try later". */
const RECEIPTS_IN_FLIGHT_MAX = 100;
/** short_message is at most 254 octets (SMPP 3.4 §5.2.21). */
const SHORT_MESSAGE_MAX = 254;
const INTERFACE_VERSION_34 = 0x34;
const RECENT_DELAYS = 16;

export interface SmppClientOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType?: string;
  readonly mode?: BindMode;
  /** Most submit_sm sent and not yet answered. */
  readonly window?: number;
  /** How long one request may wait for its response. */
  readonly responseTimeoutMs?: number;
  /** An enquire_link goes after this long without a PDU from the SMSC. */
  readonly enquireLinkMs?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnect?: BackoffPolicy;
  readonly throttle?: BackoffPolicy;
  readonly submitAttemptsMax?: number;
  readonly submitDeadlineMs?: number;
  /**
   * Gets each delivery receipt; deliver_sm_resp goes when it resolves (status 0), or with
   * ESME_RX_T_APPN ("try later") when it rejects or takes longer than the response timeout,
   * so the SMSC keeps a receipt we could not store.
   */
  readonly onReceipt?: (receipt: DeliveryReceipt) => Promise<void>;
  readonly log?: SmppLog;
  /** [0, 1): the jitter of every backoff. */
  readonly random?: () => number;
}

export interface SubmitRequest {
  readonly sourceAddr: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  /** International number, with or without its `+`. */
  readonly destination: string;
  /** The octets of short_message (user data header included, when there is one). */
  readonly shortMessage: Buffer;
  readonly dataCoding: number;
  readonly esmClass: number;
  /** Ask for a final delivery receipt. */
  readonly registeredDelivery: boolean;
}

export type SmppErrorCode =
  | 'bind_refused'
  | 'submit_refused'
  | 'no_response'
  | 'connection_lost'
  | 'deadline'
  | 'closed'
  | 'queue_full'
  | 'invalid';

/** Why a bind or a submit did not succeed. `permanent`: sending the same again will not help. */
export class SmppError extends Error {
  override readonly name = 'SmppError';
  constructor(
    readonly code: SmppErrorCode,
    message: string,
    readonly status: number | null = null,
    readonly permanent = false,
  ) {
    super(message);
  }
}

export interface SmppClientStatus {
  readonly state: SmppClientState;
  readonly mode: BindMode;
  /** submit_sm sent and not answered. */
  readonly outstanding: number;
  /** Submits waiting for the session or a window slot. */
  readonly queued: number;
  readonly connects: number;
  readonly bindsAccepted: number;
  readonly bindsRefused: number;
  readonly submitted: number;
  readonly timeouts: number;
  readonly throttled: number;
  /** submit_sm sent again (after a timeout, a throttle, a passing fault or a lost session). */
  readonly resent: number;
  readonly receipts: number;
  readonly enquireLinksSent: number;
  readonly enquireLinksAnswered: number;
  /** The last waits before a reconnect and after a throttle, newest last. */
  readonly reconnectDelaysMs: readonly number[];
  readonly throttleDelaysMs: readonly number[];
  readonly lastError: string | null;
}

interface Job {
  readonly order: number;
  readonly fields: Record<string, unknown>;
  readonly to: string;
  readonly deadlineAt: number;
  deadlineTimer: NodeJS.Timeout | undefined;
  /** Sends that went unanswered or met a passing fault. */
  failures: number;
  sends: number;
  done: boolean;
  resolve(messageId: string): void;
  reject(error: SmppError): void;
}

interface InFlight {
  readonly job: Job;
  readonly session: Session;
  timer: NodeJS.Timeout | undefined;
  live: boolean;
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (typeof value === 'object' && value !== null && 'message' in value) {
    return textOf(value.message);
  }
  return '';
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export class SmppClient {
  readonly #o: {
    readonly host: string;
    readonly port: number;
    readonly systemId: string;
    readonly password: string;
    readonly systemType: string;
    readonly mode: BindMode;
    readonly window: number;
    readonly responseTimeoutMs: number;
    readonly enquireLinkMs: number;
    readonly connectTimeoutMs: number;
    readonly reconnect: BackoffPolicy;
    readonly throttle: BackoffPolicy;
    readonly submitAttemptsMax: number;
    readonly submitDeadlineMs: number;
  };
  readonly #onReceipt: ((receipt: DeliveryReceipt) => Promise<void>) | undefined;
  readonly #log: SmppLog;
  readonly #random: () => number;

  #state: SmppClientState = 'idle';
  #session: Session | null = null;
  #queue: Job[] = [];
  readonly #inFlight = new Map<number, InFlight>();
  #order = 0;
  #reconnectFailures = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #throttleFailures = 0;
  #throttledUntil = 0;
  #pumpTimer: NodeJS.Timeout | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #probing = false;
  #lastReceivedAt = 0;
  #receiptsInFlight = 0;
  #closing: Promise<void> | null = null;
  #waiters: (() => void)[] = [];
  #lastError: string | null = null;
  #counts = {
    connects: 0,
    bindsAccepted: 0,
    bindsRefused: 0,
    submitted: 0,
    timeouts: 0,
    throttled: 0,
    resent: 0,
    receipts: 0,
    enquireLinksSent: 0,
    enquireLinksAnswered: 0,
  };
  readonly #reconnectDelays: number[] = [];
  readonly #throttleDelays: number[] = [];

  constructor(options: SmppClientOptions) {
    const responseTimeoutMs = options.responseTimeoutMs ?? SMPP_RESPONSE_TIMEOUT_MS;
    this.#o = {
      host: options.host,
      port: options.port,
      systemId: options.systemId,
      password: options.password,
      systemType: options.systemType ?? '',
      mode: options.mode ?? 'transceiver',
      window: positiveInteger('window', options.window ?? SMPP_WINDOW_DEFAULT, SMPP_WINDOW_MAX),
      responseTimeoutMs: positiveInteger('responseTimeoutMs', responseTimeoutMs, 600_000),
      enquireLinkMs: positiveInteger(
        'enquireLinkMs',
        options.enquireLinkMs ?? SMPP_ENQUIRE_LINK_MS,
        3_600_000,
      ),
      connectTimeoutMs: positiveInteger(
        'connectTimeoutMs',
        options.connectTimeoutMs ?? SMPP_CONNECT_TIMEOUT_MS,
        600_000,
      ),
      reconnect: options.reconnect ?? RECONNECT_BACKOFF,
      throttle: options.throttle ?? THROTTLE_BACKOFF,
      submitAttemptsMax: positiveInteger(
        'submitAttemptsMax',
        options.submitAttemptsMax ?? SMPP_SUBMIT_ATTEMPTS_MAX,
        100,
      ),
      submitDeadlineMs: positiveInteger(
        'submitDeadlineMs',
        options.submitDeadlineMs ?? SMPP_SUBMIT_DEADLINE_MS,
        3_600_000,
      ),
    };
    this.#onReceipt = options.onReceipt;
    this.#log = options.log ?? SILENT;
    this.#random = options.random ?? Math.random;
  }

  /** Starts connecting; the client keeps a bound session from now until close(). */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  get state(): SmppClientState {
    return this.#state;
  }

  status(): SmppClientStatus {
    return {
      state: this.#state,
      mode: this.#o.mode,
      outstanding: this.#inFlight.size,
      queued: this.#queue.length,
      ...this.#counts,
      reconnectDelaysMs: [...this.#reconnectDelays],
      throttleDelaysMs: [...this.#throttleDelays],
      lastError: this.#lastError,
    };
  }

  /** Resolves once bound; rejects after `timeoutMs` with the last bind or connection error. */
  async waitBound(timeoutMs: number): Promise<void> {
    const bound = await this.#waitFor(() => this.#state === 'bound', timeoutMs);
    if (!bound) {
      throw new SmppError(
        'deadline',
        `not bound to the SMSC after ${timeoutMs} ms${this.#lastError === null ? '' : `: ${this.#lastError}`}`,
      );
    }
  }

  /**
   * Sends one submit_sm and resolves with the SMSC's message id. It waits for a bound session
   * and a free window slot; it is sent again after a response timeout, a passing SMSC fault or
   * a lost session (at most submitAttemptsMax such sends), and after a throttle answer once the
   * back-off has passed. Rejects with an SmppError when refused, out of attempts or past the
   * submit deadline.
   */
  submit(request: SubmitRequest): Promise<string> {
    if (this.#closing !== null || this.#state === 'closed') {
      return Promise.reject(new SmppError('closed', 'the SMPP client is closed', null, false));
    }
    if (this.#o.mode === 'receiver') {
      return Promise.reject(
        new SmppError('invalid', 'a receiver session cannot submit', null, true),
      );
    }
    const digits = request.destination.replace(/^\+/, '');
    if (!/^[0-9]{1,20}$/.test(digits)) {
      return Promise.reject(
        new SmppError('invalid', 'the destination is not a number', null, true),
      );
    }
    if (request.shortMessage.length > SHORT_MESSAGE_MAX) {
      return Promise.reject(
        new SmppError('invalid', 'short_message is longer than 254 octets', null, true),
      );
    }
    if (this.#queue.length >= SMPP_QUEUE_MAX) {
      return Promise.reject(new SmppError('queue_full', 'too many submits waiting', null, false));
    }
    return new Promise<string>((resolve, reject) => {
      const job: Job = {
        order: (this.#order += 1),
        fields: {
          service_type: '',
          source_addr_ton: request.sourceTon,
          source_addr_npi: request.sourceNpi,
          source_addr: request.sourceAddr,
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: digits,
          esm_class: request.esmClass,
          protocol_id: 0,
          priority_flag: 0,
          registered_delivery: request.registeredDelivery ? 1 : 0,
          replace_if_present_flag: 0,
          data_coding: request.dataCoding,
          sm_default_msg_id: 0,
          short_message: request.shortMessage,
        },
        to: maskNumber(digits),
        deadlineAt: Date.now() + this.#o.submitDeadlineMs,
        deadlineTimer: undefined,
        failures: 0,
        sends: 0,
        done: false,
        resolve,
        reject,
      };
      job.deadlineTimer = setTimeout(() => this.#onDeadline(job), this.#o.submitDeadlineMs);
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Sends an enquire_link now and resolves when the SMSC answers (a health check). */
  async enquireLink(): Promise<void> {
    const session = this.#session;
    if (session === null || this.#state !== 'bound') {
      throw new SmppError('connection_lost', 'not bound to the SMSC');
    }
    await this.#probe(session);
  }

  /**
   * Ends the session: submits not yet sent are rejected, those in flight get up to the
   * response timeout to be answered, then unbind (answered or timed out) and the socket
   * closes. No reconnect follows.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    const waiting = this.#queue;
    this.#queue = [];
    for (const job of waiting) {
      this.#finish(job, new SmppError('closed', 'the SMPP client closed before sending'));
    }
    await this.#waitFor(() => this.#inFlight.size === 0, this.#o.responseTimeoutMs);
    for (const entry of [...this.#inFlight.values()]) {
      this.#settle(entry);
      this.#finish(entry.job, new SmppError('closed', 'the SMPP client closed before an answer'));
    }
    const session = this.#session;
    if (session !== null && this.#state === 'bound') {
      this.#state = 'closing';
      const unbound = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.#o.responseTimeoutMs);
        const sent = session.send(new smpp.PDU('unbind', {}), () => {
          clearTimeout(timer);
          resolve(true);
        });
        if (!sent) {
          clearTimeout(timer);
          resolve(false);
        }
      });
      this.#log.info({ unbound }, unbound ? 'SMPP unbound' : 'SMPP unbind not answered');
    }
    const graceful = this.#state === 'closing';
    this.#state = 'closing';
    if (session !== null && !graceful) session.destroy();
    else if (session !== null) {
      const closed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.#o.responseTimeoutMs);
        session.socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        if (session.socket.destroyed) {
          clearTimeout(timer);
          resolve(true);
        } else session.close();
      });
      if (!closed) session.destroy();
    }
    this.#stopKeepalive();
    this.#session = null;
    this.#state = 'closed';
    // Parts put back by a session that ended while we were closing: nothing will send them.
    for (const job of this.#queue.splice(0)) {
      this.#finish(job, new SmppError('closed', 'the SMPP client closed before sending'));
    }
    this.#wake();
  }

  #connect(): void {
    if (this.#closing !== null) return;
    this.#reconnectTimer = undefined;
    this.#state = 'connecting';
    this.#counts.connects += 1;
    const session = smpp.connect({ host: this.#o.host, port: this.#o.port });
    this.#session = session;
    const connectTimer = setTimeout(() => {
      this.#lastError = `no connection to ${this.#o.host}:${this.#o.port} within ${this.#o.connectTimeoutMs} ms`;
      session.destroy();
    }, this.#o.connectTimeoutMs);
    session.on('connect', () => {
      clearTimeout(connectTimer);
      if (session !== this.#session) return;
      session.socket.setNoDelay(true);
      session.socket.setKeepAlive(true, 30_000);
      this.#bind(session);
    });
    session.on('pdu', (pdu: Pdu) => {
      try {
        this.#onPdu(session, pdu);
      } catch (error) {
        // Our handling of a PDU failed: this session is no longer trustworthy.
        this.#noteError(error);
        session.destroy();
      }
    });
    session.on('error', (error: unknown) => {
      this.#noteError(error);
      session.destroy();
    });
    session.on('close', () => {
      clearTimeout(connectTimer);
      this.#onClose(session);
    });
  }

  #noteError(error: unknown): void {
    const text = error instanceof Error ? error.message : 'SMPP session error';
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    this.#lastError = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);
  }

  #bind(session: Session): void {
    this.#state = 'binding';
    const pdu = new smpp.PDU(`bind_${this.#o.mode}`, {
      system_id: this.#o.systemId,
      password: this.#o.password,
      system_type: this.#o.systemType,
      interface_version: INTERFACE_VERSION_34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    const timer = setTimeout(() => {
      this.#lastError = `no answer to the bind within ${this.#o.responseTimeoutMs} ms`;
      session.destroy();
    }, this.#o.responseTimeoutMs);
    session.send(pdu, (response) => {
      clearTimeout(timer);
      if (session !== this.#session || this.#state !== 'binding') return;
      const status = response.command_status;
      if (status === STATUS.ESME_ROK) {
        this.#state = 'bound';
        this.#reconnectFailures = 0;
        this.#counts.bindsAccepted += 1;
        this.#lastError = null;
        this.#log.info(
          {
            host: this.#o.host,
            port: this.#o.port,
            systemId: this.#o.systemId,
            mode: this.#o.mode,
          },
          'SMPP bound',
        );
        this.#startKeepalive(session);
        this.#wake();
        this.#pump();
        return;
      }
      this.#counts.bindsRefused += 1;
      this.#lastError = `the SMSC refused the bind: ${describeStatus(status)}`;
      this.#log.warn(
        { host: this.#o.host, port: this.#o.port, systemId: this.#o.systemId, status },
        this.#lastError,
      );
      session.destroy();
    });
  }

  #onClose(session: Session): void {
    if (session !== this.#session) return;
    this.#session = null;
    this.#stopKeepalive();
    for (const entry of [...this.#inFlight.values()]) {
      this.#settle(entry);
      entry.job.failures += 1;
      this.#retryOrFail(
        entry.job,
        new SmppError('connection_lost', 'the SMPP session closed before the SMSC answered'),
      );
    }
    if (this.#closing !== null) {
      this.#wake();
      return;
    }
    const wasBound = this.#state === 'bound';
    this.#state = 'disconnected';
    if (wasBound) this.#log.warn({ lastError: this.#lastError }, 'SMPP session lost');
    this.#reconnectFailures += 1;
    const delay = backoffMs(this.#o.reconnect, this.#reconnectFailures, this.#random());
    this.#remember(this.#reconnectDelays, delay);
    this.#log.info({ delayMs: delay, lastError: this.#lastError }, 'SMPP reconnect scheduled');
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    this.#wake();
  }

  #remember(list: number[], value: number): void {
    list.push(value);
    if (list.length > RECENT_DELAYS) list.shift();
  }

  #startKeepalive(session: Session): void {
    this.#lastReceivedAt = Date.now();
    const every = Math.max(1, Math.floor(this.#o.enquireLinkMs / 2));
    this.#keepaliveTimer = setInterval(() => {
      if (session !== this.#session || this.#probing) return;
      if (Date.now() - this.#lastReceivedAt < this.#o.enquireLinkMs) return;
      this.#probe(session).catch(() => undefined);
    }, every);
  }

  #stopKeepalive(): void {
    if (this.#keepaliveTimer !== undefined) clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#probing = false;
  }

  /** One enquire_link; no answer within the response timeout ends the session. */
  #probe(session: Session): Promise<void> {
    this.#probing = true;
    this.#counts.enquireLinksSent += 1;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (session === this.#session) this.#probing = false;
        this.#lastError = `no answer to enquire_link within ${this.#o.responseTimeoutMs} ms`;
        this.#log.warn({}, this.#lastError);
        session.destroy();
        reject(new SmppError('no_response', this.#lastError));
      }, this.#o.responseTimeoutMs);
      const sent = session.send(new smpp.PDU('enquire_link', {}), () => {
        clearTimeout(timer);
        if (session === this.#session) this.#probing = false;
        this.#counts.enquireLinksAnswered += 1;
        resolve();
      });
      if (!sent) {
        clearTimeout(timer);
        this.#probing = false;
        session.destroy();
        reject(new SmppError('connection_lost', 'the SMPP socket is not writable'));
      }
    });
  }

  #onPdu(session: Session, pdu: Pdu): void {
    if (session !== this.#session) return;
    this.#lastReceivedAt = Date.now();
    // Responses reach the callback given with their request (the package matches sequences).
    if (pdu.isResponse()) return;
    switch (pdu.command) {
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        this.#log.info({}, 'the SMSC unbound the session');
        this.#lastError = 'the SMSC unbound the session';
        // Nothing more goes out on it; what is in flight is sent again after the next bind.
        if (this.#state === 'bound') this.#state = 'disconnected';
        session.send(pdu.response(), () => session.close());
        return;
      case 'deliver_sm':
        this.#onDeliver(session, pdu);
        return;
      case 'alert_notification':
      case 'outbind':
        // No response is defined for these.
        return;
      default:
        session.send(pdu.response({ command_status: STATUS.ESME_RINVCMDID }));
    }
  }

  #onDeliver(session: Session, pdu: Pdu): void {
    const answer = (status: number): void => {
      if (session !== this.#session || !session.socket.writable) return;
      session.send(pdu.response(status === 0 ? {} : { command_status: status }));
    };
    if (this.#state !== 'bound' || this.#o.mode === 'transmitter') {
      answer(STATUS.ESME_RINVBNDSTS);
      return;
    }
    const esmClass = numberOf(pdu.esm_class) ?? 0;
    if (!isReceiptEsmClass(esmClass)) {
      const from = typeof pdu.source_addr === 'string' ? maskNumber(pdu.source_addr) : '';
      this.#log.info({ from }, 'inbound SMS ignored (only delivery receipts are read)');
      answer(0);
      return;
    }
    const text = textOf(pdu.short_message) || textOf(pdu.message_payload);
    const receipt = receiptOf({
      esmClass,
      text,
      receiptedMessageId:
        typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : undefined,
      messageState: numberOf(pdu.message_state),
    });
    if (receipt === 'malformed') {
      // Asking for it again would bring the same receipt: take it and say so.
      this.#log.warn({}, 'delivery receipt without a message id or state: dropped');
      answer(0);
      return;
    }
    this.#counts.receipts += 1;
    const onReceipt = this.#onReceipt;
    if (onReceipt === undefined) {
      answer(0);
      return;
    }
    if (this.#receiptsInFlight >= RECEIPTS_IN_FLIGHT_MAX) {
      answer(STATUS.ESME_RX_T_APPN);
      return;
    }
    this.#receiptsInFlight += 1;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('receipt handler timed out')),
        this.#o.responseTimeoutMs,
      );
    });
    Promise.race([Promise.resolve().then(() => onReceipt(receipt)), timeout])
      .then(
        () => answer(0),
        (error: unknown) => {
          this.#log.warn(
            { messageId: receipt.messageId, err: error instanceof Error ? error.message : '' },
            'delivery receipt not stored: the SMSC is asked to send it again',
          );
          answer(STATUS.ESME_RX_T_APPN);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.#receiptsInFlight -= 1;
      });
  }

  #pump(): void {
    // Closing: what is in flight may finish, nothing new goes out.
    if (this.#state !== 'bound' || this.#session === null || this.#closing !== null) return;
    const now = Date.now();
    if (now < this.#throttledUntil) {
      if (this.#pumpTimer === undefined) {
        this.#pumpTimer = setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, this.#throttledUntil - now);
      }
      return;
    }
    while (this.#inFlight.size < this.#o.window && this.#queue.length > 0) {
      const job = this.#queue.shift();
      if (job === undefined || job.done) continue;
      this.#transmit(this.#session, job);
      if (this.#state !== 'bound' || this.#session === null) return;
    }
  }

  #transmit(session: Session, job: Job): void {
    let pdu: Pdu;
    try {
      pdu = new smpp.PDU('submit_sm', job.fields);
    } catch {
      this.#finish(job, new SmppError('invalid', 'the submit_sm cannot be encoded', null, true));
      return;
    }
    const entry: InFlight = { job, session, timer: undefined, live: true };
    let sent: boolean;
    try {
      sent = session.send(pdu, (response) => this.#onSubmitResponse(entry, response));
    } catch {
      this.#finish(job, new SmppError('invalid', 'the submit_sm cannot be encoded', null, true));
      return;
    }
    if (!sent) {
      this.#requeue(job);
      session.destroy();
      return;
    }
    if (job.sends > 0) this.#counts.resent += 1;
    job.sends += 1;
    this.#counts.submitted += 1;
    this.#inFlight.set(pdu.sequence_number, entry);
    entry.timer = setTimeout(() => {
      if (!entry.live) return;
      this.#inFlight.delete(pdu.sequence_number);
      this.#settle(entry);
      this.#counts.timeouts += 1;
      this.#log.warn(
        { to: job.to, timeoutMs: this.#o.responseTimeoutMs },
        'no submit_sm_resp in time',
      );
      job.failures += 1;
      this.#retryOrFail(
        job,
        new SmppError('no_response', `no submit_sm_resp within ${this.#o.responseTimeoutMs} ms`),
      );
      this.#wake();
      this.#pump();
      // A peer that stopped answering submits may be gone: ask it.
      if (session === this.#session && !this.#probing) this.#probe(session).catch(() => undefined);
    }, this.#o.responseTimeoutMs);
  }

  #settle(entry: InFlight): void {
    entry.live = false;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    for (const [seq, value] of this.#inFlight) if (value === entry) this.#inFlight.delete(seq);
  }

  #onSubmitResponse(entry: InFlight, response: Pdu): void {
    if (!entry.live) return;
    this.#settle(entry);
    const job = entry.job;
    const status =
      response.command === 'generic_nack' && response.command_status === 0
        ? STATUS.ESME_RINVCMDID
        : response.command_status;
    const verdict = submitVerdict(status);
    switch (verdict) {
      case 'ok': {
        this.#throttleFailures = 0;
        const id = typeof response.message_id === 'string' ? response.message_id : '';
        this.#finish(job, id);
        break;
      }
      case 'throttle': {
        this.#counts.throttled += 1;
        this.#throttleFailures += 1;
        const delay = backoffMs(this.#o.throttle, this.#throttleFailures, this.#random());
        this.#remember(this.#throttleDelays, delay);
        this.#throttledUntil = Math.max(this.#throttledUntil, Date.now() + delay);
        this.#log.info({ status: describeStatus(status), delayMs: delay }, 'SMSC throttling');
        if (Date.now() + delay >= job.deadlineAt) {
          this.#finish(
            job,
            new SmppError('deadline', `still throttled (${describeStatus(status)})`, status),
          );
        } else this.#requeue(job);
        break;
      }
      case 'transient':
        job.failures += 1;
        this.#retryOrFail(
          job,
          new SmppError('submit_refused', `the SMSC answered ${describeStatus(status)}`, status),
        );
        break;
      case 'rebind':
        this.#lastError = `the SMSC answered ${describeStatus(status)}: binding again`;
        this.#requeue(job);
        entry.session.destroy();
        break;
      case 'permanent':
        this.#log.warn({ to: job.to, status: describeStatus(status) }, 'submit_sm refused');
        this.#finish(
          job,
          new SmppError(
            'submit_refused',
            `the SMSC refused the message: ${describeStatus(status)}`,
            status,
            true,
          ),
        );
        break;
    }
    this.#wake();
    this.#pump();
  }

  #retryOrFail(job: Job, error: SmppError): void {
    if (job.done) return;
    if (job.failures >= this.#o.submitAttemptsMax || Date.now() >= job.deadlineAt) {
      this.#finish(job, error);
      return;
    }
    this.#requeue(job);
  }

  /** Back in the queue in its original place, so parts keep their order; not past its deadline. */
  #requeue(job: Job): void {
    if (job.done) return;
    if (Date.now() >= job.deadlineAt) {
      this.#finish(
        job,
        new SmppError('deadline', `not accepted within ${this.#o.submitDeadlineMs} ms`),
      );
      return;
    }
    let i = this.#queue.length;
    while (i > 0 && (this.#queue[i - 1]?.order ?? 0) > job.order) i -= 1;
    this.#queue.splice(i, 0, job);
  }

  #onDeadline(job: Job): void {
    if (job.done) return;
    const index = this.#queue.indexOf(job);
    // In flight, it ends with its answer or its response timeout, and is not sent again.
    if (index < 0) return;
    this.#queue.splice(index, 1);
    const why =
      this.#state === 'bound'
        ? 'waiting for the window'
        : `not bound${this.#lastError === null ? '' : `: ${this.#lastError}`}`;
    this.#finish(
      job,
      new SmppError('deadline', `not sent within ${this.#o.submitDeadlineMs} ms (${why})`),
    );
  }

  #finish(job: Job, result: string | SmppError): void {
    if (job.done) return;
    job.done = true;
    if (job.deadlineTimer !== undefined) clearTimeout(job.deadlineTimer);
    if (typeof result === 'string') job.resolve(result);
    else job.reject(result);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits, bounded, until `done()` holds; re-checked on every change of state. */
  async #waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}
