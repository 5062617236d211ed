import { createServer, type Socket } from 'node:net';
import { assert } from '../../kernel/index.ts';
import type { LocalPeer } from './base-messages.ts';
import { diameterLimits } from './diameter-limits.ts';
import { unmapIpv4 } from './ip-address.ts';
import { MessageIds } from './message-ids.ts';
import type { CreditControlHandler, DiameterLog } from './handler.ts';
import { PeerConnection } from './peer-connection.ts';

export interface DiameterServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); production uses DIAMETER_PORT, conventionally 3868. */
  readonly port: number;
  readonly originHost: string;
  readonly originRealm: string;
  readonly productName: string;
  readonly handler: CreditControlHandler;
  readonly log: DiameterLog;
  /** Tw: idle time before we send a DWR, and the wait for its DWA. Default 30 s. */
  readonly watchdogMs?: number;
  /** How long a new connection may take to send its CER. Default 10 s. */
  readonly capabilitiesWaitMs?: number;
  /** How long the handler may take before the request is answered 3004. Default 5 s. */
  readonly handlerTimeoutMs?: number;
  /** Our IANA enterprise number, sent as Vendor-Id in CEA. Default 0. */
  readonly vendorId?: number;
  readonly firmwareRevision?: number;
  /** Default: the start time in seconds, so peers see a restart (RFC 6733 §8.16). */
  readonly originStateId?: number;
  /** Host-IP-Address values for CEA. Default: the local address of each connection. */
  readonly hostIpAddresses?: readonly string[];
}

export interface DiameterServer {
  /** The port actually listened on. */
  readonly port: number;
  /** Open peer connections. */
  connectionCount(): number;
  /** Stops listening, sends DPR to open peers, waits briefly for DPA, closes everything. */
  close(): Promise<void>;
}

/** The Diameter credit-control listener (RFC 6733 base protocol, responder side) on TCP. */
export async function startDiameterServer(options: DiameterServerOptions): Promise<DiameterServer> {
  const watchdogMs = options.watchdogMs ?? diameterLimits.watchdogMsDefault;
  assert(Number.isInteger(watchdogMs) && watchdogMs > 0, 'watchdogMs is a positive integer');
  const capabilitiesWaitMs = options.capabilitiesWaitMs ?? diameterLimits.capabilitiesWaitMs;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? diameterLimits.handlerTimeoutMs;
  const nowMs = Date.now();
  const ids = new MessageIds(nowMs);
  const baseLocal: Omit<LocalPeer, 'hostIpAddresses'> = {
    originHost: options.originHost,
    originRealm: options.originRealm,
    productName: options.productName,
    vendorId: options.vendorId ?? 0,
    originStateId: options.originStateId ?? Math.floor(nowMs / 1_000) >>> 0,
    ...(options.firmwareRevision === undefined
      ? {}
      : { firmwareRevision: options.firmwareRevision }),
  };
  const connections = new Set<PeerConnection>();
  let nextConnectionId = 1;

  const server = createServer((socket: Socket) => {
    const local: LocalPeer = {
      ...baseLocal,
      hostIpAddresses: options.hostIpAddresses ?? [unmapIpv4(socket.localAddress ?? '127.0.0.1')],
    };
    const connection = new PeerConnection(socket, nextConnectionId, {
      local,
      handler: options.handler,
      log: options.log,
      ids,
      watchdogMs,
      capabilitiesWaitMs,
      handlerTimeoutMs,
    });
    nextConnectionId += 1;
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
  server.maxConnections = diameterLimits.connectionsMax;
  server.on('error', (error) => {
    options.log.error(
      { err: { name: error.name, message: error.message } },
      'diameter listener error',
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  assert(address !== null && typeof address === 'object', 'a TCP listener has an address');
  options.log.info({ host: options.host, port: address.port }, 'diameter listening');

  return {
    port: address.port,
    connectionCount: () => connections.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((c) => c.disconnect(diameterLimits.disconnectWaitMs)));
      await closed;
      options.log.info({ port: address.port }, 'diameter stopped');
    },
  };
}
