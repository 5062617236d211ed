import {
  avp,
  firstValue,
  type Avp,
  type DiameterMessage,
  type RequestedAction,
} from '../../../../src/protocols/diameter/index.ts';
import { CLIENT_ORIGIN, request } from './test-peer.ts';

/** Units of a Requested- or Used-Service-Unit: CC-Time seconds and/or service-specific units. */
export interface UnitsSpec {
  readonly time?: number;
  readonly units?: bigint;
}

export interface ChargingCcrSpec {
  readonly sessionId: string;
  readonly type: 'initial' | 'update' | 'terminate' | 'event';
  readonly number: number;
  /** Subscription-Id-Data (type 4, END_USER_PRIVATE, unless `subscriptionType`). */
  readonly token?: string;
  readonly subscriptionType?: number;
  /** Default 32276@3gpp.org (CS voice). */
  readonly context?: string;
  /** Service-Information / IMS-Information / Called-Party-Address. */
  readonly called?: string;
  /** Requested-Service-Unit; `{}` is an RSU without units. */
  readonly rsu?: UnitsSpec;
  /** One Used-Service-Unit per entry. */
  readonly usu?: readonly UnitsSpec[];
  /** false: units at the top level instead of in one MSCC. Default true. */
  readonly mscc?: boolean;
  readonly ratingGroup?: number;
  readonly serviceIdentifier?: number;
  /** More MSCCs after the first, as AVP lists. */
  readonly moreMscc?: readonly (readonly Avp[])[];
  readonly action?: RequestedAction;
  readonly hopByHopId?: number;
  readonly endToEndId?: number;
  readonly retransmit?: boolean;
  readonly extra?: readonly Avp[];
}

const TYPES = { initial: 1, update: 2, terminate: 3, event: 4 } as const;
const ACTIONS: Readonly<Record<RequestedAction, number>> = {
  'direct-debiting': 0,
  'refund-account': 1,
  'check-balance': 2,
  'price-enquiry': 3,
};

function unitsAvps(spec: UnitsSpec): Avp[] {
  return [
    ...(spec.time === undefined ? [] : [avp('CC-Time', spec.time)]),
    ...(spec.units === undefined ? [] : [avp('CC-Service-Specific-Units', spec.units)]),
  ];
}

/** A CCR as a switch sends it to OnePIN (see docs/diameter.md "Charging over Diameter"). */
export function chargingCcr(spec: ChargingCcrSpec): DiameterMessage {
  const units: Avp[] = [
    ...(spec.rsu === undefined ? [] : [avp('Requested-Service-Unit', unitsAvps(spec.rsu))]),
    ...(spec.usu ?? []).map((u) => avp('Used-Service-Unit', unitsAvps(u))),
  ];
  const useMscc = spec.mscc ?? true;
  const message = request(
    272,
    4,
    [
      avp('Session-Id', spec.sessionId),
      ...CLIENT_ORIGIN,
      avp('Destination-Realm', 'test'),
      avp('Auth-Application-Id', 4),
      avp('Service-Context-Id', spec.context ?? '32276@3gpp.org'),
      avp('CC-Request-Type', TYPES[spec.type]),
      avp('CC-Request-Number', spec.number),
      ...(spec.token === undefined
        ? []
        : [
            avp('Subscription-Id', [
              avp('Subscription-Id-Type', spec.subscriptionType ?? 4),
              avp('Subscription-Id-Data', spec.token),
            ]),
          ]),
      ...(spec.action === undefined ? [] : [avp('Requested-Action', ACTIONS[spec.action])]),
      ...(useMscc
        ? [
            avp('Multiple-Services-Credit-Control', [
              ...units,
              ...(spec.serviceIdentifier === undefined
                ? []
                : [avp('Service-Identifier', spec.serviceIdentifier)]),
              avp('Rating-Group', spec.ratingGroup ?? 1),
            ]),
            ...(spec.moreMscc ?? []).map((m) => avp('Multiple-Services-Credit-Control', m)),
          ]
        : units),
      ...(spec.called === undefined
        ? []
        : [
            avp('Service-Information', [
              avp('IMS-Information', [avp('Called-Party-Address', spec.called)]),
            ]),
          ]),
      ...(spec.extra ?? []),
    ],
    {
      hopByHopId: spec.hopByHopId ?? 1,
      endToEndId: spec.endToEndId ?? 1,
    },
  );
  return spec.retransmit === true
    ? { ...message, flags: { ...message.flags, retransmit: true } }
    : message;
}

/** What a CCA says, read with our own codec, in the shape tests compare. */
export interface CcaView {
  readonly result?: number;
  readonly requestType?: number;
  readonly requestNumber?: number;
  readonly errorBit: boolean;
  readonly failedAvp?: { readonly code: number; readonly vendorId: number };
  readonly granted?: GrantView;
  readonly validityTime?: number;
  readonly finalUnitAction?: number;
  /** Cost-Information in minor units (Value-Digits × 10^Exponent) and its currency code. */
  readonly cost?: { readonly minor: bigint; readonly currency?: number };
  readonly checkBalance?: number;
  readonly mscc: readonly MsccView[];
}

export interface GrantView {
  readonly time?: number;
  readonly units?: bigint;
}

export interface MsccView {
  readonly ratingGroup?: number;
  readonly serviceIdentifiers: readonly number[];
  readonly result?: number;
  readonly granted?: GrantView;
  readonly validityTime?: number;
  readonly finalUnitAction?: number;
}

function grantOf(avps: readonly Avp[]): GrantView | undefined {
  const gsu = firstValue(avps, 'Granted-Service-Unit');
  if (gsu === undefined) return undefined;
  const time = firstValue(gsu, 'CC-Time');
  const units = firstValue(gsu, 'CC-Service-Specific-Units');
  return {
    ...(time === undefined ? {} : { time }),
    ...(units === undefined ? {} : { units }),
  };
}

function finalUnitOf(avps: readonly Avp[]): number | undefined {
  const fui = firstValue(avps, 'Final-Unit-Indication');
  return fui === undefined ? undefined : firstValue(fui, 'Final-Unit-Action');
}

/** Drops undefined fields so deepEqual compares only what the answer has. */
function defined<T>(value: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function viewCca(message: DiameterMessage): CcaView {
  const { avps } = message;
  const failed = firstValue(avps, 'Failed-AVP')?.[0];
  const costInfo = firstValue(avps, 'Cost-Information');
  let cost: CcaView['cost'];
  if (costInfo !== undefined) {
    const unitValue = firstValue(costInfo, 'Unit-Value') ?? [];
    const digits = firstValue(unitValue, 'Value-Digits') ?? 0n;
    const exponent = firstValue(unitValue, 'Exponent') ?? 0;
    // KRW has no minor unit: Unit-Value is whole won (exponent 0).
    cost = defined<NonNullable<CcaView['cost']>>({
      minor: exponent >= 0 ? digits * 10n ** BigInt(exponent) : -1n,
      currency: firstValue(costInfo, 'Currency-Code'),
    });
  }
  return defined<CcaView>({
    result: firstValue(avps, 'Result-Code'),
    requestType: firstValue(avps, 'CC-Request-Type'),
    requestNumber: firstValue(avps, 'CC-Request-Number'),
    errorBit: message.flags.error,
    failedAvp: failed === undefined ? undefined : { code: failed.code, vendorId: failed.vendorId },
    granted: grantOf(avps),
    validityTime: firstValue(avps, 'Validity-Time'),
    finalUnitAction: finalUnitOf(avps),
    cost,
    checkBalance: firstValue(avps, 'Check-Balance-Result'),
    mscc: avps
      .filter((a) => a.code === 456 && a.type === 'Grouped')
      .map((a) => {
        const group = a.value as readonly Avp[];
        const serviceIdentifiers: number[] = [];
        for (const item of group) {
          if (item.code === 439 && item.type === 'Unsigned32') serviceIdentifiers.push(item.value);
        }
        return defined<MsccView>({
          ratingGroup: firstValue(group, 'Rating-Group'),
          serviceIdentifiers,
          result: firstValue(group, 'Result-Code'),
          granted: grantOf(group),
          validityTime: firstValue(group, 'Validity-Time'),
          finalUnitAction: finalUnitOf(group),
        });
      }),
  });
}
