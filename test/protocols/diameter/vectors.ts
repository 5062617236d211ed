import { avp, type DiameterMessage } from '../../../src/protocols/diameter/index.ts';

/** Hex with spaces, comments (`# …` to end of line) and newlines removed. */
export function hex(text: string): Buffer {
  const clean = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(clean, 'hex');
}

/**
 * A CER as freeDiameter would send it, worked out by hand from RFC 6733 §3 and §4.1: every AVP
 * is code (4) | flags (1) | length (3) | [vendor (4)] | data | padding to 4 bytes.
 */
export const CER_HEX = `
  01 000084                       # version 1, length 132
  80 000101                       # flags R, command 257 (Capabilities-Exchange)
  00000000                        # application 0
  11223344 55667788               # hop-by-hop, end-to-end
  00000108 40 00000f 66642e74657374 00                  # Origin-Host "fd.test", 15 + 1 pad
  00000128 40 00000c 74657374                           # Origin-Realm "test"
  00000101 40 00000e 0001 7f000001 0000                 # Host-IP-Address IPv4 127.0.0.1, 14 + 2 pad
  0000010a 40 00000c 00000000                           # Vendor-Id 0
  0000010d 00 00000a 6664 0000                          # Product-Name "fd" (no M bit), 10 + 2 pad
  00000102 40 00000c 00000004                           # Auth-Application-Id 4
  00000104 40 000020                                    # Vendor-Specific-Application-Id, 32
    0000010a 40 00000c 000028af                         #   Vendor-Id 10415
    00000102 40 00000c 00000004                         #   Auth-Application-Id 4
`;

export const CER_MESSAGE: DiameterMessage = {
  flags: { request: true, proxiable: false, error: false, retransmit: false },
  commandCode: 257,
  applicationId: 0,
  hopByHopId: 0x11223344,
  endToEndId: 0x55667788,
  avps: [
    avp('Origin-Host', 'fd.test'),
    avp('Origin-Realm', 'test'),
    avp('Host-IP-Address', '127.0.0.1'),
    avp('Vendor-Id', 0),
    avp('Product-Name', 'fd'),
    avp('Auth-Application-Id', 4),
    avp('Vendor-Specific-Application-Id', [avp('Vendor-Id', 10415), avp('Auth-Application-Id', 4)]),
  ],
};

/** A CCR-INITIAL with MSCC, a 3GPP vendor AVP (V bit), a 64-bit value and a Time. */
export const CCR_HEX = `
  01 000114                       # version 1, length 276
  c0 000110                       # flags R P, command 272 (Credit-Control)
  00000004                        # application 4
  00000001 00000002               # hop-by-hop, end-to-end
  00000107 40 00000b 733b31 00                          # Session-Id "s;1"
  00000108 40 00000a 7377 0000                          # Origin-Host "sw"
  00000128 40 000009 72 000000                          # Origin-Realm "r"
  0000011b 40 00000c 74657374                           # Destination-Realm "test"
  00000102 40 00000c 00000004                           # Auth-Application-Id 4
  000001cd 40 000016 3332323736403367 70702e6f7267 0000 # Service-Context-Id "32276@3gpp.org"
  000001a0 40 00000c 00000001                           # CC-Request-Type INITIAL
  0000019f 40 00000c 00000000                           # CC-Request-Number 0
  000001bb 40 000020                                    # Subscription-Id, 32
    000001c2 40 00000c 00000004                         #   Subscription-Id-Type END_USER_PRIVATE
    000001bc 40 00000b 746f6b 00                        #   Subscription-Id-Data "tok"
  000001c8 40 000028                                    # Multiple-Services-Credit-Control, 40
    000001b5 40 000014                                  #   Requested-Service-Unit, 20
      000001a4 40 00000c 00000258                       #     CC-Time 600
    000001b0 40 00000c 00000001                         #   Rating-Group 1
  00000369 c0 000028 000028af                           # Service-Information (V M, 10415), 40
    0000036c c0 00001c 000028af                         #   IMS-Information, 28
      00000340 c0 00000f 000028af 2b3832 00             #     Called-Party-Address "+82"
  000001be 40 000018                                    # Used-Service-Unit, 24
    000001a5 40 000010 0000000100000000                 #   CC-Total-Octets 2^32
  00000037 40 00000c ed003780                           # Event-Timestamp 2026-01-01T00:00:00Z
`;

export const CCR_MESSAGE: DiameterMessage = {
  flags: { request: true, proxiable: true, error: false, retransmit: false },
  commandCode: 272,
  applicationId: 4,
  hopByHopId: 1,
  endToEndId: 2,
  avps: [
    avp('Session-Id', 's;1'),
    avp('Origin-Host', 'sw'),
    avp('Origin-Realm', 'r'),
    avp('Destination-Realm', 'test'),
    avp('Auth-Application-Id', 4),
    avp('Service-Context-Id', '32276@3gpp.org'),
    avp('CC-Request-Type', 1),
    avp('CC-Request-Number', 0),
    avp('Subscription-Id', [avp('Subscription-Id-Type', 4), avp('Subscription-Id-Data', 'tok')]),
    avp('Multiple-Services-Credit-Control', [
      avp('Requested-Service-Unit', [avp('CC-Time', 600)]),
      avp('Rating-Group', 1),
    ]),
    avp('Service-Information', [avp('IMS-Information', [avp('Called-Party-Address', '+82')])]),
    avp('Used-Service-Unit', [avp('CC-Total-Octets', 4_294_967_296n)]),
    avp('Event-Timestamp', 0xed00_3780),
  ],
};
