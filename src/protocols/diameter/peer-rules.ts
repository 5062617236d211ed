import { allValues, firstValue } from './avp-access.ts';
import type { DiameterMessage } from './avp.ts';
import { protocolErrorAnswer, type DiameterAnswer } from './answer.ts';
import {
  capabilitiesAnswer,
  disconnectAnswer,
  problemAnswer,
  watchdogAnswer,
  type LocalPeer,
} from './base-messages.ts';
import { buildCca } from './cca.ts';
import { ccrEcho } from './ccr.ts';
import { APPLICATION, COMMAND, isProtocolError, RESULT_CODE } from './constants.ts';
import type { DecodeProblem } from './decode.ts';

/**
 * What a responder does with each message it reads: RFC 6733 §5.6 reduced to the responder's
 * side, as a pure function of the connection's phase and the decoded message, so every row of
 * the state table is a table test.
 *
 * | phase | message | decision |
 * |---|---|---|
 * | waiting-for-cer | CER advertising 4 or relay | CEA 2001, open |
 * | waiting-for-cer | CER without them | CEA 5010, close |
 * | waiting-for-cer | anything else | close, no answer |
 * | open | DWR / DPR | DWA / DPA (then close) |
 * | open | request for an application other than 0 and 4 | 3007, E bit |
 * | open | unknown command | 3001, E bit |
 * | open | CCR | to the credit-control handler |
 * | open | DWA / DPA | watchdog answered / close |
 */
export type PeerPhase = 'waiting-for-cer' | 'open';

export type PeerDecision =
  | {
      readonly kind: 'answer';
      readonly answer: DiameterAnswer;
      /** 'open' after a successful CER, 'close' after sending, or stay as we are. */
      readonly next: 'open' | 'stay' | 'close';
      /** A short event name for the log. */
      readonly event: string;
      readonly resultCode: number;
      /** The peer's identity, from an accepted CER. */
      readonly peer?: { readonly originHost: string; readonly originRealm: string };
    }
  | { readonly kind: 'credit-control' }
  | { readonly kind: 'watchdog-answered' }
  | { readonly kind: 'disconnect-answered' }
  | { readonly kind: 'close'; readonly reason: string }
  | { readonly kind: 'ignore'; readonly reason: string };

export function decide(
  phase: PeerPhase,
  message: DiameterMessage,
  problem: DecodeProblem | null,
  local: LocalPeer,
): PeerDecision {
  const { commandCode: command, applicationId: app } = message;
  if (phase === 'waiting-for-cer') {
    if (message.flags.request && command === COMMAND.capabilitiesExchange) {
      return capabilities(message, problem, local);
    }
    // RFC 6733 §5.6: until the capabilities are exchanged nothing else may be said.
    return { kind: 'close', reason: 'a message before the capabilities exchange' };
  }
  if (!message.flags.request) {
    if (command === COMMAND.deviceWatchdog) return { kind: 'watchdog-answered' };
    if (command === COMMAND.disconnectPeer) return { kind: 'disconnect-answered' };
    return { kind: 'ignore', reason: 'an answer to nothing we sent' };
  }
  if (problem !== null && problem.resultCode === RESULT_CODE.INVALID_HDR_BITS) {
    return refuse(
      protocolErrorAnswer(problem.resultCode, problem.errorMessage),
      problem.resultCode,
      'header-bits',
    );
  }
  if (app === APPLICATION.common) {
    switch (command) {
      case COMMAND.capabilitiesExchange:
        // A repeated CER gets the same answer as the first one; the state does not change.
        return repeatedCapabilities(capabilities(message, problem, local));
      case COMMAND.deviceWatchdog:
        if (problem !== null)
          return refuse(problemAnswer(problem), problem.resultCode, 'watchdog-refused');
        return {
          kind: 'answer',
          answer: watchdogAnswer(local),
          next: 'stay',
          event: 'watchdog',
          resultCode: 2001,
        };
      case COMMAND.disconnectPeer:
        return {
          kind: 'answer',
          answer: disconnectAnswer(),
          next: 'close',
          event: 'disconnect',
          resultCode: 2001,
        };
      default:
        return unsupportedCommand();
    }
  }
  if (app === APPLICATION.creditControl) {
    if (command !== COMMAND.creditControl) return unsupportedCommand();
    if (problem === null) return { kind: 'credit-control' };
    if (isProtocolError(problem.resultCode)) {
      return refuse(problemAnswer(problem), problem.resultCode, 'request-refused');
    }
    // 5xxx is an ordinary CCA (RFC 6733 §7.1.5), echoing what could be read.
    const answer = buildCca({
      request: ccrEcho(message),
      resultCode: problem.resultCode,
      errorMessage: problem.errorMessage,
      ...(problem.failedAvp === undefined ? {} : { failedAvp: problem.failedAvp }),
    });
    return refuse(answer, problem.resultCode, 'request-refused');
  }
  return refuse(
    protocolErrorAnswer(RESULT_CODE.APPLICATION_UNSUPPORTED, 'only credit control (4) is served'),
    RESULT_CODE.APPLICATION_UNSUPPORTED,
    'application-unsupported',
  );
}

/** A CER on an open connection: the same answer, but an accepted one changes nothing. */
function repeatedCapabilities(decision: PeerDecision & { readonly kind: 'answer' }): PeerDecision {
  return decision.next === 'open' ? { ...decision, next: 'stay' } : decision;
}

function unsupportedCommand(): PeerDecision {
  return refuse(
    protocolErrorAnswer(RESULT_CODE.COMMAND_UNSUPPORTED, 'command not supported'),
    RESULT_CODE.COMMAND_UNSUPPORTED,
    'command-unsupported',
  );
}

function refuse(answer: DiameterAnswer, resultCode: number, event: string): PeerDecision {
  return { kind: 'answer', answer, next: 'stay', event, resultCode };
}

/**
 * CER → CEA. The peer shares an application with us when it advertises credit control (4) as an
 * auth application, directly or inside Vendor-Specific-Application-Id, or is a relay
 * (RFC 6733 §2.4: a relay supports every application).
 */
function capabilities(
  message: DiameterMessage,
  problem: DecodeProblem | null,
  local: LocalPeer,
): PeerDecision & { readonly kind: 'answer' } {
  if (problem !== null) {
    return {
      kind: 'answer',
      answer: capabilitiesAnswer(local, problem.resultCode, problem),
      next: 'close',
      event: 'capabilities-refused',
      resultCode: problem.resultCode,
    };
  }
  const originHost = firstValue(message.avps, 'Origin-Host');
  const originRealm = firstValue(message.avps, 'Origin-Realm');
  if (originHost === undefined || originRealm === undefined) {
    const missingName = originHost === undefined ? 'Origin-Host' : 'Origin-Realm';
    return {
      kind: 'answer',
      answer: capabilitiesAnswer(local, RESULT_CODE.MISSING_AVP, {
        errorMessage: `${missingName} is missing`,
      }),
      next: 'close',
      event: 'capabilities-refused',
      resultCode: RESULT_CODE.MISSING_AVP,
    };
  }
  const vendorSpecific = allValues(message.avps, 'Vendor-Specific-Application-Id');
  const auth = [
    ...allValues(message.avps, 'Auth-Application-Id'),
    ...vendorSpecific.flatMap((group) => allValues(group, 'Auth-Application-Id')),
  ];
  const acct = [
    ...allValues(message.avps, 'Acct-Application-Id'),
    ...vendorSpecific.flatMap((group) => allValues(group, 'Acct-Application-Id')),
  ];
  const common =
    auth.includes(APPLICATION.creditControl) ||
    auth.includes(APPLICATION.relay) ||
    acct.includes(APPLICATION.relay);
  if (!common) {
    return {
      kind: 'answer',
      answer: capabilitiesAnswer(local, RESULT_CODE.NO_COMMON_APPLICATION, {
        errorMessage: 'this server offers credit control (application 4) only',
      }),
      next: 'close',
      event: 'capabilities-refused',
      resultCode: RESULT_CODE.NO_COMMON_APPLICATION,
    };
  }
  return {
    kind: 'answer',
    answer: capabilitiesAnswer(local, RESULT_CODE.SUCCESS),
    next: 'open',
    event: 'capabilities-accepted',
    resultCode: RESULT_CODE.SUCCESS,
    peer: { originHost, originRealm },
  };
}
