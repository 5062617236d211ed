import type { DiameterAnswer } from './answer.ts';
import type { DiameterMessage } from './avp.ts';

/**
 * The logger the listener writes to (pino's shape). Entries carry header fields, result codes
 * and the peer's identity; never AVP values, so no subscriber data reaches a log.
 */
export interface DiameterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Who sent a request: the peer's CER identity and its transport address. */
export interface PeerInfo {
  readonly connectionId: number;
  readonly originHost: string;
  readonly originRealm: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * Serves one credit-control request (a CCR the codec accepted: app 4, command 272). Use
 * `readCcr(request)` to read it and `buildCca(…)` to answer. Throwing answers 5012; taking
 * longer than the handler timeout answers 3004. Never put subscriber data in a thrown message.
 */
export type CreditControlHandler = (
  request: DiameterMessage,
  peer: PeerInfo,
) => Promise<DiameterAnswer>;
