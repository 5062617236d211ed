/**
 * The calling-card IVR (ARS): a pure DTMF state machine (language → PIN → password → balance →
 * destination → minutes → connect with a time limit → charged through the charging sessions →
 * "press # for another call"; and the "buy a card" menu), its prompts in Korean and English, the
 * TwiML-style XML renderer and the platform's request signature. The webhook that drives it is
 * src/http/ivr/; see docs/ivr.md.
 */
export {
  awaiting,
  decide,
  planLeg,
  startCall,
  type ActiveCall,
  type AuthResult,
  type AwaitKind,
  type BalanceResult,
  type CallEvent,
  type CallState,
  type CallStep,
  type Decision,
  type DialStatus,
  type Effect,
  type Ending,
  type PauseVerb,
  type Refusal,
  type SayVerb,
  type SessionResult,
  type Verb,
} from './machine.ts';
export {
  FIXED_MESSAGE_KEYS,
  SAY_LANGUAGE,
  messageText,
  spokenMoney,
  type Language,
  type Message,
  type MessageKey,
  type Money,
} from './messages.ts';
export { escapeXml, renderResponse, type RenderTargets } from './render.ts';
export { DEFAULT_IVR_SETTINGS, ivrSettings, type IvrSettings } from './settings.ts';
export { twilioSignature, verifyTwilioSignature } from './signature.ts';
