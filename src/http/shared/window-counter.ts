/**
 * A fixed-window request counter per key (an API key id), for limits that need to know who is
 * calling, which the per-IP limiter in front of authentication cannot. Bounded: when full, the
 * oldest windows are dropped.
 */
export class WindowCounter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly keysMax = 100_000,
  ) {}

  /** Counts one request; returns the seconds to wait when over the limit, else null. */
  hit(key: string, nowMs: number): number | null {
    let w = this.#windows.get(key);
    if (w === undefined || nowMs - w.startMs >= this.windowMs) {
      if (this.#windows.size >= this.keysMax) {
        const oldest = this.#windows.keys().next();
        if (oldest.done !== true) this.#windows.delete(oldest.value);
      }
      w = { startMs: nowMs, count: 0 };
      this.#windows.delete(key);
      this.#windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= this.max) return null;
    return Math.max(1, Math.ceil((w.startMs + this.windowMs - nowMs) / 1000));
  }
}
