import type { AvpType } from './avp.ts';
import { assert } from '../../kernel/index.ts';
import { VENDOR_3GPP } from './constants.ts';

/**
 * The AVPs we understand, keyed by name and looked up on the wire by (code, vendor): RFC 6733
 * base, RFC 8506 credit control, and the TS 32.299 subset switches send for voice. An AVP not
 * listed here is kept as raw bytes and ignored when its M bit is clear, and refused with 5001
 * when it is set (RFC 6733 §4.1).
 *
 * `mandatory` is the M-bit rule of the AVP's definition: 'must' (we set it, and accept it either
 * way), 'mustnot' (we clear it, and a set bit is 3009 INVALID_AVP_BITS), 'may' (either).
 * `values` lists the only valid values of an Enumerated, where the RFC closes the list.
 */
export interface AvpDefinition {
  readonly code: number;
  readonly vendorId: number;
  readonly type: AvpType;
  readonly mandatory: 'must' | 'mustnot' | 'may';
  readonly values?: readonly number[];
}

const base = <T extends AvpType>(
  code: number,
  type: T,
  mandatory: AvpDefinition['mandatory'] = 'must',
) => ({ code, vendorId: 0, type, mandatory }) as const;
const enumerated = (code: number, values?: readonly number[], vendorId = 0) =>
  values === undefined
    ? ({ code, vendorId, type: 'Enumerated', mandatory: 'must' } as const)
    : ({ code, vendorId, type: 'Enumerated', mandatory: 'must', values } as const);
const tgpp = <T extends AvpType>(code: number, type: T) =>
  ({ code, vendorId: VENDOR_3GPP, type, mandatory: 'must' }) as const;

export const DICTIONARY = {
  // RFC 6733 base protocol
  'User-Name': base(1, 'UTF8String'),
  Class: base(25, 'OctetString'),
  'Proxy-State': base(33, 'OctetString'),
  'Event-Timestamp': base(55, 'Time'),
  'Host-IP-Address': base(257, 'Address'),
  'Auth-Application-Id': base(258, 'Unsigned32'),
  'Acct-Application-Id': base(259, 'Unsigned32'),
  'Vendor-Specific-Application-Id': base(260, 'Grouped'),
  'Session-Id': base(263, 'UTF8String'),
  'Origin-Host': base(264, 'DiameterIdentity'),
  'Supported-Vendor-Id': base(265, 'Unsigned32'),
  'Vendor-Id': base(266, 'Unsigned32'),
  'Firmware-Revision': base(267, 'Unsigned32', 'mustnot'),
  'Result-Code': base(268, 'Unsigned32'),
  'Product-Name': base(269, 'UTF8String', 'mustnot'),
  'Disconnect-Cause': enumerated(273, [0, 1, 2]),
  'Auth-Session-State': enumerated(277, [0, 1]),
  'Origin-State-Id': base(278, 'Unsigned32'),
  'Failed-AVP': base(279, 'Grouped'),
  'Proxy-Host': base(280, 'DiameterIdentity'),
  'Error-Message': base(281, 'UTF8String', 'mustnot'),
  'Route-Record': base(282, 'DiameterIdentity'),
  'Destination-Realm': base(283, 'DiameterIdentity'),
  'Proxy-Info': base(284, 'Grouped'),
  'Redirect-Host': base(292, 'DiameterURI'),
  'Destination-Host': base(293, 'DiameterIdentity'),
  'Error-Reporting-Host': base(294, 'DiameterIdentity', 'mustnot'),
  'Termination-Cause': enumerated(295, [1, 2, 3, 4, 5, 6, 7, 8]),
  'Origin-Realm': base(296, 'DiameterIdentity'),
  'Experimental-Result': base(297, 'Grouped'),
  'Experimental-Result-Code': base(298, 'Unsigned32'),
  'Inband-Security-Id': base(299, 'Unsigned32'),
  // RFC 7155 (NASREQ), used inside Final-Unit-Indication
  'Filter-Id': base(11, 'UTF8String'),
  // RFC 8506 credit control
  'CC-Correlation-Id': base(411, 'OctetString', 'may'),
  'CC-Input-Octets': base(412, 'Unsigned64'),
  'CC-Money': base(413, 'Grouped'),
  'CC-Output-Octets': base(414, 'Unsigned64'),
  'CC-Request-Number': base(415, 'Unsigned32'),
  'CC-Request-Type': enumerated(416, [1, 2, 3, 4]),
  'CC-Service-Specific-Units': base(417, 'Unsigned64'),
  'CC-Session-Failover': enumerated(418, [0, 1]),
  'CC-Sub-Session-Id': base(419, 'Unsigned64'),
  'CC-Time': base(420, 'Unsigned32'),
  'CC-Total-Octets': base(421, 'Unsigned64'),
  'Check-Balance-Result': enumerated(422, [0, 1]),
  'Cost-Information': base(423, 'Grouped'),
  'Cost-Unit': base(424, 'UTF8String'),
  'Currency-Code': base(425, 'Unsigned32'),
  'Credit-Control': enumerated(426, [0, 1]),
  'Credit-Control-Failure-Handling': enumerated(427, [0, 1, 2]),
  'Direct-Debiting-Failure-Handling': enumerated(428, [0, 1]),
  Exponent: base(429, 'Integer32'),
  'Final-Unit-Indication': base(430, 'Grouped'),
  'Granted-Service-Unit': base(431, 'Grouped'),
  'Rating-Group': base(432, 'Unsigned32'),
  'Redirect-Address-Type': enumerated(433, [0, 1, 2, 3]),
  'Redirect-Server': base(434, 'Grouped'),
  'Redirect-Server-Address': base(435, 'UTF8String'),
  'Requested-Action': enumerated(436, [0, 1, 2, 3]),
  'Requested-Service-Unit': base(437, 'Grouped'),
  'Restriction-Filter-Rule': base(438, 'OctetString'),
  'Service-Identifier': base(439, 'Unsigned32'),
  'Subscription-Id': base(443, 'Grouped'),
  'Subscription-Id-Data': base(444, 'UTF8String'),
  'Unit-Value': base(445, 'Grouped'),
  'Used-Service-Unit': base(446, 'Grouped'),
  'Value-Digits': base(447, 'Integer64'),
  'Validity-Time': base(448, 'Unsigned32'),
  'Final-Unit-Action': enumerated(449, [0, 1, 2]),
  'Subscription-Id-Type': enumerated(450, [0, 1, 2, 3, 4]),
  'Tariff-Time-Change': base(451, 'Time'),
  'Tariff-Change-Usage': enumerated(452, [0, 1, 2]),
  'G-S-U-Pool-Identifier': base(453, 'Unsigned32'),
  'CC-Unit-Type': enumerated(454, [0, 1, 2, 3, 4, 5]),
  'Multiple-Services-Indicator': enumerated(455, [0, 1]),
  'Multiple-Services-Credit-Control': base(456, 'Grouped'),
  'G-S-U-Pool-Reference': base(457, 'Grouped'),
  'User-Equipment-Info': base(458, 'Grouped', 'may'),
  'User-Equipment-Info-Type': { ...enumerated(459, [0, 1, 2, 3]), mandatory: 'may' },
  'User-Equipment-Info-Value': base(460, 'OctetString', 'may'),
  'Service-Context-Id': base(461, 'UTF8String'),
  // 3GPP TS 32.299 (vendor 10415): the service information voice switches send, and the
  // quota-management AVPs found inside Multiple-Services-Credit-Control
  'Role-of-Node': enumerated(829, undefined, VENDOR_3GPP),
  'Calling-Party-Address': tgpp(831, 'UTF8String'),
  'Called-Party-Address': tgpp(832, 'UTF8String'),
  'Node-Functionality': enumerated(862, undefined, VENDOR_3GPP),
  'Time-Quota-Threshold': tgpp(868, 'Unsigned32'),
  'Volume-Quota-Threshold': tgpp(869, 'Unsigned32'),
  'Trigger-Type': enumerated(870, undefined, VENDOR_3GPP),
  'Quota-Holding-Time': tgpp(871, 'Unsigned32'),
  'Reporting-Reason': enumerated(872, [0, 1, 2, 3, 4, 5, 6, 7], VENDOR_3GPP),
  'Service-Information': tgpp(873, 'Grouped'),
  'PS-Information': tgpp(874, 'Grouped'),
  'IMS-Information': tgpp(876, 'Grouped'),
  'Quota-Consumption-Time': tgpp(881, 'Unsigned32'),
  Trigger: tgpp(1264, 'Grouped'),
  'SMS-Information': tgpp(2000, 'Grouped'),
} as const satisfies Record<string, AvpDefinition>;

export type AvpName = keyof typeof DICTIONARY;

const byKey = new Map<string, { readonly name: AvpName; readonly def: AvpDefinition }>();
for (const [name, def] of Object.entries(DICTIONARY) as [AvpName, AvpDefinition][]) {
  const key = `${def.vendorId}:${def.code}`;
  assert(!byKey.has(key), `dictionary: ${key} is defined twice`);
  byKey.set(key, { name, def });
}

/** The definition of the AVP with this code and vendor, or undefined when we do not know it. */
export function lookupAvp(
  code: number,
  vendorId: number,
): { readonly name: AvpName; readonly def: AvpDefinition } | undefined {
  return byKey.get(`${vendorId}:${code}`);
}

/** The name of a known AVP, for messages and tests. */
export function avpName(code: number, vendorId: number): string {
  return lookupAvp(code, vendorId)?.name ?? `AVP ${code}${vendorId === 0 ? '' : `/${vendorId}`}`;
}
