/** Devices and assets: batched lookup and race-safe creation (ingest), and listing. */
import type { EntityKind } from '../../core/model.ts';
import { ENTITY_COLUMNS as COLUMNS, toEntity, type EntityRow } from '../rows.ts';
import type { Entity, EntityQuery } from '../types.ts';
import type { Sql } from './database.ts';

/** An entity's internal key (`seq`) by kind and name. */
export interface EntitySeq {
  kind: EntityKind;
  name: string;
  seq: number;
}

export class PostgresEntities {
  readonly #sql: () => Sql;

  constructor(sql: () => Sql) {
    this.#sql = sql;
  }

  /** The internal keys of those of the (kind, name) pairs that exist. */
  async findSeqs(sql: Sql, kinds: EntityKind[], names: string[]): Promise<EntitySeq[]> {
    if (kinds.length === 0) return [];
    return sql.rows<EntitySeq>(`SELECT e.kind, e.name, e.seq FROM entities e
      JOIN unnest($1::text[], $2::text[]) AS w (kind, name) ON e.kind = w.kind AND e.name = w.name`, [kinds, names]);
  }

  /**
   * Inserts the entities that do not exist yet and returns the keys of those THIS statement
   * created. A row another transaction inserts concurrently makes the insert wait for it and then
   * skip it (ON CONFLICT DO NOTHING): the caller selects those afterwards with `findSeqs`.
   */
  async insertMissing(sql: Sql, rows: Entity[]): Promise<EntitySeq[]> {
    if (rows.length === 0) return [];
    const col = <K extends keyof Entity>(k: K): Array<Entity[K]> => rows.map((r) => r[k]);
    return sql.rows<EntitySeq>(`INSERT INTO entities (${COLUMNS})
      SELECT ${COLUMNS} FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
        WITH ORDINALITY AS r (${COLUMNS}, ord) ORDER BY ord
      ON CONFLICT (kind, name) DO NOTHING RETURNING kind, name, seq`, [
      col('id'), col('kind'), col('name'), col('type'), col('label'), col('customerName'), col('groupName'),
      col('createdByIntegrationId'), col('createdAt'),
    ]);
  }

  /** The internal key (`seq`) of an entity by its public id. */
  async seqOf(id: string, sql: Sql = this.#sql()): Promise<number | undefined> {
    return (await sql.one<{ seq: number }>('SELECT seq FROM entities WHERE id = $1', [id]))?.seq;
  }

  /** Forgets which integration created entities (the integration is being deleted). */
  async detachIntegration(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('UPDATE entities SET created_by_integration_id = NULL WHERE created_by_integration_id = $1', [integrationId]);
  }

  async getEntity(kind: EntityKind, name: string): Promise<Entity | null> {
    const row = await this.#sql().one<EntityRow>(`SELECT ${COLUMNS} FROM entities WHERE kind = $1 AND name = $2`, [kind, name]);
    return row === undefined ? null : toEntity(row);
  }

  /** Ordered by name (then kind); `search` is a case-insensitive substring of the name. */
  async listEntities(q: EntityQuery): Promise<{ items: Entity[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (q.kind !== undefined) where.push(`kind = ${param(q.kind)}`);
    if (q.type !== undefined) where.push(`type = ${param(q.type)}`);
    if (q.search !== undefined && q.search !== '') where.push(`strpos(lower(name), lower(${param(q.search)})) > 0`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const sql = this.#sql();
    const total = (await sql.one<{ n: number }>(`SELECT count(*)::bigint AS n FROM entities ${clause}`, params))?.n ?? 0;
    const rows = await sql.rows<EntityRow>(`SELECT ${COLUMNS} FROM entities ${clause} ORDER BY name, kind
      LIMIT ${param(q.limit ?? null)} OFFSET ${param(q.offset ?? 0)}`, params);
    return { items: rows.map(toEntity), total };
  }
}
