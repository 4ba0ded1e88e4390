/** Entity attributes in three scopes (client, shared, server), last write wins. */
import { CloudbridgeError } from '../../core/errors.ts';
import type { AttributeScope, KvValue } from '../../core/model.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { checkScope } from '../input-checks.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, toKvColumns, type KvRow } from '../kv-columns.ts';
import type { AttributeValue } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';
import type { PostgresEntities } from './entities.ts';
import { KvArrays, kvUnnest } from './kv-arrays.ts';

interface AttributeRow extends KvRow {
  key: string;
  scope: AttributeScope;
  updated_at: number;
}

export class PostgresAttributes {
  readonly #db: PostgresDatabase;
  readonly #entities: PostgresEntities;

  constructor(db: PostgresDatabase, entities: PostgresEntities) {
    this.#db = db;
    this.#entities = entities;
  }

  /** Upserts the coalesced writes in one statement; the caller provides the transaction. */
  async write(sql: Sql, writes: AttributeWrites, updatedAt: number): Promise<void> {
    const seqs: number[] = [];
    const keys: string[] = [];
    const kv = new KvArrays();
    // In key order, so concurrent writers lock shared rows in the same order.
    for (const [entitySeq, byKey] of [...writes.entries()].sort(([a], [b]) => a - b)) {
      for (const [key, value] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        seqs.push(entitySeq);
        keys.push(key);
        kv.push(value);
      }
    }
    if (seqs.length === 0) return;
    await sql.run(`INSERT INTO attributes (entity_seq, scope, key, ${KV_COLUMNS}, updated_at)
      SELECT s, $1, k, vt, b, l, d, st, j, $2 FROM unnest($3::bigint[], $4::text[], ${kvUnnest(5)}) AS r (s, k, vt, b, l, d, st, j)
      ON CONFLICT (entity_seq, scope, key) DO UPDATE SET ${KV_UPDATE}, updated_at = excluded.updated_at`,
    [writes.scope, updatedAt, seqs, keys, ...kv.params()]);
  }

  /** Ordered by scope, then key. */
  async listAttributes(entityId: string, scope?: AttributeScope): Promise<AttributeValue[]> {
    const sql = this.#db.sql;
    const seq = await this.#entities.seqOf(entityId, sql);
    if (seq === undefined) return [];
    const rows = scope === undefined
      ? await sql.rows<AttributeRow>(`SELECT key, scope, ${KV_COLUMNS}, updated_at FROM attributes WHERE entity_seq = $1 ORDER BY scope, key`, [seq])
      : await sql.rows<AttributeRow>(`SELECT key, scope, ${KV_COLUMNS}, updated_at FROM attributes WHERE entity_seq = $1 AND scope = $2 ORDER BY key`, [seq, scope]);
    return rows.map((r) => ({ key: r.key, scope: r.scope, value: kvFromRow(r), updatedAt: r.updated_at }));
  }

  /** Throws NOT_FOUND when the entity does not exist. */
  async setAttributes(entityId: string, scope: AttributeScope, values: Array<{ key: string; value: KvValue }>): Promise<void> {
    checkScope(scope);
    const now = Date.now();
    await this.#db.transaction(async (sql) => {
      const writes = new AttributeWrites(scope);
      const seq = await this.#entities.seqOf(entityId, sql);
      if (seq === undefined) throw new CloudbridgeError('NOT_FOUND', `entity ${entityId} not found`);
      for (const v of values) writes.set(seq, v.key, toKvColumns(v.value));
      await this.write(sql, writes, now);
    });
  }

  async deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): Promise<void> {
    checkScope(scope);
    const sql = this.#db.sql;
    const seq = await this.#entities.seqOf(entityId, sql);
    if (seq === undefined || keys.length === 0) return;
    await sql.run('DELETE FROM attributes WHERE entity_seq = $1 AND scope = $2 AND key = ANY ($3::text[])', [seq, scope, keys]);
  }
}
