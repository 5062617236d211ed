import { randomInt } from 'node:crypto';

/**
 * Hop-by-hop and end-to-end ids for the requests we send ourselves (DWR, DPR). RFC 6733 §3: the
 * end-to-end id's high 12 bits are the low 12 bits of the current time in seconds and the low
 * 20 bits start random and count up, so ids stay unique across restarts for the 4 minutes the
 * RFC asks.
 */
export class MessageIds {
  #hopByHop: number;
  #endToEnd: number;
  readonly #startSeconds: number;

  constructor(nowMs: number, random: (maxExclusive: number) => number = randomInt) {
    this.#hopByHop = random(0x1_0000_0000);
    this.#endToEnd = random(0x10_0000);
    this.#startSeconds = Math.floor(nowMs / 1_000);
  }

  next(): { hopByHopId: number; endToEndId: number } {
    this.#hopByHop = (this.#hopByHop + 1) >>> 0;
    this.#endToEnd = (this.#endToEnd + 1) & 0xf_ffff;
    return {
      hopByHopId: this.#hopByHop,
      endToEndId: (((this.#startSeconds & 0xfff) << 20) | this.#endToEnd) >>> 0,
    };
  }
}
