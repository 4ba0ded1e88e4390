/**
 * In-memory (kind, name) → entity key (`entities.seq`) map for the ingest hot path. It only
 * ever holds committed rows: a transaction collects what it resolved or created on the side and
 * publishes it after COMMIT, so a rollback leaves no phantom entities behind.
 */
import type { EntityKind } from '../core/model.ts';

export function entityCacheKey(kind: EntityKind, name: string): string {
  return `${kind}\u0000${name}`;
}

/** The store options that size the cache. */
export interface EntityCacheOptions {
  /** Bound of the in-memory entity name → id cache. Default 100 000. */
  entityCacheSize?: number;
}

export class EntityCache {
  readonly #seqs = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#seqs.size;
  }

  get(key: string): number | undefined {
    return this.#seqs.get(key);
  }

  /** Adds committed entities; the oldest entries are evicted past the bound. */
  publish(entries: Iterable<[string, number]>): void {
    for (const [key, seq] of entries) {
      if (this.#seqs.has(key)) continue;
      if (this.#seqs.size >= this.#maxEntries) {
        const oldest = this.#seqs.keys().next();
        if (oldest.done !== true) this.#seqs.delete(oldest.value);
      }
      this.#seqs.set(key, seq);
    }
  }

  clear(): void {
    this.#seqs.clear();
  }
}
