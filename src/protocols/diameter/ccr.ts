import { assert } from '../../kernel/index.ts';
import { allValues, avp, countAvps, firstValue, type ValueOf } from './avp-access.ts';
import type { Avp, DiameterMessage } from './avp.ts';
import type { DiameterAnswer } from './answer.ts';
import { buildCca } from './cca.ts';
import type { CcRequestType, RequestedAction, SubscriptionIdType } from './cc-types.ts';
import { APPLICATION, COMMAND, RESULT_CODE } from './constants.ts';
import { DICTIONARY, type AvpName } from './dictionary.ts';
import { ntpSecondsToUnixMs } from './time.ts';

const REQUEST_TYPES: Readonly<Record<number, CcRequestType>> = {
  1: 'initial',
  2: 'update',
  3: 'terminate',
  4: 'event',
};
const REQUESTED_ACTIONS: Readonly<Record<number, RequestedAction>> = {
  0: 'direct-debiting',
  1: 'refund-account',
  2: 'check-balance',
  3: 'price-enquiry',
};
const SUBSCRIPTION_ID_TYPES: Readonly<Record<number, SubscriptionIdType>> = {
  0: 'e164',
  1: 'imsi',
  2: 'sip-uri',
  3: 'nai',
  4: 'private',
};

/** CC-Money as sent: Unit-Value (Value-Digits × 10^Exponent) and an ISO 4217 numeric currency. */
export interface CcMoney {
  readonly valueDigits: bigint;
  readonly exponent: number;
  readonly currencyCode?: number;
}

/** The contents of a Requested-, Used- or Granted-Service-Unit. */
export interface ServiceUnits {
  /** Seconds. */
  readonly ccTime?: number;
  readonly ccMoney?: CcMoney;
  readonly ccTotalOctets?: bigint;
  readonly ccInputOctets?: bigint;
  readonly ccOutputOctets?: bigint;
  readonly ccServiceSpecificUnits?: bigint;
}

export interface MsccRequest {
  readonly ratingGroup?: number;
  readonly serviceIdentifiers: readonly number[];
  /** Absent: no new units wanted (RFC 8506 §8.16). Present but empty: "grant your default". */
  readonly requested?: ServiceUnits;
  readonly used: readonly ServiceUnits[];
  /** 3GPP Reporting-Reason (TS 32.299 §7.2.175). */
  readonly reportingReason?: number;
}

export interface SubscriptionId {
  readonly type: SubscriptionIdType;
  /** Subscriber data (for OnePIN an opaque card token): never log it. */
  readonly data: string;
}

/** A Credit-Control-Request, read and checked (RFC 8506 §3.1). */
export interface Ccr {
  readonly sessionId: string;
  readonly originHost: string;
  readonly originRealm: string;
  readonly destinationRealm: string;
  readonly destinationHost?: string;
  readonly serviceContextId: string;
  readonly requestType: CcRequestType;
  readonly requestNumber: number;
  readonly subscriptionIds: readonly SubscriptionId[];
  readonly requestedAction?: RequestedAction;
  readonly multipleServicesIndicator: boolean;
  /** Top-level units, for clients that do not use MSCC. */
  readonly requested?: ServiceUnits;
  readonly used: readonly ServiceUnits[];
  readonly serviceIdentifier?: number;
  readonly mscc: readonly MsccRequest[];
  readonly eventTimestampMs?: bigint;
  readonly terminationCause?: number;
  readonly userName?: string;
  readonly originStateId?: number;
  readonly ccSubSessionId?: bigint;
  /** From 3GPP Service-Information / IMS-Information, when the switch sends it. */
  readonly callingPartyAddress?: string;
  readonly calledPartyAddress?: string;
  /** The T flag: the client may have sent this very request before (RFC 6733 §3). */
  readonly retransmitted: boolean;
  /** With Origin-Host, the key for duplicate detection (RFC 6733 §3, End-to-End Identifier). */
  readonly endToEndId: number;
}

export type CcrRead =
  | { readonly ok: true; readonly ccr: Ccr }
  /** The request cannot be served; `answer` is the CCA to send (5005, 5004, 5009 with Failed-AVP). */
  | {
      readonly ok: false;
      readonly resultCode: number;
      readonly errorMessage: string;
      readonly answer: DiameterAnswer;
    };

/** Raised inside readCcr only, and caught there: the first thing wrong with the request. */
class CcrProblem extends Error {
  constructor(
    readonly resultCode: number,
    readonly errorMessage: string,
    readonly failedAvp: Avp,
  ) {
    super(errorMessage);
  }
}

/**
 * Reads a CCR that the codec accepted. Checks what the codec cannot: required AVPs present
 * (5005), single AVPs not repeated (5009), values that make sense together (5004). On failure the
 * result carries the CCA to send, echoing what could be read.
 */
export function readCcr(message: DiameterMessage): CcrRead {
  assert(
    message.flags.request &&
      message.commandCode === COMMAND.creditControl &&
      message.applicationId === APPLICATION.creditControl,
    'readCcr is for credit-control requests',
  );
  try {
    return { ok: true, ccr: readChecked(message) };
  } catch (error) {
    if (!(error instanceof CcrProblem)) throw error;
    const echo = ccrEcho(message);
    return {
      ok: false,
      resultCode: error.resultCode,
      errorMessage: error.errorMessage,
      answer: buildCca({
        request: echo,
        resultCode: error.resultCode,
        failedAvp: error.failedAvp,
        errorMessage: error.errorMessage,
      }),
    };
  }
}

/** CC-Request-Type and -Number, read leniently, for answers to requests that failed checks. */
export function ccrEcho(message: DiameterMessage): {
  requestType?: CcRequestType;
  requestNumber?: number;
} {
  const type = REQUEST_TYPES[firstValue(message.avps, 'CC-Request-Type') ?? 0];
  const number = firstValue(message.avps, 'CC-Request-Number');
  return {
    ...(type === undefined ? {} : { requestType: type }),
    ...(number === undefined ? {} : { requestNumber: number }),
  };
}

function readChecked(message: DiameterMessage): Ccr {
  const avps = message.avps;
  const sessionId = required(avps, 'Session-Id');
  const authApplicationId = required(avps, 'Auth-Application-Id');
  if (authApplicationId !== APPLICATION.creditControl) {
    throw invalid('Auth-Application-Id', authApplicationId, 'Auth-Application-Id must be 4');
  }
  const requestTypeCode = required(avps, 'CC-Request-Type');
  const requestType = REQUEST_TYPES[requestTypeCode];
  assert(requestType !== undefined, 'the dictionary admits only known CC-Request-Type values');
  const actionCode = optional(avps, 'Requested-Action');
  if (requestType === 'event' && actionCode === undefined) {
    // RFC 8506 §8.41: an EVENT request says what it wants done.
    throw missing('Requested-Action');
  }
  const eventTimestamp = optional(avps, 'Event-Timestamp');
  const serviceInformation = optional(avps, 'Service-Information') ?? [];
  const ims = firstValue(serviceInformation, 'IMS-Information') ?? [];
  const calling = firstValue(ims, 'Calling-Party-Address');
  const called = firstValue(ims, 'Called-Party-Address');
  const requested = optional(avps, 'Requested-Service-Unit');
  const serviceIdentifier = optional(avps, 'Service-Identifier');
  const destinationHost = optional(avps, 'Destination-Host');
  const terminationCause = optional(avps, 'Termination-Cause');
  const userName = optional(avps, 'User-Name');
  const originStateId = optional(avps, 'Origin-State-Id');
  const ccSubSessionId = optional(avps, 'CC-Sub-Session-Id');
  const requestedAction = actionCode === undefined ? undefined : REQUESTED_ACTIONS[actionCode];
  return {
    sessionId,
    originHost: required(avps, 'Origin-Host'),
    originRealm: required(avps, 'Origin-Realm'),
    destinationRealm: required(avps, 'Destination-Realm'),
    serviceContextId: required(avps, 'Service-Context-Id'),
    requestType,
    requestNumber: required(avps, 'CC-Request-Number'),
    subscriptionIds: allValues(avps, 'Subscription-Id').map(readSubscriptionId),
    multipleServicesIndicator: optional(avps, 'Multiple-Services-Indicator') === 1,
    used: allValues(avps, 'Used-Service-Unit').map(readUnits),
    mscc: allValues(avps, 'Multiple-Services-Credit-Control').map(readMscc),
    retransmitted: message.flags.retransmit,
    endToEndId: message.endToEndId,
    ...(requested === undefined ? {} : { requested: readUnits(requested) }),
    ...(requestedAction === undefined ? {} : { requestedAction }),
    ...(serviceIdentifier === undefined ? {} : { serviceIdentifier }),
    ...(destinationHost === undefined ? {} : { destinationHost }),
    ...(eventTimestamp === undefined
      ? {}
      : { eventTimestampMs: ntpSecondsToUnixMs(eventTimestamp) }),
    ...(terminationCause === undefined ? {} : { terminationCause }),
    ...(userName === undefined ? {} : { userName }),
    ...(originStateId === undefined ? {} : { originStateId }),
    ...(ccSubSessionId === undefined ? {} : { ccSubSessionId }),
    ...(calling === undefined ? {} : { callingPartyAddress: calling }),
    ...(called === undefined ? {} : { calledPartyAddress: called }),
  };
}

function readSubscriptionId(group: readonly Avp[]): SubscriptionId {
  const type = SUBSCRIPTION_ID_TYPES[required(group, 'Subscription-Id-Type')];
  assert(type !== undefined, 'the dictionary admits only known Subscription-Id-Type values');
  return { type, data: required(group, 'Subscription-Id-Data') };
}

function readMscc(group: readonly Avp[]): MsccRequest {
  const ratingGroup = optional(group, 'Rating-Group');
  const requested = optional(group, 'Requested-Service-Unit');
  const reportingReason = optional(group, 'Reporting-Reason');
  return {
    serviceIdentifiers: allValues(group, 'Service-Identifier'),
    used: allValues(group, 'Used-Service-Unit').map(readUnits),
    ...(ratingGroup === undefined ? {} : { ratingGroup }),
    ...(requested === undefined ? {} : { requested: readUnits(requested) }),
    ...(reportingReason === undefined ? {} : { reportingReason }),
  };
}

function readUnits(group: readonly Avp[]): ServiceUnits {
  const ccTime = optional(group, 'CC-Time');
  const money = optional(group, 'CC-Money');
  const total = optional(group, 'CC-Total-Octets');
  const input = optional(group, 'CC-Input-Octets');
  const output = optional(group, 'CC-Output-Octets');
  const specific = optional(group, 'CC-Service-Specific-Units');
  return {
    ...(ccTime === undefined ? {} : { ccTime }),
    ...(money === undefined ? {} : { ccMoney: readMoney(money) }),
    ...(total === undefined ? {} : { ccTotalOctets: total }),
    ...(input === undefined ? {} : { ccInputOctets: input }),
    ...(output === undefined ? {} : { ccOutputOctets: output }),
    ...(specific === undefined ? {} : { ccServiceSpecificUnits: specific }),
  };
}

function readMoney(group: readonly Avp[]): CcMoney {
  const unitValue = required(group, 'Unit-Value');
  const currencyCode = optional(group, 'Currency-Code');
  return {
    valueDigits: required(unitValue, 'Value-Digits'),
    exponent: optional(unitValue, 'Exponent') ?? 0,
    ...(currencyCode === undefined ? {} : { currencyCode }),
  };
}

/** The one value of a required single AVP: 5005 when absent, 5009 when repeated. */
function required<N extends AvpName>(avps: readonly Avp[], name: N): ValueOf<N> {
  const value = optional(avps, name);
  if (value === undefined) throw missing(name);
  return value;
}

/** The value of an optional single AVP: 5009 when repeated. */
function optional<N extends AvpName>(avps: readonly Avp[], name: N): ValueOf<N> | undefined {
  if (countAvps(avps, name) > 1) {
    const def = DICTIONARY[name];
    const second = avps.filter(
      (item) => item.code === def.code && item.vendorId === def.vendorId,
    )[1];
    assert(second !== undefined, 'counted twice');
    throw new CcrProblem(
      RESULT_CODE.AVP_OCCURS_TOO_MANY_TIMES,
      `${name} occurs more than once`,
      second,
    );
  }
  return firstValue(avps, name);
}

/** RFC 6733 §7.5: Failed-AVP holds an example of the missing AVP with a zero value. */
function missing(name: AvpName): CcrProblem {
  return new CcrProblem(RESULT_CODE.MISSING_AVP, `${name} is missing`, zeroAvp(name));
}

function invalid<N extends AvpName>(name: N, value: ValueOf<N>, why: string): CcrProblem {
  return new CcrProblem(RESULT_CODE.INVALID_AVP_VALUE, why, avp(name, value));
}

function zeroAvp(name: AvpName): Avp {
  const { type, code, vendorId } = DICTIONARY[name];
  const header = {
    code,
    vendorId,
    mandatory: DICTIONARY[name].mandatory === 'must',
    protected: false,
  };
  switch (type) {
    case 'UTF8String':
    case 'DiameterIdentity':
      return { ...header, type, value: '' };
    case 'Unsigned32':
    case 'Enumerated':
    case 'Time':
      return { ...header, type, value: 0 };
    case 'Integer64':
    case 'Unsigned64':
      return { ...header, type, value: 0n };
    case 'Grouped':
      return { ...header, type, value: [] };
    case 'Integer32':
      return { ...header, type, value: 0 };
    case 'DiameterURI':
      return { ...header, type, value: '' };
    case 'Address':
      return { ...header, type, value: '0.0.0.0' };
    case 'OctetString':
      return { ...header, type, value: new Uint8Array(0) };
  }
}
