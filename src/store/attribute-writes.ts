/** The attribute writes of one transaction, as both SQL stores upsert them. */
import type { AttributeScope } from '../core/model.ts';
import type { KvColumns } from './kv-columns.ts';

/**
 * Attribute writes of one transaction, coalesced per (entity, key) in one scope: the last write
 * wins, which leaves the same rows as writing each one in turn (they share one `updatedAt`), and
 * keeps an upsert from touching a row twice.
 */
export class AttributeWrites {
  readonly scope: AttributeScope;
  readonly #byEntity = new Map<number, Map<string, KvColumns>>();

  constructor(scope: AttributeScope) {
    this.scope = scope;
  }

  set(entitySeq: number, key: string, value: KvColumns): void {
    let keys = this.#byEntity.get(entitySeq);
    if (keys === undefined) {
      keys = new Map();
      this.#byEntity.set(entitySeq, keys);
    }
    keys.set(key, value);
  }

  entries(): IterableIterator<[number, Map<string, KvColumns>]> {
    return this.#byEntity.entries();
  }
}
