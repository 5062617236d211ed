import { assert } from '../../kernel/index.ts';
import type { Avp, DiameterMessage } from './avp.ts';
import {
  AVP_FLAG,
  AVP_HEADER_BYTES,
  AVP_VENDOR_HEADER_BYTES,
  DIAMETER_VERSION,
  HEADER_BYTES,
  HEADER_FLAG,
} from './constants.ts';
import { diameterLimits } from './diameter-limits.ts';
import { addressBytes } from './ip-address.ts';

/**
 * Message → bytes. Values come from our own code, so a value that does not fit its type is a
 * programming error and fails an assertion rather than producing a bad frame.
 */
export function encodeMessage(message: DiameterMessage): Buffer {
  const body = Buffer.concat(message.avps.map(encodeAvp));
  const length = HEADER_BYTES + body.length;
  assert(length <= diameterLimits.messageBytesMax, `message of ${length} bytes is too large`);
  assertUint32(message.commandCode, 'command code');
  assert(message.commandCode <= 0xff_ffff, 'command code fits 24 bits');
  assertUint32(message.applicationId, 'application id');
  assertUint32(message.hopByHopId, 'hop-by-hop id');
  assertUint32(message.endToEndId, 'end-to-end id');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(length, 0);
  header.writeUInt8(DIAMETER_VERSION, 0);
  const { flags } = message;
  header.writeUInt32BE(message.commandCode, 4);
  header.writeUInt8(
    (flags.request ? HEADER_FLAG.request : 0) |
      (flags.proxiable ? HEADER_FLAG.proxiable : 0) |
      (flags.error ? HEADER_FLAG.error : 0) |
      (flags.retransmit ? HEADER_FLAG.retransmit : 0),
    4,
  );
  header.writeUInt32BE(message.applicationId, 8);
  header.writeUInt32BE(message.hopByHopId, 12);
  header.writeUInt32BE(message.endToEndId, 16);
  return Buffer.concat([header, body]);
}

/** One AVP with its header and padding to a multiple of four bytes. */
export function encodeAvp(avp: Avp): Buffer {
  const data = encodeValue(avp);
  assertUint32(avp.code, 'AVP code');
  assertUint32(avp.vendorId, 'Vendor-Id');
  const vendor = avp.vendorId !== 0;
  const headerBytes = vendor ? AVP_VENDOR_HEADER_BYTES : AVP_HEADER_BYTES;
  const length = headerBytes + data.length;
  assert(length <= 0xff_ffff, 'AVP length fits 24 bits');
  const padded = Buffer.alloc((length + 3) & ~3);
  padded.writeUInt32BE(avp.code, 0);
  padded.writeUInt32BE(length, 4);
  padded.writeUInt8(
    (vendor ? AVP_FLAG.vendor : 0) |
      (avp.mandatory ? AVP_FLAG.mandatory : 0) |
      (avp.protected ? AVP_FLAG.protected : 0),
    4,
  );
  if (vendor) padded.writeUInt32BE(avp.vendorId, 8);
  data.copy(padded, headerBytes);
  return padded;
}

function encodeValue(avp: Avp): Buffer {
  switch (avp.type) {
    case 'OctetString':
    case 'Unknown':
      return Buffer.from(avp.value);
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      return Buffer.from(avp.value, 'utf8');
    case 'Integer32':
    case 'Enumerated': {
      assert(
        Number.isInteger(avp.value) && avp.value >= -0x8000_0000 && avp.value <= 0x7fff_ffff,
        `AVP ${avp.code}: ${avp.value} is not an Integer32`,
      );
      const out = Buffer.alloc(4);
      out.writeInt32BE(avp.value, 0);
      return out;
    }
    case 'Unsigned32':
    case 'Time': {
      assertUint32(avp.value, `AVP ${avp.code}`);
      const out = Buffer.alloc(4);
      out.writeUInt32BE(avp.value, 0);
      return out;
    }
    case 'Integer64': {
      assert(BigInt.asIntN(64, avp.value) === avp.value, `AVP ${avp.code}: not an Integer64`);
      const out = Buffer.alloc(8);
      out.writeBigInt64BE(avp.value, 0);
      return out;
    }
    case 'Unsigned64': {
      assert(BigInt.asUintN(64, avp.value) === avp.value, `AVP ${avp.code}: not an Unsigned64`);
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(avp.value, 0);
      return out;
    }
    case 'Float32': {
      const out = Buffer.alloc(4);
      out.writeFloatBE(avp.value, 0);
      return out;
    }
    case 'Float64': {
      const out = Buffer.alloc(8);
      out.writeDoubleBE(avp.value, 0);
      return out;
    }
    case 'Address': {
      const address = addressBytes(avp.value);
      assert(address !== null, `AVP ${avp.code}: not an IPv4 or IPv6 address`);
      const out = Buffer.alloc(2 + address.bytes.length);
      out.writeUInt16BE(address.family, 0);
      out.set(address.bytes, 2);
      return out;
    }
    case 'Grouped':
      return Buffer.concat(avp.value.map(encodeAvp));
  }
}

function assertUint32(value: number, what: string): void {
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `${what} is not a uint32`);
}
