import type { Socket } from 'node:net';
import type { DiameterMessage } from './avp.ts';
import type { CreditControlHandler, DiameterLog, PeerInfo } from './handler.ts';
import { composeAnswer, protocolErrorAnswer, type DiameterAnswer } from './answer.ts';
import { disconnectRequest, watchdogRequest, type LocalPeer } from './base-messages.ts';
import { buildCca } from './cca.ts';
import { ccrEcho } from './ccr.ts';
import { DISCONNECT_CAUSE, RESULT_CODE } from './constants.ts';
import { decodeMessage } from './decode.ts';
import { diameterLimits } from './diameter-limits.ts';
import { encodeMessage } from './encode.ts';
import { DiameterFramer } from './framer.ts';
import type { MessageIds } from './message-ids.ts';
import { decide, type PeerDecision, type PeerPhase } from './peer-rules.ts';

export interface ConnectionSettings {
  readonly local: LocalPeer;
  readonly handler: CreditControlHandler;
  readonly log: DiameterLog;
  readonly ids: MessageIds;
  readonly watchdogMs: number;
  readonly capabilitiesWaitMs: number;
  readonly handlerTimeoutMs: number;
}

/**
 * One peer connection: framing, the phase of the peer state machine, the watchdog, and the
 * credit-control requests in flight. Anything that goes wrong here closes this connection only.
 */
export class PeerConnection {
  readonly #socket: Socket;
  readonly #settings: ConnectionSettings;
  readonly #framer = new DiameterFramer();
  readonly #id: number;
  readonly #remote: { readonly address: string; readonly port: number };
  #phase: PeerPhase = 'waiting-for-cer';
  #peer: { readonly originHost: string; readonly originRealm: string } | null = null;
  #closing = false;
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #lastReceivedMs = 0;
  /** Hop-by-hop id of our DWR still waiting for its DWA. */
  #watchdogPending: number | null = null;
  #onDisconnected: (() => void) | null = null;

  constructor(socket: Socket, id: number, settings: ConnectionSettings) {
    this.#socket = socket;
    this.#settings = settings;
    this.#id = id;
    this.#remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#receive(chunk);
      } catch (error) {
        // A defect met while serving this peer must not take the listener down with it.
        this.#log('error', { err: describeError(error) }, 'diameter connection failed; closing it');
        this.#destroy();
      }
    });
    socket.on('error', (error) => {
      this.#log('info', { err: describeError(error) }, 'diameter socket error');
    });
    socket.on('close', () => {
      this.#clearTimer();
      this.#log('info', {}, 'diameter connection closed');
      this.#onDisconnected?.();
    });
    this.#arm(settings.capabilitiesWaitMs);
    this.#log('info', {}, 'diameter connection opened');
  }

  get closed(): boolean {
    return this.#socket.destroyed;
  }

  /**
   * Our side ends the connection (shutdown): DPR when open, then close when the DPA arrives or
   * the wait runs out.
   */
  disconnect(waitMs: number): Promise<void> {
    if (this.#socket.destroyed) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#onDisconnected = resolve;
    });
    if (this.#phase === 'open' && !this.#closing) {
      this.#closing = true;
      const local = this.#settings.local;
      this.#send(disconnectRequest(local, this.#settings.ids.next(), DISCONNECT_CAUSE.rebooting));
      const timer = setTimeout(() => this.#destroy(), waitMs);
      timer.unref();
    } else {
      this.#destroy();
    }
    return done;
  }

  #receive(chunk: Buffer): void {
    this.#lastReceivedMs = performance.now();
    // Any message from the peer shows it is alive (RFC 3539 §3.4.1).
    this.#watchdogPending = null;
    const result = this.#framer.push(chunk);
    if (!result.ok) {
      this.#log('warn', { reason: result.reason }, 'diameter framing error; closing');
      this.#destroy();
      return;
    }
    for (const frame of result.frames) {
      if (this.#socket.destroyed) return;
      const decoded = decodeMessage(frame);
      if (decoded.kind === 'unframed') {
        this.#log('warn', { reason: decoded.reason }, 'diameter framing error; closing');
        this.#destroy();
        return;
      }
      const { message, problem } = decoded;
      if (this.#closing && message.flags.request) continue;
      this.#apply(decide(this.#phase, message, problem, this.#settings.local), message);
    }
  }

  #apply(decision: PeerDecision, message: DiameterMessage): void {
    switch (decision.kind) {
      case 'answer': {
        if (decision.peer !== undefined) this.#peer = decision.peer;
        this.#answer(message, decision.answer);
        const level = decision.resultCode === RESULT_CODE.SUCCESS ? 'info' : 'warn';
        this.#log(
          level,
          { ...summary(message), resultCode: decision.resultCode },
          `diameter ${decision.event}`,
        );
        if (decision.next === 'open') {
          this.#phase = 'open';
          this.#arm(this.#settings.watchdogMs);
        } else if (decision.next === 'close') {
          this.#end();
        }
        return;
      }
      case 'credit-control':
        void this.#serve(message);
        return;
      case 'watchdog-answered':
        return;
      case 'disconnect-answered':
        this.#end();
        return;
      case 'close':
        this.#log(
          'warn',
          { ...summary(message), reason: decision.reason },
          'diameter protocol violation; closing',
        );
        this.#destroy();
        return;
      case 'ignore':
        this.#log(
          'info',
          { ...summary(message), reason: decision.reason },
          'diameter message ignored',
        );
        return;
    }
  }

  async #serve(request: DiameterMessage): Promise<void> {
    if (this.#inFlight >= diameterLimits.inFlightPerConnectionMax) {
      this.#log('warn', summary(request), 'diameter too many requests in flight; answering 3004');
      this.#answer(
        request,
        protocolErrorAnswer(RESULT_CODE.TOO_BUSY, 'too many requests in flight'),
      );
      return;
    }
    const peer = this.#peerInfo();
    this.#inFlight += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.#settings.handlerTimeoutMs);
      });
      const outcome = await Promise.race([
        Promise.resolve()
          .then(() => this.#settings.handler(request, peer))
          .then(
            (answer) => ({ answer }),
            (error: unknown) => ({ error }),
          ),
        timedOut,
      ]);
      if (outcome === 'timeout') {
        this.#log('error', summary(request), 'diameter handler timed out; answering 3004');
        this.#answer(request, protocolErrorAnswer(RESULT_CODE.TOO_BUSY, 'the server is busy'));
      } else if ('error' in outcome) {
        this.#log(
          'error',
          { ...summary(request), err: describeError(outcome.error) },
          'diameter handler failed; answering 5012',
        );
        this.#answer(request, unableToComply(request));
      } else if (!this.#answer(request, outcome.answer)) {
        this.#answer(request, unableToComply(request));
      }
    } finally {
      clearTimeout(timer);
      this.#inFlight -= 1;
    }
  }

  /** Sends the answer to `request`; false when it could not be encoded (a defect, logged). */
  #answer(request: DiameterMessage, answer: DiameterAnswer): boolean {
    try {
      const message = composeAnswer(request, answer, this.#settings.local);
      return this.#send(message);
    } catch (error) {
      this.#log(
        'error',
        { ...summary(request), err: describeError(error) },
        'diameter answer could not be encoded',
      );
      return false;
    }
  }

  #send(message: DiameterMessage): boolean {
    const bytes = encodeMessage(message);
    if (this.#socket.destroyed || !this.#socket.writable) return true;
    if (this.#socket.writableLength > diameterLimits.writeBufferBytesMax) {
      this.#log('warn', {}, 'diameter peer is not reading its answers; closing');
      this.#destroy();
      return true;
    }
    this.#socket.write(bytes);
    return true;
  }

  #peerInfo(): PeerInfo {
    return {
      connectionId: this.#id,
      originHost: this.#peer?.originHost ?? '',
      originRealm: this.#peer?.originRealm ?? '',
      remoteAddress: this.#remote.address,
      remotePort: this.#remote.port,
    };
  }

  /** One timer serves both the CER deadline and the watchdog, so there is never more than one. */
  #arm(ms: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => this.#onTimer(), ms);
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = null;
    if (this.#socket.destroyed) return;
    if (this.#phase === 'waiting-for-cer') {
      this.#log('warn', {}, 'diameter peer sent no CER in time; closing');
      this.#destroy();
      return;
    }
    const { watchdogMs } = this.#settings;
    if (this.#watchdogPending !== null) {
      this.#log('warn', {}, 'diameter watchdog unanswered; closing');
      this.#destroy();
      return;
    }
    const idleMs = performance.now() - this.#lastReceivedMs;
    if (idleMs < watchdogMs) {
      this.#arm(Math.max(1, Math.ceil(watchdogMs - idleMs)));
      return;
    }
    const request = watchdogRequest(this.#settings.local, this.#settings.ids.next());
    this.#watchdogPending = request.hopByHopId;
    this.#send(request);
    this.#arm(watchdogMs);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Close after what was written has been sent; force it if the peer does not finish. */
  #end(): void {
    this.#closing = true;
    this.#clearTimer();
    this.#socket.end();
    const timer = setTimeout(() => this.#destroy(), diameterLimits.disconnectWaitMs);
    timer.unref();
  }

  #destroy(): void {
    this.#closing = true;
    this.#clearTimer();
    this.#socket.destroy();
  }

  #log(level: 'info' | 'warn' | 'error', fields: object, msg: string): void {
    this.#settings.log[level](
      {
        connectionId: this.#id,
        remoteAddress: this.#remote.address,
        remotePort: this.#remote.port,
        ...(this.#peer === null ? {} : { peerHost: this.#peer.originHost }),
        ...fields,
      },
      msg,
    );
  }
}

function unableToComply(request: DiameterMessage): DiameterAnswer {
  return buildCca({ request: ccrEcho(request), resultCode: RESULT_CODE.UNABLE_TO_COMPLY });
}

/** Header fields only: no AVP values, so nothing about the subscriber. */
function summary(message: DiameterMessage): object {
  return {
    commandCode: message.commandCode,
    applicationId: message.applicationId,
    request: message.flags.request,
    hopByHopId: message.hopByHopId,
    endToEndId: message.endToEndId,
  };
}

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'non-error', message: typeof error };
}
