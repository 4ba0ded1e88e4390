/** Entity attributes in three scopes (client, shared, server), last write wins. */
import type { SQLInputValue } from 'node:sqlite';
import { CloudbridgeError } from '../../core/errors.ts';
import type { AttributeScope, KvValue } from '../../core/model.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { checkScope } from '../input-checks.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, toKvColumns, type KvRow } from '../kv-columns.ts';
import type { AttributeValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteEntities } from './entities.ts';
import { pushKv } from './kv-params.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

interface AttributeRow extends KvRow {
  key: string;
  scope: AttributeScope;
  updated_at: number;
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
