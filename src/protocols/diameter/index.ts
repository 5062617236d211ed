/**
 * The Diameter credit-control listener: our own codec (RFC 6733 base, RFC 8506 credit control,
 * the 3GPP TS 32.299 subset) and the server-side peer. The credit-control business plugs in as a
 * CreditControlHandler; see docs/diameter.md.
 */
export type {
  Avp,
  AvpHeader,
  AvpType,
  AvpValueByType,
  DiameterMessage,
  MessageFlags,
} from './avp.ts';
export { allValues, avp, countAvps, firstValue, isAvp, type ValueOf } from './avp-access.ts';
export {
  composeAnswer,
  protocolErrorAnswer,
  type DiameterAnswer,
  type OriginIdentity,
} from './answer.ts';
export type { CcRequestType, RequestedAction, SubscriptionIdType } from './cc-types.ts';
export {
  buildCca,
  type CcaInput,
  type FinalUnit,
  type GrantedUnits,
  type Money,
  type MsccAnswer,
} from './cca.ts';
export {
  ccrEcho,
  readCcr,
  type Ccr,
  type CcrRead,
  type CcMoney,
  type MsccRequest,
  type ServiceUnits,
  type SubscriptionId,
} from './ccr.ts';
export { createChargingHandler, type ChargingHandlerOptions } from './charging-handler.ts';
export {
  SERVICE_CONTEXTS,
  calledNumber,
  serviceOfContext,
  subscriberToken,
} from './charging-request.ts';
export {
  APPLICATION,
  COMMAND,
  DISCONNECT_CAUSE,
  RESULT_CODE,
  VENDOR_3GPP,
  isProtocolError,
} from './constants.ts';
export { decodeMessage, type DecodeProblem, type DecodeResult } from './decode.ts';
export { diameterLimits } from './diameter-limits.ts';
export { DICTIONARY, avpName, lookupAvp, type AvpDefinition, type AvpName } from './dictionary.ts';
export { encodeAvp, encodeMessage } from './encode.ts';
export { DiameterFramer, type FrameResult } from './framer.ts';
export type { CreditControlHandler, DiameterLog, PeerInfo } from './handler.ts';
export { startDiameterServer, type DiameterServer, type DiameterServerOptions } from './server.ts';
export { ntpSecondsToUnixMs, unixMsToNtpSeconds } from './time.ts';
export {
  CURRENCY_CODES,
  currencyFromCode,
  minorToUnitValue,
  unitValueToMinor,
  type UnitValue,
} from './unit-value.ts';
