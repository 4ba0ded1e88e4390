/** Entity attributes in three scopes (client, shared, server), last write wins. */
import { CloudbridgeError } from '../../core/errors.ts';
import type { AttributeScope, KvValue } from '../../core/model.ts';
import { toKvColumns } from '../kv-columns.ts';
import type { AttributeValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteEntities } from './entities.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, kvParams, type KvParams, type KvRow } from './kv-params.ts';

interface AttributeRow extends KvRow {
  key: string;
  scope: AttributeScope;
  updated_at: number;
}

const UPSERT = `INSERT INTO attributes (entity_seq, scope, key, ${KV_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (entity_seq, scope, key) DO UPDATE SET ${KV_UPDATE}, updated_at = excluded.updated_at`;

const SCOPES: readonly AttributeScope[] = ['client', 'shared', 'server'];

function checkScope(scope: AttributeScope): void {
  if (!SCOPES.includes(scope)) throw new CloudbridgeError('CONFIG_INVALID', `attribute scope must be client, shared or server, not ${String(scope)}`, { field: 'scope' });
}

export class SqliteAttributes {
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;

  constructor(db: SqliteDatabase, entities: SqliteEntities) {
    this.#db = db;
    this.#entities = entities;
  }

  upsert(entitySeq: number, scope: AttributeScope, key: string, kv: KvParams, updatedAt: number): void {
    this.#db.prepare(UPSERT).run(entitySeq, scope, key, ...kv, updatedAt);
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
      for (const v of values) this.upsert(seq, scope, v.key, kvParams(toKvColumns(v.value)), now);
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
