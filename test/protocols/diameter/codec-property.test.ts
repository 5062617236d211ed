import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DICTIONARY,
  DiameterFramer,
  decodeMessage,
  encodeMessage,
  lookupAvp,
  type Avp,
  type AvpDefinition,
  type AvpName,
  type DiameterMessage,
} from '../../../src/protocols/diameter/index.ts';
import { formatIpv4, formatIpv6 } from '../../../src/protocols/diameter/ip-address.ts';

/**
 * encode → decode is the identity for every AVP tree the dictionary allows, and decoding never
 * throws, whatever the bytes.
 */
const NAMES = Object.keys(DICTIONARY) as AvpName[];
const LEAF_NAMES = NAMES.filter((name) => DICTIONARY[name].type !== 'Grouped');
const GROUP_NAMES = NAMES.filter((name) => DICTIONARY[name].type === 'Grouped');

const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** Records with a normal prototype, so deepEqual compares them with decoded objects. */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });

function valueOf(def: AvpDefinition): fc.Arbitrary<unknown> {
  switch (def.type) {
    case 'OctetString':
      return fc.uint8Array({ maxLength: 24 });
    case 'UTF8String':
      return fc.string({ unit: 'binary', maxLength: 16 });
    case 'DiameterIdentity':
    case 'DiameterURI':
      return fc.stringMatching(/^[\x21-\x7e]{1,24}$/);
    case 'Integer32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'Enumerated':
      return def.values === undefined
        ? fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })
        : fc.constantFrom(...def.values);
    case 'Unsigned32':
    case 'Time':
      return uint32;
    case 'Integer64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'Unsigned64':
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case 'Float32':
      return fc.float({ noNaN: true });
    case 'Float64':
      return fc.double({ noNaN: true });
    case 'Address':
      return fc.oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIpv4),
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIpv6),
      );
    case 'Grouped':
      return fc.constant([]);
  }
}

const flagsFor = (def: AvpDefinition) =>
  record({
    mandatory: def.mandatory === 'mustnot' ? fc.constant(false) : fc.boolean(),
    protected: fc.boolean(),
  });

const leaf: fc.Arbitrary<Avp> = fc.constantFrom(...LEAF_NAMES).chain((name) => {
  const def: AvpDefinition = DICTIONARY[name];
  return fc
    .tuple(flagsFor(def), valueOf(def))
    .map(
      ([flags, value]) =>
        ({ code: def.code, vendorId: def.vendorId, ...flags, type: def.type, value }) as Avp,
    );
});

/** AVPs we do not know, without the M bit: kept raw. */
const unknown: fc.Arbitrary<Avp> = fc
  .record({
    code: fc.integer({ min: 100_000, max: 0xffff_ffff }),
    vendorId: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffff_ffff })),
    protected: fc.boolean(),
    value: fc.uint8Array({ maxLength: 24 }),
  })
  .filter((r) => lookupAvp(r.code, r.vendorId) === undefined)
  .map((r) => ({ ...r, mandatory: false, type: 'Unknown' as const }));

const { tree } = fc.letrec<{ tree: Avp }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    unknown,
    fc
      .tuple(fc.constantFrom(...GROUP_NAMES), fc.boolean(), fc.array(tie('tree'), { maxLength: 4 }))
      .map(([name, protectedBit, children]) => {
        const def = DICTIONARY[name];
        return {
          code: def.code,
          vendorId: def.vendorId,
          mandatory: true,
          protected: protectedBit,
          type: 'Grouped' as const,
          value: children,
        };
      }),
  ),
}));

const message: fc.Arbitrary<DiameterMessage> = record({
  flags: fc.oneof(
    record({
      request: fc.constant(true),
      proxiable: fc.boolean(),
      error: fc.constant(false),
      retransmit: fc.boolean(),
    }),
    record({
      request: fc.constant(false),
      proxiable: fc.boolean(),
      error: fc.boolean(),
      retransmit: fc.constant(false),
    }),
  ),
  commandCode: fc.integer({ min: 0, max: 0xff_ffff }),
  applicationId: uint32,
  hopByHopId: uint32,
  endToEndId: uint32,
  avps: fc.array(tree, { maxLength: 12 }),
});

test('encode → decode round trip for random AVP trees (fast-check)', () => {
  fc.assert(
    fc.property(message, (m) => {
      const result = decodeMessage(encodeMessage(m));
      assert.deepEqual(result, { kind: 'message', message: m, problem: null });
    }),
    { numRuns: 500 },
  );
});

test('decoding never throws on corrupted messages (fast-check)', () => {
  fc.assert(
    fc.property(
      message,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (m, flips) => {
        const bytes = encodeMessage(m);
        for (const [at, value] of flips) {
          // keep the frame header consistent so the AVP walker is what gets exercised
          const index = 20 + (at % Math.max(1, bytes.length - 20));
          if (index < bytes.length) bytes[index] = value;
        }
        const result = decodeMessage(bytes);
        assert.ok(result.kind === 'message' || result.kind === 'unframed');
      },
    ),
    { numRuns: 500 },
  );
});

test('the framer returns the same messages however the stream is cut (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (messages, cuts) => {
        const stream = Buffer.concat(messages.map(encodeMessage));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const framer = new DiameterFramer();
        const frames: Buffer[] = [];
        let from = 0;
        for (const to of [...points, stream.length]) {
          const result = framer.push(stream.subarray(from, to));
          assert.ok(result.ok);
          frames.push(...result.frames);
          from = to;
        }
        assert.deepEqual(
          frames.map((f) => f.toString('hex')),
          messages.map((m) => encodeMessage(m).toString('hex')),
        );
        assert.equal(framer.bufferedBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});
