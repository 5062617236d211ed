import type { Executor } from '../storage/index.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { buildTariff } from './tariff-build.ts';
import { readTariff } from './tariff-store.ts';
import type { Tariff } from './types.ts';

/**
 * Decoded tariff versions. A version never changes once stored, so a cached version is never
 * stale; what changes is which version is the latest, and callers ask the database for that on
 * every load (one primary-key lookup), so an import by another process is seen at once.
 * Concurrent loads of one version share one read.
 */
export class TariffCache {
  readonly #versions = new Map<number, Promise<Tariff | null>>();

  get(executor: Executor, version: number): Promise<Tariff | null> {
    const cached = this.#versions.get(version);
    if (cached !== undefined) {
      // Refresh its place in the eviction order (oldest first).
      this.#versions.delete(version);
      this.#versions.set(version, cached);
      return cached;
    }
    const loading = readTariff(executor, version).then(
      (draft) => (draft === null ? null : buildTariff(version, draft)),
      (error: unknown) => {
        this.#versions.delete(version);
        throw error;
      },
    );
    this.#versions.set(version, loading);
    while (this.#versions.size > CHARGING_LIMITS.tariffCacheMax) {
      const oldest = this.#versions.keys().next();
      if (oldest.done === true) break;
      this.#versions.delete(oldest.value);
    }
    return loading;
  }

  /** Forgets every version (after an import, so memory goes to the new one). */
  invalidate(): void {
    this.#versions.clear();
  }

  get size(): number {
    return this.#versions.size;
  }
}
