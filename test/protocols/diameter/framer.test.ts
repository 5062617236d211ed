import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DiameterFramer,
  diameterLimits,
  encodeMessage,
} from '../../../src/protocols/diameter/index.ts';
import { CCR_MESSAGE, CER_HEX, hex } from './vectors.ts';

const ccrBytes = (n: number): Buffer => encodeMessage({ ...CCR_MESSAGE, hopByHopId: n });

describe('framing a TCP stream', () => {
  test('many messages in one read come out in order', () => {
    const framer = new DiameterFramer();
    const stream = Buffer.concat(Array.from({ length: 50 }, (_, i) => ccrBytes(i)));
    const result = framer.push(stream);
    assert.ok(result.ok);
    assert.equal(result.frames.length, 50);
    result.frames.forEach((frame, i) => assert.equal(frame.readUInt32BE(12), i));
    assert.equal(framer.bufferedBytes, 0);
  });

  test('a message split into single bytes comes out once, when complete', () => {
    const framer = new DiameterFramer();
    const bytes = hex(CER_HEX);
    const frames: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const result = framer.push(bytes.subarray(i, i + 1));
      assert.ok(result.ok);
      frames.push(...result.frames);
      if (i < bytes.length - 1) assert.equal(frames.length, 0);
    }
    assert.deepEqual(frames, [bytes]);
  });

  test('a read that ends one message and starts the next', () => {
    const framer = new DiameterFramer();
    const stream = Buffer.concat([ccrBytes(1), ccrBytes(2)]);
    const first = framer.push(stream.subarray(0, 300));
    assert.ok(first.ok);
    assert.equal(first.frames.length, 1);
    assert.equal(framer.bufferedBytes, 300 - 276);
    const second = framer.push(stream.subarray(300));
    assert.ok(second.ok);
    assert.equal(second.frames[0]?.readUInt32BE(12), 2);
  });

  const broken: [string, Buffer][] = [
    ['version 2', Buffer.from([2, 0, 0, 20])],
    ['length below the header size', Buffer.from([1, 0, 0, 19])],
    ['length above the maximum', Buffer.from([1, 0x01, 0x00, 0x01])],
  ];
  for (const [name, bytes] of broken) {
    test(`${name} fails the stream for good`, () => {
      const framer = new DiameterFramer();
      const result = framer.push(bytes);
      assert.equal(result.ok, false);
      assert.equal(framer.push(ccrBytes(1)).ok, false, 'nothing after a framing error is trusted');
    });
  }

  test('the version is checked from the first byte, before the length arrives', () => {
    assert.equal(new DiameterFramer().push(Buffer.from([0x47])).ok, false); // "G" of "GET /"
  });

  test('the maximum is a named limit, and a message of exactly that size passes', () => {
    const framer = new DiameterFramer();
    const max = diameterLimits.messageBytesMax;
    const header = Buffer.alloc(4);
    header.writeUInt32BE(max, 0);
    header[0] = 1;
    const result = framer.push(Buffer.concat([header, Buffer.alloc(max - 4)]));
    assert.ok(result.ok);
    assert.equal(result.frames.length, 1);
  });
});
