import type { Currency } from '../../kernel/index.ts';
import { avp } from './avp-access.ts';
import type { Avp } from './avp.ts';
import { clipErrorMessage, type DiameterAnswer } from './answer.ts';
import type { CcRequestType } from './cc-types.ts';
import { APPLICATION } from './constants.ts';
import { CURRENCY_CODES, minorToUnitValue } from './unit-value.ts';

const REQUEST_TYPE_CODES: Readonly<Record<CcRequestType, number>> = {
  initial: 1,
  update: 2,
  terminate: 3,
  event: 4,
};
const FINAL_UNIT_ACTIONS = { TERMINATE: 0, REDIRECT: 1, RESTRICT_ACCESS: 2 } as const;
const FAILURE_HANDLING = { terminate: 0, continue: 1, 'retry-and-terminate': 2 } as const;
const REDIRECT_ADDRESS_TYPES = { ipv4: 0, ipv6: 1, url: 2, 'sip-uri': 3 } as const;

export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/** Units granted; time in seconds, money as OnePIN money. */
export interface GrantedUnits {
  readonly ccTime?: number;
  readonly ccMoney?: Money;
  readonly ccTotalOctets?: bigint;
  readonly ccServiceSpecificUnits?: bigint;
}

/** Final-Unit-Indication (RFC 8506 §8.34): what the client does when the granted units run out. */
export interface FinalUnit {
  readonly action: keyof typeof FINAL_UNIT_ACTIONS;
  /** For REDIRECT: where to send the caller, e.g. a top-up IVR. */
  readonly redirectServer?: {
    readonly addressType: keyof typeof REDIRECT_ADDRESS_TYPES;
    readonly address: string;
  };
  readonly filterIds?: readonly string[];
}

export interface MsccAnswer {
  readonly ratingGroup?: number;
  readonly serviceIdentifiers?: readonly number[];
  /** Omit to grant nothing (RFC 8506 §8.16: no RSU → no new quota). */
  readonly granted?: GrantedUnits;
  readonly validityTime?: number;
  readonly finalUnit?: FinalUnit;
  /** MSCC-level result (RFC 8506 §5.1.2), e.g. 4012 for this rating group only. */
  readonly resultCode?: number;
}

export interface CcaInput {
  /** Echoed from the request (RFC 8506 §3.2); a Ccr fits here. Missing fields are left out. */
  readonly request: { readonly requestType?: CcRequestType; readonly requestNumber?: number };
  readonly resultCode: number;
  /** Send the code as Experimental-Result with this Vendor-Id (e.g. 10415) instead of Result-Code. */
  readonly experimentalResultVendorId?: number;
  /** Top-level grant, for clients that do not use MSCC. */
  readonly granted?: GrantedUnits;
  readonly mscc?: readonly MsccAnswer[];
  readonly validityTime?: number;
  readonly finalUnit?: FinalUnit;
  /** The cost so far or of the event (RFC 8506 §8.7), e.g. at CCR-T. */
  readonly costInformation?: Money & { readonly costUnit?: string };
  readonly checkBalanceResult?: 'enough-credit' | 'no-credit';
  readonly failedAvp?: Avp;
  readonly errorMessage?: string;
  /** Default 'terminate': a prepaid card fails closed (notes §1.6, RFC 8506 §8.14). */
  readonly creditControlFailureHandling?: keyof typeof FAILURE_HANDLING;
  /** Default 'not-supported': session state is not replicated to another server. */
  readonly ccSessionFailover?: 'supported' | 'not-supported';
  /** Any further AVPs, placed before Failed-AVP. */
  readonly extraAvps?: readonly Avp[];
}

/**
 * The body of a Credit-Control-Answer, in the RFC 8506 §3.2 order. The peer adds Session-Id,
 * Origin-Host and Origin-Realm. Never sets the E bit: credit-control results (4xxx, 5xxx) are
 * ordinary answers.
 */
export function buildCca(input: CcaInput): DiameterAnswer {
  const { request } = input;
  const avps: Avp[] = [
    input.experimentalResultVendorId === undefined
      ? avp('Result-Code', input.resultCode)
      : avp('Experimental-Result', [
          avp('Vendor-Id', input.experimentalResultVendorId),
          avp('Experimental-Result-Code', input.resultCode),
        ]),
    avp('Auth-Application-Id', APPLICATION.creditControl),
  ];
  if (request.requestType !== undefined) {
    avps.push(avp('CC-Request-Type', REQUEST_TYPE_CODES[request.requestType]));
  }
  if (request.requestNumber !== undefined) {
    avps.push(avp('CC-Request-Number', request.requestNumber));
  }
  avps.push(avp('CC-Session-Failover', input.ccSessionFailover === 'supported' ? 1 : 0));
  if (input.granted !== undefined) avps.push(grantedAvp(input.granted));
  for (const mscc of input.mscc ?? []) avps.push(msccAvp(mscc));
  if (input.costInformation !== undefined) {
    const { amountMinor, currency, costUnit } = input.costInformation;
    avps.push(
      avp('Cost-Information', [
        unitValueAvp({ amountMinor, currency }),
        avp('Currency-Code', CURRENCY_CODES[currency]),
        ...(costUnit === undefined ? [] : [avp('Cost-Unit', costUnit)]),
      ]),
    );
  }
  if (input.finalUnit !== undefined) avps.push(finalUnitAvp(input.finalUnit));
  if (input.checkBalanceResult !== undefined) {
    avps.push(avp('Check-Balance-Result', input.checkBalanceResult === 'no-credit' ? 1 : 0));
  }
  avps.push(
    avp(
      'Credit-Control-Failure-Handling',
      FAILURE_HANDLING[input.creditControlFailureHandling ?? 'terminate'],
    ),
  );
  if (input.validityTime !== undefined) avps.push(avp('Validity-Time', input.validityTime));
  if (input.errorMessage !== undefined) {
    avps.push(avp('Error-Message', clipErrorMessage(input.errorMessage)));
  }
  avps.push(...(input.extraAvps ?? []));
  if (input.failedAvp !== undefined) avps.push(avp('Failed-AVP', [input.failedAvp]));
  return { avps, error: false };
}

function unitValueAvp(money: Money): Avp {
  const { valueDigits, exponent } = minorToUnitValue(money.amountMinor, money.currency);
  return avp('Unit-Value', [
    avp('Value-Digits', valueDigits),
    ...(exponent === 0 ? [] : [avp('Exponent', exponent)]),
  ]);
}

function grantedAvp(units: GrantedUnits): Avp {
  const children: Avp[] = [];
  if (units.ccTime !== undefined) children.push(avp('CC-Time', units.ccTime));
  if (units.ccMoney !== undefined) {
    children.push(
      avp('CC-Money', [
        unitValueAvp(units.ccMoney),
        avp('Currency-Code', CURRENCY_CODES[units.ccMoney.currency]),
      ]),
    );
  }
  if (units.ccTotalOctets !== undefined) children.push(avp('CC-Total-Octets', units.ccTotalOctets));
  if (units.ccServiceSpecificUnits !== undefined) {
    children.push(avp('CC-Service-Specific-Units', units.ccServiceSpecificUnits));
  }
  return avp('Granted-Service-Unit', children);
}

function msccAvp(mscc: MsccAnswer): Avp {
  const children: Avp[] = [];
  if (mscc.granted !== undefined) children.push(grantedAvp(mscc.granted));
  for (const id of mscc.serviceIdentifiers ?? []) children.push(avp('Service-Identifier', id));
  if (mscc.ratingGroup !== undefined) children.push(avp('Rating-Group', mscc.ratingGroup));
  if (mscc.validityTime !== undefined) children.push(avp('Validity-Time', mscc.validityTime));
  if (mscc.resultCode !== undefined) children.push(avp('Result-Code', mscc.resultCode));
  if (mscc.finalUnit !== undefined) children.push(finalUnitAvp(mscc.finalUnit));
  return avp('Multiple-Services-Credit-Control', children);
}

function finalUnitAvp(finalUnit: FinalUnit): Avp {
  const children: Avp[] = [avp('Final-Unit-Action', FINAL_UNIT_ACTIONS[finalUnit.action])];
  for (const id of finalUnit.filterIds ?? []) children.push(avp('Filter-Id', id));
  if (finalUnit.redirectServer !== undefined) {
    children.push(
      avp('Redirect-Server', [
        avp('Redirect-Address-Type', REDIRECT_ADDRESS_TYPES[finalUnit.redirectServer.addressType]),
        avp('Redirect-Server-Address', finalUnit.redirectServer.address),
      ]),
    );
  }
  return avp('Final-Unit-Indication', children);
}
