/** Entity attributes in three scopes (client, shared, server), last write wins. */
import { CloudbridgeError } from '../../core/errors.ts';
import type { AttributeScope, KvValue } from '../../core/model.ts';
import { toKvColumns, type KvColumns } from '../kv-columns.ts';
import type { AttributeValue } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';
import type { PostgresEntities } from './entities.ts';
import { KV_COLUMNS, KV_UPDATE, KvArrays, kvFromRow, kvUnnest, type KvRow } from './kv-arrays.ts';

interface AttributeRow extends KvRow {
  key: string;
  scope: AttributeScope;
  updated_at: number;
}

/**
 * Attribute writes of one transaction, coalesced per (entity, key) in one scope: the last write
 * wins, which leaves the same rows as writing each one in turn (they share one `updatedAt`), and
 * keeps the upsert from touching a row twice.
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
