import { avp } from './avp-access.ts';
import type { Avp, DiameterMessage } from './avp.ts';
import { clipErrorMessage, protocolErrorAnswer, type DiameterAnswer } from './answer.ts';
import { APPLICATION, COMMAND, isProtocolError, VENDOR_3GPP } from './constants.ts';

/** Who we are on the wire; sent in CEA and on our own requests. */
export interface LocalPeer {
  readonly originHost: string;
  readonly originRealm: string;
  readonly productName: string;
  /** Our IANA enterprise number; 0 while OnePIN has none. */
  readonly vendorId: number;
  readonly firmwareRevision?: number;
  /** Changes on every restart so peers can tell (RFC 6733 §8.16). */
  readonly originStateId: number;
  readonly hostIpAddresses: readonly string[];
}

/** CEA (RFC 6733 §5.3.2): our capabilities, advertising credit control (RFC 8506 §1.3). */
export function capabilitiesAnswer(
  local: LocalPeer,
  resultCode: number,
  problem?: { readonly errorMessage: string; readonly failedAvp?: Avp },
): DiameterAnswer {
  if (isProtocolError(resultCode)) {
    return protocolErrorAnswer(resultCode, problem?.errorMessage ?? '', problem?.failedAvp);
  }
  const avps: Avp[] = [avp('Result-Code', resultCode)];
  for (const address of local.hostIpAddresses) avps.push(avp('Host-IP-Address', address));
  avps.push(
    avp('Vendor-Id', local.vendorId),
    avp('Product-Name', local.productName),
    avp('Origin-State-Id', local.originStateId),
    avp('Supported-Vendor-Id', VENDOR_3GPP),
    avp('Auth-Application-Id', APPLICATION.creditControl),
  );
  if (local.firmwareRevision !== undefined) {
    avps.push(avp('Firmware-Revision', local.firmwareRevision));
  }
  if (problem !== undefined) {
    avps.push(avp('Error-Message', clipErrorMessage(problem.errorMessage)));
    if (problem.failedAvp !== undefined) avps.push(avp('Failed-AVP', [problem.failedAvp]));
  }
  return { avps, error: false };
}

/** DWA (RFC 6733 §5.5.2). */
export function watchdogAnswer(local: LocalPeer): DiameterAnswer {
  return {
    avps: [avp('Result-Code', 2001), avp('Origin-State-Id', local.originStateId)],
    error: false,
  };
}

/** DPA (RFC 6733 §5.4.2). */
export function disconnectAnswer(): DiameterAnswer {
  return { avps: [avp('Result-Code', 2001)], error: false };
}

/** A base-protocol answer reporting a decoding problem: E bit for 3xxx, plain for 5xxx. */
export function problemAnswer(problem: {
  readonly resultCode: number;
  readonly errorMessage: string;
  readonly failedAvp?: Avp;
}): DiameterAnswer {
  if (isProtocolError(problem.resultCode)) {
    return protocolErrorAnswer(problem.resultCode, problem.errorMessage, problem.failedAvp);
  }
  return {
    avps: [
      avp('Result-Code', problem.resultCode),
      avp('Error-Message', clipErrorMessage(problem.errorMessage)),
      ...(problem.failedAvp === undefined ? [] : [avp('Failed-AVP', [problem.failedAvp])]),
    ],
    error: false,
  };
}

export interface RequestIds {
  readonly hopByHopId: number;
  readonly endToEndId: number;
}

/** Our DWR when the connection has been idle for Tw (RFC 3539 §3.4.1). */
export function watchdogRequest(local: LocalPeer, ids: RequestIds): DiameterMessage {
  return baseRequest(COMMAND.deviceWatchdog, ids, [
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Origin-State-Id', local.originStateId),
  ]);
}

/** Our DPR when we shut down (RFC 6733 §5.4.1). */
export function disconnectRequest(
  local: LocalPeer,
  ids: RequestIds,
  cause: number,
): DiameterMessage {
  return baseRequest(COMMAND.disconnectPeer, ids, [
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Disconnect-Cause', cause),
  ]);
}

function baseRequest(commandCode: number, ids: RequestIds, avps: Avp[]): DiameterMessage {
  return {
    flags: { request: true, proxiable: false, error: false, retransmit: false },
    commandCode,
    applicationId: APPLICATION.common,
    hopByHopId: ids.hopByHopId,
    endToEndId: ids.endToEndId,
    avps,
  };
}
