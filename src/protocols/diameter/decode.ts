import type { Avp, AvpHeader, AvpType, DiameterMessage } from './avp.ts';
import {
  AVP_FLAG,
  AVP_FLAGS_RESERVED,
  AVP_HEADER_BYTES,
  AVP_VENDOR_HEADER_BYTES,
  DIAMETER_VERSION,
  HEADER_BYTES,
  HEADER_FLAG,
  HEADER_FLAGS_RESERVED,
  RESULT_CODE,
} from './constants.ts';
import { diameterLimits } from './diameter-limits.ts';
import { avpName, lookupAvp } from './dictionary.ts';
import { formatIpv4, formatIpv6 } from './ip-address.ts';

/**
 * What is wrong with a message that could still be read far enough to answer it: the result
 * code to answer with, the offending AVP for Failed-AVP (RFC 6733 §7.5), and a short reason.
 * Reasons name AVPs and lengths, never values, so they are safe to log and to send.
 */
export interface DecodeProblem {
  readonly resultCode: number;
  readonly errorMessage: string;
  readonly failedAvp?: Avp;
}

export type DecodeResult =
  /**
   * The header was read. `problem` is null for a good message; otherwise `message.avps` holds
   * what could be read (offending AVPs as raw `Unknown` ones) so the answer can echo ids.
   */
  | {
      readonly kind: 'message';
      readonly message: DiameterMessage;
      readonly problem: DecodeProblem | null;
    }
  /** Not a Diameter frame at all: the connection cannot be trusted and is closed. */
  | { readonly kind: 'unframed'; readonly reason: string };

/** Decodes one whole frame, as cut by the framer. Never throws on any input. */
export function decodeMessage(frame: Uint8Array): DecodeResult {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.length < HEADER_BYTES) return { kind: 'unframed', reason: 'shorter than a header' };
  if (buf.readUInt8(0) !== DIAMETER_VERSION)
    return { kind: 'unframed', reason: 'version is not 1' };
  const length = buf.readUIntBE(1, 3);
  if (length !== buf.length) return { kind: 'unframed', reason: 'length field does not match' };
  const flagBits = buf.readUInt8(4);
  const flags = {
    request: (flagBits & HEADER_FLAG.request) !== 0,
    proxiable: (flagBits & HEADER_FLAG.proxiable) !== 0,
    error: (flagBits & HEADER_FLAG.error) !== 0,
    retransmit: (flagBits & HEADER_FLAG.retransmit) !== 0,
  };
  let problem: DecodeProblem | null = null;
  if ((flagBits & HEADER_FLAGS_RESERVED) !== 0) {
    problem = {
      resultCode: RESULT_CODE.INVALID_HDR_BITS,
      errorMessage: 'reserved header bits set',
    };
  } else if (flags.request && flags.error) {
    problem = {
      resultCode: RESULT_CODE.INVALID_HDR_BITS,
      errorMessage: 'a request with the E bit',
    };
  } else if (length % 4 !== 0) {
    problem = {
      resultCode: RESULT_CODE.INVALID_MESSAGE_LENGTH,
      errorMessage: 'message length is not a multiple of 4',
    };
  }
  const walk = decodeAvps(buf, HEADER_BYTES, length, 0, false);
  return {
    kind: 'message',
    message: {
      flags,
      commandCode: buf.readUIntBE(5, 3),
      applicationId: buf.readUInt32BE(8),
      hopByHopId: buf.readUInt32BE(12),
      endToEndId: buf.readUInt32BE(16),
      avps: walk.avps,
    },
    problem: problem ?? walk.problem,
  };
}

interface Walk {
  readonly avps: Avp[];
  readonly problem: DecodeProblem | null;
}

/**
 * Reads the AVPs in buf[start, end). A bad value or flag is recorded (the first one wins) and
 * reading goes on, because the AVP length still says where the next AVP starts; a bad length
 * stops the walk, since nothing after it can be trusted.
 *
 * Inside Failed-AVP (`tolerant`) problems are not reported: it carries the very AVPs another
 * peer could not accept, and an answer must not be refused for quoting them.
 */
function decodeAvps(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  tolerant: boolean,
): Walk {
  const avps: Avp[] = [];
  let problem: DecodeProblem | null = null;
  const note = (p: DecodeProblem): void => {
    if (!tolerant) problem ??= p;
  };
  let offset = start;
  while (offset < end) {
    const remaining = end - offset;
    if (remaining < AVP_HEADER_BYTES) {
      note(lengthProblem(partialHeader(buf, offset, end), null, 'an AVP header is cut short'));
      break;
    }
    const code = buf.readUInt32BE(offset);
    const flagBits = buf.readUInt8(offset + 4);
    const length = buf.readUIntBE(offset + 5, 3);
    const hasVendor = (flagBits & AVP_FLAG.vendor) !== 0;
    const headerBytes = hasVendor ? AVP_VENDOR_HEADER_BYTES : AVP_HEADER_BYTES;
    if (remaining < headerBytes) {
      note(lengthProblem(partialHeader(buf, offset, end), null, 'an AVP header is cut short'));
      break;
    }
    const header: AvpHeader = {
      code,
      vendorId: hasVendor ? buf.readUInt32BE(offset + 8) : 0,
      mandatory: (flagBits & AVP_FLAG.mandatory) !== 0,
      protected: (flagBits & AVP_FLAG.protected) !== 0,
    };
    const known = lookupAvp(header.code, header.vendorId);
    const name = avpName(header.code, header.vendorId);
    if (length < headerBytes || length > remaining) {
      note(lengthProblem(header, known?.def.type ?? null, `${name} has a length that overruns`));
      break;
    }
    const data = buf.subarray(offset + headerBytes, offset + length);
    // The last AVP of a group is sometimes sent without its padding; tolerate that.
    offset = Math.min(offset + ((length + 3) & ~3), end);
    const raw: Avp = { ...header, type: 'Unknown', value: Uint8Array.from(data) };

    if ((flagBits & AVP_FLAGS_RESERVED) !== 0) {
      note(problemFor(RESULT_CODE.INVALID_AVP_BITS, raw, `${name} has reserved flag bits set`));
      avps.push(raw);
      continue;
    }
    if (known === undefined) {
      if (header.mandatory) {
        note(problemFor(RESULT_CODE.AVP_UNSUPPORTED, raw, `${name} is not supported`));
      }
      avps.push(raw);
      continue;
    }
    if (known.def.mandatory === 'mustnot' && header.mandatory) {
      note(problemFor(RESULT_CODE.INVALID_AVP_BITS, raw, `${name} must not have the M bit`));
      avps.push(raw);
      continue;
    }
    const quoting = tolerant || known.name === 'Failed-AVP';
    const value = decodeValue(buf, data, known.def.type, depth, quoting, header, raw, name);
    if ('problem' in value) {
      note(value.problem);
      avps.push(raw);
      continue;
    }
    if (known.def.values !== undefined && typeof value.avp.value === 'number') {
      if (!known.def.values.includes(value.avp.value)) {
        note(problemFor(RESULT_CODE.INVALID_AVP_VALUE, raw, `${name} has an unknown value`));
        avps.push(raw);
        continue;
      }
    }
    avps.push(value.avp);
  }
  return { avps, problem };
}

type ValueResult = { readonly avp: Avp } | { readonly problem: DecodeProblem };

const FIXED_BYTES: Partial<Record<AvpType, number>> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Time: 4,
  Float32: 4,
  Integer64: 8,
  Unsigned64: 8,
  Float64: 8,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** DiameterIdentity and DiameterURI are ASCII (IDNs travel as punycode, RFC 6733 §4.3.1). */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function decodeValue(
  buf: Buffer,
  data: Buffer,
  type: AvpType,
  depth: number,
  tolerant: boolean,
  header: AvpHeader,
  raw: Avp,
  name: string,
): ValueResult {
  const fixed = FIXED_BYTES[type];
  if (fixed !== undefined && data.length !== fixed) {
    return {
      problem: problemFor(RESULT_CODE.INVALID_AVP_LENGTH, raw, `${name} must hold ${fixed} bytes`),
    };
  }
  const invalid = (why: string): ValueResult => ({
    problem: problemFor(RESULT_CODE.INVALID_AVP_VALUE, raw, `${name} ${why}`),
  });
  switch (type) {
    case 'OctetString':
      return { avp: { ...header, type, value: Uint8Array.from(data) } };
    case 'UTF8String':
      try {
        return { avp: { ...header, type, value: utf8.decode(data) } };
      } catch {
        return invalid('is not valid UTF-8');
      }
    case 'DiameterIdentity':
    case 'DiameterURI': {
      const text = data.toString('latin1');
      if (!PRINTABLE_ASCII.test(text)) return invalid('is not printable ASCII');
      return { avp: { ...header, type, value: text } };
    }
    case 'Integer32':
      return { avp: { ...header, type, value: data.readInt32BE(0) } };
    case 'Enumerated':
      return { avp: { ...header, type, value: data.readInt32BE(0) } };
    case 'Unsigned32':
      return { avp: { ...header, type, value: data.readUInt32BE(0) } };
    case 'Time':
      return { avp: { ...header, type, value: data.readUInt32BE(0) } };
    case 'Integer64':
      return { avp: { ...header, type, value: data.readBigInt64BE(0) } };
    case 'Unsigned64':
      return { avp: { ...header, type, value: data.readBigUInt64BE(0) } };
    case 'Float32':
      return { avp: { ...header, type, value: data.readFloatBE(0) } };
    case 'Float64':
      return { avp: { ...header, type, value: data.readDoubleBE(0) } };
    case 'Address': {
      if (data.length < 2) return invalid('is too short for an address');
      const family = data.readUInt16BE(0);
      const bytes = data.subarray(2);
      if (family === 1 && bytes.length === 4)
        return { avp: { ...header, type, value: formatIpv4(bytes) } };
      if (family === 2 && bytes.length === 16)
        return { avp: { ...header, type, value: formatIpv6(bytes) } };
      return invalid('is not an IPv4 or IPv6 address');
    }
    case 'Grouped': {
      if (depth + 1 >= diameterLimits.avpDepthMax) return invalid('nests too deep');
      const start = data.byteOffset - buf.byteOffset;
      const inner = decodeAvps(buf, start, start + data.length, depth + 1, tolerant);
      if (inner.problem !== null) {
        // Failed-AVP names the group down to the offending AVP (RFC 6733 §7.5).
        const failed = inner.problem.failedAvp;
        return {
          problem:
            failed === undefined
              ? inner.problem
              : { ...inner.problem, failedAvp: { ...header, type: 'Grouped', value: [failed] } },
        };
      }
      return { avp: { ...header, type, value: inner.avps } };
    }
  }
}

function problemFor(resultCode: number, failedAvp: Avp, errorMessage: string): DecodeProblem {
  return { resultCode, errorMessage, failedAvp };
}

/**
 * 5014 for an AVP whose length cannot be right. RFC 6733 §7.1.5: Failed-AVP carries the AVP
 * header with a zero-filled payload of the type's minimum size.
 */
function lengthProblem(
  header: AvpHeader,
  type: AvpType | null,
  errorMessage: string,
): DecodeProblem {
  const payload = type === null ? 0 : type === 'Address' ? 6 : (FIXED_BYTES[type] ?? 0);
  return {
    resultCode: RESULT_CODE.INVALID_AVP_LENGTH,
    errorMessage,
    failedAvp: { ...header, type: 'Unknown', value: new Uint8Array(payload) },
  };
}

/** The header fields that can be read from fewer bytes than a header, zero-filled. */
function partialHeader(buf: Buffer, offset: number, end: number): AvpHeader {
  const padded = Buffer.alloc(AVP_VENDOR_HEADER_BYTES);
  buf.copy(padded, 0, offset, end);
  const flagBits = padded.readUInt8(4);
  return {
    code: padded.readUInt32BE(0),
    vendorId: (flagBits & AVP_FLAG.vendor) !== 0 ? padded.readUInt32BE(8) : 0,
    mandatory: (flagBits & AVP_FLAG.mandatory) !== 0,
    protected: (flagBits & AVP_FLAG.protected) !== 0,
  };
}
