import {
  createChargingHandler,
  readCcr,
  startDiameterServer,
  type Ccr,
  type CreditControlHandler,
  type DiameterServer,
} from '../../../../src/protocols/diameter/index.ts';
import type { ChargingWorld } from '../../../charging/session-support.ts';
import { captureLog, type LogEntry } from './capture-log.ts';

/** Our Diameter identity in these tests; freeDiameter checks it in the CEA. */
export const OCS_HOST = 'ocs.test';
export const OCS_REALM = 'test';

/** How long the engine may take per request before the peer answers 3004. */
export const HANDLER_TIMEOUT_MS = 20_000;

/**
 * Runs before the charging handler sees a request: the tests use it to act "in the middle" of a
 * scenario (a web payment, the session timer) at a request they pick by its order or content.
 */
export type RequestHook = (ccr: Ccr, index: number) => Promise<void>;

export interface ChargingServer {
  readonly server: DiameterServer;
  readonly entries: LogEntry[];
  readonly logText: () => string;
  /** Requests the handler has seen, in order (for the hooks and for assertions). */
  readonly seen: Ccr[];
  /** Replaces the hook (null: none). */
  setHook(hook: RequestHook | null): void;
  close(): Promise<void>;
}

/** The real charging handler on the world's SessionsContext, on 127.0.0.1 and a free port. */
export async function startChargingServer(w: ChargingWorld): Promise<ChargingServer> {
  const { log, entries, text } = captureLog();
  const charging = createChargingHandler(w.charging, { log });
  const seen: Ccr[] = [];
  let hook: RequestHook | null = null;
  const handler: CreditControlHandler = async (request, peer) => {
    const read = readCcr(request);
    if (read.ok) {
      seen.push(read.ccr);
      if (hook !== null) await hook(read.ccr, seen.length - 1);
    }
    return charging(request, peer);
  };
  const server = await startDiameterServer({
    host: '127.0.0.1',
    port: 0,
    originHost: OCS_HOST,
    originRealm: OCS_REALM,
    productName: 'OnePIN',
    handler,
    log,
    // Generous: these tests are about results, not speed, and share the machine with others.
    handlerTimeoutMs: HANDLER_TIMEOUT_MS,
  });
  return {
    server,
    entries,
    logText: text,
    seen,
    setHook(next) {
      hook = next;
    },
    close: () => server.close(),
  };
}
