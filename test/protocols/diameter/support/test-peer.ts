import { connect, type Socket } from 'node:net';
import {
  DiameterFramer,
  avp,
  decodeMessage,
  encodeMessage,
  type Avp,
  type DiameterMessage,
} from '../../../../src/protocols/diameter/index.ts';

/** Bounded wait for tests. */
export const WAIT_MS = 3_000;

/**
 * A Diameter client for socket tests, built on our own codec: it sends what the test says and
 * queues every message the server sends back.
 */
export class TestPeer {
  readonly #socket: Socket;
  readonly #framer = new DiameterFramer();
  readonly #inbox: DiameterMessage[] = [];
  #waiter: (() => void) | null = null;
  #closed = false;
  /** What was wrong with the server's bytes, reported by the next `next()`. */
  #error: string | null = null;
  readonly #closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const result = this.#framer.push(chunk);
      if (!result.ok) this.#error ??= `server sent a bad frame: ${result.reason}`;
      for (const frame of result.ok ? result.frames : []) {
        const decoded = decodeMessage(frame);
        if (decoded.kind !== 'message' || decoded.problem !== null) {
          this.#error ??= 'server sent an undecodable message';
        } else {
          this.#inbox.push(decoded.message);
        }
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.#closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.#closed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  static async connect(port: number): Promise<TestPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TestPeer(socket);
  }

  /** Connects and completes the capabilities exchange advertising application 4. */
  static async open(port: number): Promise<TestPeer> {
    const peer = await TestPeer.connect(port);
    peer.send(cer([avp('Auth-Application-Id', 4)]));
    const cea = await peer.next();
    if (cea.commandCode !== 257) throw new Error('expected a CEA');
    return peer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: DiameterMessage): void {
    this.#socket.write(encodeMessage(message));
  }

  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** The next message from the server, or a rejection after `timeoutMs`. */
  async next(timeoutMs = WAIT_MS): Promise<DiameterMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#error !== null) throw new Error(this.#error);
      const message = this.#inbox.shift();
      if (message !== undefined) return message;
      if (this.#closed) throw new Error('connection closed while waiting for a message');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves when the server has closed the connection; rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the connection stayed open')), timeoutMs);
    });
    try {
      await Promise.race([this.#closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }
}

export function request(
  commandCode: number,
  applicationId: number,
  avps: readonly Avp[],
  ids: { hopByHopId?: number; endToEndId?: number } = {},
): DiameterMessage {
  return {
    flags: { request: true, proxiable: commandCode === 272, error: false, retransmit: false },
    commandCode,
    applicationId,
    hopByHopId: ids.hopByHopId ?? 0x0101,
    endToEndId: ids.endToEndId ?? 0x0202,
    avps,
  };
}

export const CLIENT_ORIGIN = [avp('Origin-Host', 'switch.test'), avp('Origin-Realm', 'test')];

export function cer(applications: readonly Avp[]): DiameterMessage {
  return request(257, 0, [
    ...CLIENT_ORIGIN,
    avp('Host-IP-Address', '127.0.0.1'),
    avp('Vendor-Id', 0),
    avp('Product-Name', 'test-peer'),
    ...applications,
  ]);
}

export interface CcrOptions {
  readonly sessionId?: string;
  readonly type?: 1 | 2 | 3 | 4;
  readonly number?: number;
  readonly requestedSeconds?: number;
  readonly usedSeconds?: number;
  readonly subscription?: string;
  readonly hopByHopId?: number;
  readonly endToEndId?: number;
  readonly extra?: readonly Avp[];
}

export function ccr(options: CcrOptions = {}): DiameterMessage {
  const mscc: Avp[] = [];
  if (options.requestedSeconds !== undefined) {
    mscc.push(avp('Requested-Service-Unit', [avp('CC-Time', options.requestedSeconds)]));
  }
  if (options.usedSeconds !== undefined) {
    mscc.push(avp('Used-Service-Unit', [avp('CC-Time', options.usedSeconds)]));
  }
  mscc.push(avp('Rating-Group', 1));
  return request(
    272,
    4,
    [
      avp('Session-Id', options.sessionId ?? 'switch.test;1;1'),
      ...CLIENT_ORIGIN,
      avp('Destination-Realm', 'test'),
      avp('Auth-Application-Id', 4),
      avp('Service-Context-Id', '32276@3gpp.org'),
      avp('CC-Request-Type', options.type ?? 1),
      avp('CC-Request-Number', options.number ?? 0),
      avp('Subscription-Id', [
        avp('Subscription-Id-Type', 4),
        avp('Subscription-Id-Data', options.subscription ?? 'tok-ok'),
      ]),
      avp('Multiple-Services-Credit-Control', mscc),
      ...(options.extra ?? []),
    ],
    {
      ...(options.hopByHopId === undefined ? {} : { hopByHopId: options.hopByHopId }),
      ...(options.endToEndId === undefined ? {} : { endToEndId: options.endToEndId }),
    },
  );
}
