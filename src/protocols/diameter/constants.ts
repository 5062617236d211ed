/**
 * Numbers fixed by RFC 6733 (base), RFC 8506 (credit control) and 3GPP TS 32.299. Named here once
 * so the rest of the code reads as words.
 */

/** The only Diameter version there is (RFC 6733 §3). */
export const DIAMETER_VERSION = 1;

/** Length of the fixed message header and of an AVP header without / with the Vendor-Id. */
export const HEADER_BYTES = 20;
export const AVP_HEADER_BYTES = 8;
export const AVP_VENDOR_HEADER_BYTES = 12;

/** Header flags (RFC 6733 §3): Request, Proxiable, Error, poTentially retransmitted. */
export const HEADER_FLAG = {
  request: 0x80,
  proxiable: 0x40,
  error: 0x20,
  retransmit: 0x10,
} as const;
/** The four low bits of the header flags are reserved and must be zero. */
export const HEADER_FLAGS_RESERVED = 0x0f;

/** AVP flags (RFC 6733 §4.1): Vendor-specific, Mandatory, Protected. */
export const AVP_FLAG = { vendor: 0x80, mandatory: 0x40, protected: 0x20 } as const;
/** The five low bits of the AVP flags are reserved and must be zero. */
export const AVP_FLAGS_RESERVED = 0x1f;

/** Application ids (RFC 6733 §2.4, RFC 8506 §1.3). */
export const APPLICATION = {
  common: 0,
  creditControl: 4,
  /** A relay advertises this and so shares every application (RFC 6733 §2.4). */
  relay: 0xffff_ffff,
} as const;

/** Command codes we speak (RFC 6733 §3.1, RFC 8506 §3). */
export const COMMAND = {
  capabilitiesExchange: 257,
  reAuth: 258,
  abortSession: 274,
  sessionTermination: 275,
  deviceWatchdog: 280,
  disconnectPeer: 282,
  creditControl: 272,
} as const;

/** 3GPP's IANA enterprise number, the Vendor-Id of TS 29.x/32.x AVPs and experimental results. */
export const VENDOR_3GPP = 10_415;

/**
 * Result codes we send or recognise. Classes (RFC 6733 §7.1): 1xxx informational, 2xxx
 * success, 3xxx protocol errors (answered with the E bit), 4xxx transient and 5xxx permanent
 * failures (answered in the command's own answer, without the E bit).
 */
export const RESULT_CODE = {
  SUCCESS: 2001,
  LIMITED_SUCCESS: 2002,
  COMMAND_UNSUPPORTED: 3001,
  UNABLE_TO_DELIVER: 3002,
  TOO_BUSY: 3004,
  APPLICATION_UNSUPPORTED: 3007,
  INVALID_HDR_BITS: 3008,
  INVALID_AVP_BITS: 3009,
  END_USER_SERVICE_DENIED: 4010,
  CREDIT_CONTROL_NOT_APPLICABLE: 4011,
  CREDIT_LIMIT_REACHED: 4012,
  AVP_UNSUPPORTED: 5001,
  UNKNOWN_SESSION_ID: 5002,
  INVALID_AVP_VALUE: 5004,
  MISSING_AVP: 5005,
  CONTRADICTING_AVPS: 5007,
  AVP_OCCURS_TOO_MANY_TIMES: 5009,
  NO_COMMON_APPLICATION: 5010,
  UNSUPPORTED_VERSION: 5011,
  UNABLE_TO_COMPLY: 5012,
  INVALID_AVP_LENGTH: 5014,
  INVALID_MESSAGE_LENGTH: 5015,
  USER_UNKNOWN: 5030,
  RATING_FAILED: 5031,
} as const;

/** True for the protocol-error class, whose answers carry the E bit (RFC 6733 §7.1.3). */
export function isProtocolError(resultCode: number): boolean {
  return resultCode >= 3000 && resultCode < 4000;
}

/** Disconnect-Cause values (RFC 6733 §5.4.3). */
export const DISCONNECT_CAUSE = { rebooting: 0, busy: 1, doNotWantToTalkToYou: 2 } as const;
