import { assert } from '../../kernel/index.ts';
import { avp, isAvp } from './avp-access.ts';
import type { Avp, DiameterMessage } from './avp.ts';
import { diameterLimits } from './diameter-limits.ts';

/**
 * The body of an answer as a handler or a base-protocol rule produces it. The peer adds the
 * header (ids copied from the request), Session-Id, Origin-Host, Origin-Realm and Proxy-Info.
 */
export interface DiameterAnswer {
  readonly avps: readonly Avp[];
  /** The E bit: set for protocol errors (3xxx) only (RFC 6733 §7.1.3). */
  readonly error: boolean;
}

export interface OriginIdentity {
  readonly originHost: string;
  readonly originRealm: string;
}

/** RFC 6733 §7.2 answer-message: what a protocol error (3xxx) goes back as, with the E bit. */
export function protocolErrorAnswer(
  resultCode: number,
  errorMessage: string,
  failedAvp?: Avp,
): DiameterAnswer {
  return {
    error: true,
    avps: [
      avp('Result-Code', resultCode),
      avp('Error-Message', clipErrorMessage(errorMessage)),
      ...(failedAvp === undefined ? [] : [avp('Failed-AVP', [failedAvp])]),
    ],
  };
}

export function clipErrorMessage(text: string): string {
  return text.slice(0, diameterLimits.errorMessageCharsMax);
}

const ADDED_BY_PEER = ['Session-Id', 'Origin-Host', 'Origin-Realm'] as const;

/**
 * The answer message for `request`: same command and application, R bit clear, P bit copied,
 * hop-by-hop and end-to-end ids copied (RFC 6733 §6.2). Session-Id comes first when the request
 * had one; Origin-Host and Origin-Realm follow the Result-Code; Proxy-Info AVPs are copied in
 * their order, as §6.2 requires.
 */
export function composeAnswer(
  request: DiameterMessage,
  answer: DiameterAnswer,
  identity: OriginIdentity,
): DiameterMessage {
  for (const item of answer.avps) {
    for (const name of ADDED_BY_PEER) {
      assert(!isAvp(item, name), `answer bodies must not carry ${name}; the peer adds it`);
    }
  }
  const sessionId = request.avps.find((item) => isAvp(item, 'Session-Id'));
  const proxyInfo = request.avps.filter((item) => isAvp(item, 'Proxy-Info'));
  const [first, ...rest] = answer.avps;
  const leadsWithResult =
    first !== undefined && (isAvp(first, 'Result-Code') || isAvp(first, 'Experimental-Result'));
  const origin = [
    avp('Origin-Host', identity.originHost),
    avp('Origin-Realm', identity.originRealm),
  ];
  const body =
    first === undefined
      ? origin
      : leadsWithResult
        ? [first, ...origin, ...rest]
        : [...origin, first, ...rest];
  return {
    flags: {
      request: false,
      proxiable: request.flags.proxiable,
      error: answer.error,
      retransmit: false,
    },
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    hopByHopId: request.hopByHopId,
    endToEndId: request.endToEndId,
    avps: [...(sessionId === undefined ? [] : [sessionId]), ...body, ...proxyInfo],
  };
}
