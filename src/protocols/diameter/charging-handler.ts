import {
  checkBalance,
  debitEvent,
  priceEnquiry,
  refundCharge,
  startSession,
  terminateSession,
  updateSession,
  type ChargingAnswer,
  type Service,
  type SessionsContext,
} from '../../charging/index.ts';
import {
  ERROR_CATALOG,
  type DomainError,
  type ErrorCode,
  type Outcome,
} from '../../kernel/index.ts';
import { avp } from './avp-access.ts';
import type { Avp } from './avp.ts';
import type { DiameterAnswer } from './answer.ts';
import { buildCca, type CcaInput, type GrantedUnits, type Money, type MsccAnswer } from './cca.ts';
import type { RequestedAction } from './cc-types.ts';
import { readCcr, type Ccr, type MsccRequest } from './ccr.ts';
import {
  calledNumber,
  eventUnits,
  requestedSeconds,
  servedUnits,
  serviceOfContext,
  subscriberToken,
  usedSeconds,
  type ServedUnits,
  type UnitKind,
} from './charging-request.ts';
import { RESULT_CODE } from './constants.ts';
import type { CreditControlHandler, DiameterLog } from './handler.ts';

export interface ChargingHandlerOptions {
  /** The engine's origin for Diameter sessions (keys are origin + Session-Id). Default 'diameter'. */
  readonly origin?: string;
  /** Notes requests refused for a reason with no specific code (5012); never subscriber data. */
  readonly log?: DiameterLog;
}

/** One CCR as the handler sees it: read, with its service and units. */
interface Served {
  readonly ccr: Ccr;
  readonly service: Service;
  readonly units: ServedUnits;
}

const SUCCESS = RESULT_CODE.SUCCESS;

/**
 * The credit-control business over Diameter: CCRs become charging-engine requests (sessions for
 * INITIAL/UPDATE/TERMINATE, events for EVENT by Requested-Action) and the engine's answers and
 * refusals become CCAs with RFC 8506 / 3GPP result codes. docs/diameter.md "Charging over
 * Diameter" is the mapping in words. A duplicate request gets the engine's stored answer, which
 * renders to the same CCA.
 */
export function createChargingHandler(
  ctx: SessionsContext,
  options: ChargingHandlerOptions = {},
): CreditControlHandler {
  const origin = options.origin ?? 'diameter';

  const refuse = (s: Served, error: DomainError): DiameterAnswer => {
    const { resultCode, failedAvp } = refusalOf(s, error);
    if (resultCode === RESULT_CODE.UNABLE_TO_COMPLY) {
      options.log?.warn(
        { requestType: s.ccr.requestType, code: error.code },
        'diameter charging request refused; answering 5012',
      );
    }
    return buildCca({
      request: s.ccr,
      resultCode,
      errorMessage: `${error.code}: ${ERROR_CATALOG[error.code].message}`,
      ...(failedAvp === undefined ? {} : { failedAvp }),
    });
  };

  const answer = (
    s: Served,
    outcome: Outcome<ChargingAnswer>,
    render: (a: ChargingAnswer) => DiameterAnswer,
  ): DiameterAnswer => (outcome.ok ? render(outcome.value) : refuse(s, outcome.error));

  const key = (ccr: Ccr) => ({
    origin,
    clientSessionId: ccr.sessionId,
    requestNumber: ccr.requestNumber,
  });

  async function initial(s: Served): Promise<DiameterAnswer> {
    const { ccr } = s;
    if (ccr.calledPartyAddress === undefined) {
      return ratingFailed(s, calledPartyAvp(ccr), 'Called-Party-Address is missing');
    }
    const token = subscriberToken(ccr.subscriptionIds);
    if (token === null) return refuse(s, { code: 'subscriber_unknown' });
    const started = await startSession(ctx, {
      ...key(ccr),
      subscriber: { token },
      service: s.service,
      number: calledNumber(ccr.calledPartyAddress),
      requestedSeconds: requestedSeconds(s.units),
    });
    return answer(s, started, (a) =>
      granting(s, {
        granted: a.grantedSeconds === null ? undefined : { ccTime: a.grantedSeconds },
        finalUnit: a.finalUnit,
        validityTime: a.validityTimeSeconds,
      }),
    );
  }

  async function update(s: Served): Promise<DiameterAnswer> {
    const updated = await updateSession(ctx, {
      ...key(s.ccr),
      usedSeconds: usedSeconds(s.units),
      requestedSeconds: requestedSeconds(s.units),
    });
    return answer(s, updated, (a) => {
      if (a.status === 'service_denied') {
        // The used units were committed; the card can no longer be charged (RFC 8506 §5.1.2).
        return buildCca({
          request: s.ccr,
          resultCode: RESULT_CODE.END_USER_SERVICE_DENIED,
          costInformation: cost(a.costMinor, a),
          errorMessage: 'service_denied: the card is locked, expired or no longer active',
        });
      }
      return granting(s, {
        granted: a.grantedSeconds === null ? undefined : { ccTime: a.grantedSeconds },
        // The zero grant of a card that can pay no more ends the call at once (RFC 8506 §5.6).
        finalUnit: a.finalUnit || a.status === 'credit_limit_reached',
        validityTime: a.validityTimeSeconds,
        costInformation: cost(a.costMinor, a),
      });
    });
  }

  async function terminate(s: Served): Promise<DiameterAnswer> {
    const ended = await terminateSession(ctx, { ...key(s.ccr), usedSeconds: usedSeconds(s.units) });
    // No MSCC in a CCA-T: nothing more is granted (notes §1.7, ostelco PR #617).
    return answer(s, ended, (a) =>
      buildCca({ request: s.ccr, resultCode: SUCCESS, costInformation: cost(a.costMinor, a) }),
    );
  }

  async function event(s: Served): Promise<DiameterAnswer> {
    const { ccr } = s;
    const number =
      ccr.calledPartyAddress === undefined ? undefined : calledNumber(ccr.calledPartyAddress);
    const units = eventUnits(s.units);
    const action: RequestedAction | undefined = ccr.requestedAction;
    switch (action) {
      case 'direct-debiting': {
        const counted = units ?? defaultEventUnits(s.service);
        if (counted === null) return missingUnits(s);
        const token = subscriberToken(ccr.subscriptionIds);
        if (token === null) return refuse(s, { code: 'subscriber_unknown' });
        const debited = await debitEvent(ctx, {
          ...key(ccr),
          subscriber: { token },
          service: s.service,
          units: counted.count,
          ...(number === undefined ? {} : { number }),
        });
        return answer(s, debited, (a) =>
          granting(s, {
            granted: unitsGranted(counted.kind, a.grantedSeconds ?? counted.count),
            finalUnit: false,
            validityTime: null,
            costInformation: cost(a.chargedMinor, a),
          }),
        );
      }
      case 'refund-account': {
        const refunded = await refundCharge(ctx, {
          ...key(ccr),
          ...(units === null ? {} : { units: units.count }),
        });
        return answer(s, refunded, () =>
          granting(s, { granted: undefined, finalUnit: false, validityTime: null }),
        );
      }
      case 'check-balance': {
        const token = subscriberToken(ccr.subscriptionIds);
        if (token === null) return refuse(s, { code: 'subscriber_unknown' });
        const balance = await checkBalance(ctx, {
          subscriber: { token },
          service: s.service,
          ...(number === undefined ? {} : { number }),
          ...(units === null ? {} : { units: units.count }),
        });
        if (!balance.ok) return refuse(s, balance.error);
        return granting(s, {
          granted: undefined,
          finalUnit: false,
          validityTime: null,
          checkBalanceResult: balance.value.enoughCredit ? 'enough-credit' : 'no-credit',
        });
      }
      case 'price-enquiry': {
        const counted = units ?? defaultEventUnits(s.service);
        if (counted === null) return missingUnits(s);
        if (number === undefined) {
          return ratingFailed(s, calledPartyAvp(ccr), 'Called-Party-Address is missing');
        }
        const price = await priceEnquiry(ctx, {
          service: s.service,
          number,
          seconds: counted.count,
          atMs: ctx.clock.nowMs(),
        });
        if (!price.ok) return refuse(s, price.error);
        return granting(s, {
          granted: undefined,
          finalUnit: false,
          validityTime: null,
          costInformation: { amountMinor: price.value.costMinor, currency: price.value.currency },
        });
      }
      case undefined:
        // readCcr already answers 5005 for an EVENT without Requested-Action.
        return buildCca({
          request: ccr,
          resultCode: RESULT_CODE.MISSING_AVP,
          failedAvp: avp('Requested-Action', 0),
          errorMessage: 'Requested-Action is missing',
        });
    }
  }

  return async (request) => {
    const read = readCcr(request);
    if (!read.ok) return read.answer;
    const { ccr } = read;
    const service = serviceOfContext(ccr.serviceContextId);
    const units = servedUnits(ccr);
    if (service === null) {
      return buildCca({
        request: ccr,
        resultCode: RESULT_CODE.RATING_FAILED,
        failedAvp: avp('Service-Context-Id', ccr.serviceContextId),
        errorMessage: 'the Service-Context-Id is not one OnePIN serves',
      });
    }
    const s: Served = { ccr, service, units };
    switch (ccr.requestType) {
      case 'initial':
        return initial(s);
      case 'update':
        return update(s);
      case 'terminate':
        return terminate(s);
      case 'event':
        return event(s);
    }
  };
}

/** Sms and content count one message or item when the request names no units. */
function defaultEventUnits(service: Service): { count: number; kind: UnitKind } | null {
  return service === 'sms' || service === 'content' ? { count: 1, kind: 'specific' } : null;
}

function unitsGranted(kind: UnitKind, count: number): GrantedUnits {
  return kind === 'time' ? { ccTime: count } : { ccServiceSpecificUnits: BigInt(count) };
}

function cost(amountMinor: bigint, a: ChargingAnswer): Money {
  return { amountMinor, currency: a.currency };
}

/** A successful CCA: grant (or not) in the form the client used, MSCC or top level. */
function granting(
  s: Served,
  parts: {
    readonly granted: GrantedUnits | undefined;
    readonly finalUnit: boolean;
    readonly validityTime: number | null;
    readonly costInformation?: Money;
    readonly checkBalanceResult?: CcaInput['checkBalanceResult'];
  },
): DiameterAnswer {
  const grant = {
    ...(parts.granted === undefined ? {} : { granted: parts.granted }),
    ...(parts.validityTime === null ? {} : { validityTime: parts.validityTime }),
    ...(parts.finalUnit ? { finalUnit: { action: 'TERMINATE' as const } } : {}),
  };
  const rest = {
    ...(parts.costInformation === undefined ? {} : { costInformation: parts.costInformation }),
    ...(parts.checkBalanceResult === undefined
      ? {}
      : { checkBalanceResult: parts.checkBalanceResult }),
  };
  if (s.units.form === 'top' || s.units.mscc === undefined) {
    return buildCca({ request: s.ccr, resultCode: SUCCESS, ...grant, ...rest });
  }
  const mscc: MsccAnswer[] = [
    { ...echo(s.units.mscc), resultCode: SUCCESS, ...grant },
    // Only the first MSCC is rated; the others get nothing and are told so.
    ...s.units.others.map((other) => ({ ...echo(other), resultCode: RESULT_CODE.RATING_FAILED })),
  ];
  return buildCca({ request: s.ccr, resultCode: SUCCESS, mscc, ...rest });
}

function echo(mscc: MsccRequest): Pick<MsccAnswer, 'ratingGroup' | 'serviceIdentifiers'> {
  return {
    ...(mscc.ratingGroup === undefined ? {} : { ratingGroup: mscc.ratingGroup }),
    ...(mscc.serviceIdentifiers.length === 0
      ? {}
      : { serviceIdentifiers: mscc.serviceIdentifiers }),
  };
}

/** 5031 DIAMETER_RATING_FAILED: MUST carry Failed-AVP (RFC 8506 §9.1). */
function ratingFailed(s: Served, failedAvp: Avp, errorMessage: string): DiameterAnswer {
  return buildCca({
    request: s.ccr,
    resultCode: RESULT_CODE.RATING_FAILED,
    failedAvp,
    errorMessage,
  });
}

/** 5005 for an event that needs a duration and names none: an example RSU (RFC 6733 §7.5). */
function missingUnits(s: Served): DiameterAnswer {
  return buildCca({
    request: s.ccr,
    resultCode: RESULT_CODE.MISSING_AVP,
    failedAvp: avp('Requested-Service-Unit', [avp('CC-Time', 0)]),
    errorMessage: 'Requested-Service-Unit with CC-Time is missing',
  });
}

/** The Called-Party-Address as sent, or an empty example of it when it is missing. */
function calledPartyAvp(ccr: Ccr): Avp {
  return avp('Called-Party-Address', ccr.calledPartyAddress ?? '');
}

/** The AVP an engine parameter came from, for Failed-AVP. */
function avpOfParam(s: Served, param: string | undefined): Avp | undefined {
  const { ccr, units } = s;
  if (param === undefined) return undefined;
  switch (param) {
    case 'session_id':
      return avp('Session-Id', ccr.sessionId);
    case 'request_number':
      return avp('CC-Request-Number', ccr.requestNumber);
    case 'number':
      return calledPartyAvp(ccr);
    case 'service':
      return avp('Service-Context-Id', ccr.serviceContextId);
    case 'used_seconds':
      return avp('Used-Service-Unit', [avp('CC-Time', usedSeconds(units))]);
    case 'requested_seconds':
    case 'units':
    case 'seconds': {
      const counted = eventUnits(units);
      if (counted === null) return undefined;
      const group = units.requested === undefined ? 'Used-Service-Unit' : 'Requested-Service-Unit';
      return avp(
        group,
        counted.kind === 'time'
          ? [avp('CC-Time', counted.count)]
          : [avp('CC-Service-Specific-Units', BigInt(counted.count))],
      );
    }
    default:
      return undefined;
  }
}

/** Engine refusals with a code of their own; anything else is 5012 DIAMETER_UNABLE_TO_COMPLY. */
const REFUSALS: Partial<Record<ErrorCode, (s: Served, error: DomainError) => Refusal>> = {
  subscriber_unknown: () => ({ resultCode: RESULT_CODE.USER_UNKNOWN }),
  card_locked: () => ({ resultCode: RESULT_CODE.END_USER_SERVICE_DENIED }),
  card_not_active: () => ({ resultCode: RESULT_CODE.END_USER_SERVICE_DENIED }),
  card_expired: () => ({ resultCode: RESULT_CODE.END_USER_SERVICE_DENIED }),
  credit_limit_reached: () => ({ resultCode: RESULT_CODE.CREDIT_LIMIT_REACHED }),
  session_not_found: () => ({ resultCode: RESULT_CODE.UNKNOWN_SESSION_ID }),
  number_invalid: (s) => ({
    resultCode: RESULT_CODE.RATING_FAILED,
    failedAvp: calledPartyAvp(s.ccr),
  }),
  destination_not_found: (s) => ({
    resultCode: RESULT_CODE.RATING_FAILED,
    failedAvp: calledPartyAvp(s.ccr),
  }),
  rate_not_found: (s) => ({
    resultCode: RESULT_CODE.RATING_FAILED,
    failedAvp: calledPartyAvp(s.ccr),
  }),
  rating_plan_not_found: (s) => ({
    resultCode: RESULT_CODE.RATING_FAILED,
    failedAvp: avp('Service-Context-Id', s.ccr.serviceContextId),
  }),
  request_conflict: (s) => ({
    resultCode: RESULT_CODE.INVALID_AVP_VALUE,
    failedAvp: avp('CC-Request-Number', s.ccr.requestNumber),
  }),
  request_number_invalid: (s) => ({
    resultCode: RESULT_CODE.INVALID_AVP_VALUE,
    failedAvp: avp('CC-Request-Number', s.ccr.requestNumber),
  }),
  parameter_invalid: invalidValue,
  refund_exceeds_charge: invalidValue,
};

interface Refusal {
  readonly resultCode: number;
  readonly failedAvp?: Avp;
}

/** 5004 with the AVP the engine's parameter came from (5012 when it names none we can show). */
function invalidValue(s: Served, error: DomainError): Refusal {
  const failedAvp = avpOfParam(s, error.param);
  return failedAvp === undefined
    ? { resultCode: RESULT_CODE.UNABLE_TO_COMPLY }
    : { resultCode: RESULT_CODE.INVALID_AVP_VALUE, failedAvp };
}

/** The result code (and Failed-AVP) for an engine refusal. */
function refusalOf(s: Served, error: DomainError): Refusal {
  return REFUSALS[error.code]?.(s, error) ?? { resultCode: RESULT_CODE.UNABLE_TO_COMPLY };
}
