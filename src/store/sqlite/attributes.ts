/** Entity attributes in three scopes (client, shared, server), last write wins. */
import type { SQLInputValue } from 'node:sqlite';
import { CloudbridgeError } from '../../core/errors.ts';
import type { AttributeScope, KvValue } from '../../core/model.ts';
import { toKvColumns, type KvColumns } from '../kv-columns.ts';
import type { AttributeValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteEntities } from './entities.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, pushKv, type KvRow } from './kv-params.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

interface AttributeRow extends KvRow {
  key: string;
  scope: AttributeScope;
  updated_at: number;
}

/**
 * Attribute writes of one transaction, coalesced per (entity, scope, key): the last write wins,
 * which leaves the same rows as writing each one in turn (they share one `updatedAt`).
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

const SCOPES: readonly AttributeScope[] = ['client', 'shared', 'server'];

function checkScope(scope: AttributeScope): void {
  if (!SCOPES.includes(scope)) throw new CloudbridgeError('CONFIG_INVALID', `attribute scope must be client, shared or server, not ${String(scope)}`, { field: 'scope' });
}

export class SqliteAttributes {
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;
  readonly #upsert: MultiRowInsert;

  constructor(db: SqliteDatabase, entities: SqliteEntities) {
    this.#db = db;
    this.#entities = entities;
    this.#upsert = new MultiRowInsert(db, {
      head: `INSERT INTO attributes (entity_seq, scope, key, ${KV_COLUMNS}, updated_at)`, columns: 10,
      tail: `ON CONFLICT (entity_seq, scope, key) DO UPDATE SET ${KV_UPDATE}, updated_at = excluded.updated_at`,
    });
  }

  /** Upserts the coalesced writes; the caller provides the transaction. */
  write(writes: AttributeWrites, updatedAt: number): void {
    const rows = new RowBuffer(this.#upsert);
    const values: SQLInputValue[] = rows.values;
    for (const [entitySeq, keys] of writes.entries()) {
      for (const [key, kv] of keys) {
        values.push(entitySeq, writes.scope, key);
        pushKv(values, kv);
        values.push(updatedAt);
        rows.endRow();
      }
    }
    rows.flush();
  }

  /** Ordered by scope, then key. */
  listAttributes(entityId: string, scope?: AttributeScope): AttributeValue[] {
    const seq = this.#entities.seqOf(entityId);
    if (seq === undefined) return [];
    const rows = (scope === undefined
      ? this.#db.prepare(`SELECT key, scope, ${KV_COLUMNS}, updated_at FROM attributes WHERE entity_seq = ? ORDER BY scope, key`).all(seq)
      : this.#db.prepare(`SELECT key, scope, ${KV_COLUMNS}, updated_at FROM attributes WHERE entity_seq = ? AND scope = ? ORDER BY key`).all(seq, scope)
    ) as unknown as AttributeRow[];
    return rows.map((r) => ({ key: r.key, scope: r.scope, value: kvFromRow(r), updatedAt: r.updated_at }));
  }

  /** Throws NOT_FOUND when the entity does not exist. */
  setAttributes(entityId: string, scope: AttributeScope, values: Array<{ key: string; value: KvValue }>): void {
    checkScope(scope);
    const now = Date.now();
    this.#db.transaction(() => {
      const seq = this.#entities.seqOf(entityId);
      if (seq === undefined) throw new CloudbridgeError('NOT_FOUND', `entity ${entityId} not found`);
      const writes = new AttributeWrites(scope);
      for (const v of values) writes.set(seq, v.key, toKvColumns(v.value));
      this.write(writes, now);
    });
  }

  deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): void {
    checkScope(scope);
    const seq = this.#entities.seqOf(entityId);
    if (seq === undefined) return;
    const stmt = this.#db.prepare('DELETE FROM attributes WHERE entity_seq = ? AND scope = ? AND key = ?');
    this.#db.transaction(() => {
      for (const key of keys) stmt.run(seq, scope, key);
    });
  }
}
