import { DIAMETER_VERSION, HEADER_BYTES } from './constants.ts';
import { diameterLimits } from './diameter-limits.ts';

export type FrameResult =
  | { readonly ok: true; readonly frames: readonly Buffer[] }
  /** The stream is not Diameter (or exceeds our limit): RFC 6733 says close the connection. */
  | { readonly ok: false; readonly reason: string };

/**
 * Cuts a TCP byte stream into whole Diameter messages. One read may hold many messages, or a
 * part of one; every complete message is returned, in order (the bug the reference notes call
 * out in node-diameter is handling only the first).
 *
 * Pure: no I/O. Bytes are kept as a list of chunks and joined only when a message is complete,
 * so a large message arriving in many small reads is not copied again for every read.
 */
export class DiameterFramer {
  readonly #messageBytesMax: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #failed: string | null = null;

  constructor(messageBytesMax: number = diameterLimits.messageBytesMax) {
    this.#messageBytesMax = messageBytesMax;
  }

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): FrameResult {
    if (this.#failed !== null) return { ok: false, reason: this.#failed };
    if (chunk.length > 0) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#buffered === 0) break;
      const head = this.#peek(Math.min(4, this.#buffered));
      if (head.readUInt8(0) !== DIAMETER_VERSION) return this.#fail('version is not 1');
      if (head.length < 4) break;
      const length = head.readUIntBE(1, 3);
      if (length < HEADER_BYTES) return this.#fail('message length below the header size');
      if (length > this.#messageBytesMax) return this.#fail('message longer than the maximum');
      if (this.#buffered < length) break;
      frames.push(this.#take(length));
    }
    return { ok: true, frames };
  }

  #fail(reason: string): FrameResult {
    this.#failed = reason;
    this.#chunks = [];
    this.#buffered = 0;
    return { ok: false, reason };
  }

  /** The first `n` buffered bytes, without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.#chunks, this.#buffered).subarray(0, n);
  }

  /** Removes and returns the first `n` buffered bytes as one buffer of its own. */
  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0] : undefined;
    const joined = all ?? Buffer.concat(this.#chunks, this.#buffered);
    // Copy, so a kept message does not pin the whole socket read in memory.
    const frame = Buffer.from(joined.subarray(0, n));
    const rest = joined.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return frame;
  }
}
