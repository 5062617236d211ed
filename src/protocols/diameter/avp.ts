/**
 * The data model of a Diameter message: a header and a tree of AVPs whose values carry their
 * RFC 6733 §4.2–4.3 type. Values that can exceed 2^53 (Integer64, Unsigned64) are bigint.
 */

export type AvpType =
  | 'OctetString'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Float32'
  | 'Float64'
  | 'Grouped'
  | 'Enumerated'
  | 'Address'
  | 'Time';

/** The JavaScript value each type decodes to. */
export interface AvpValueByType {
  OctetString: Uint8Array;
  UTF8String: string;
  DiameterIdentity: string;
  DiameterURI: string;
  Integer32: number;
  Integer64: bigint;
  Unsigned32: number;
  Unsigned64: bigint;
  Float32: number;
  Float64: number;
  Grouped: readonly Avp[];
  Enumerated: number;
  /** An IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1") address in text form. */
  Address: string;
  /** Seconds on the NTP timescale (RFC 5905), as carried on the wire; see time.ts. */
  Time: number;
}

export interface AvpHeader {
  readonly code: number;
  /** 0 when the V bit is clear. */
  readonly vendorId: number;
  readonly mandatory: boolean;
  readonly protected: boolean;
}

/**
 * A decoded or to-be-encoded AVP. `Unknown` holds the raw data of an AVP the dictionary does not
 * know (kept and ignored when its M bit is clear), and the copy of an offending AVP in Failed-AVP.
 */
export type Avp =
  | { [T in AvpType]: AvpHeader & { readonly type: T; readonly value: AvpValueByType[T] } }[AvpType]
  | (AvpHeader & { readonly type: 'Unknown'; readonly value: Uint8Array });

export interface MessageFlags {
  readonly request: boolean;
  readonly proxiable: boolean;
  readonly error: boolean;
  readonly retransmit: boolean;
}

export interface DiameterMessage {
  readonly flags: MessageFlags;
  readonly commandCode: number;
  readonly applicationId: number;
  /** Unsigned 32-bit; answers copy both ids from their request. */
  readonly hopByHopId: number;
  readonly endToEndId: number;
  readonly avps: readonly Avp[];
}
