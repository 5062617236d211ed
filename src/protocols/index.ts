/**
 * The public surface of src/protocols for the composition root (src/main): the telecom
 * listeners. Each protocol lives in its own folder with its own index.ts; add what main needs.
 */
export {
  createChargingHandler,
  startDiameterServer,
  type ChargingHandlerOptions,
  type DiameterServer,
} from './diameter/index.ts';
// The calling-card IVR (its webhook is src/http/ivr): the machine, the renderer, the signature.
export {
  awaiting,
  decide,
  ivrSettings,
  renderResponse,
  startCall,
  verifyTwilioSignature,
  type AwaitKind,
  type CallEvent,
  type CallState,
  type Decision,
  type DialStatus,
  type Effect,
  type IvrSettings,
  type Refusal,
  type SessionResult,
  type Verb,
} from './ivr/index.ts';
// SMS over SMPP 3.4 (the ESME): the SMS outbox's transport (docs/sms.md).
export {
  createSmppGateway,
  redactSmppUrl,
  type SmppGateway,
  type SmppGatewayOptions,
} from './smpp/index.ts';
