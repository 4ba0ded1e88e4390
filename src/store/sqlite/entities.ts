/** Devices and assets: lookup, creation (by the ingest path) and listing. */
import type { EntityKind } from '../../core/model.ts';
import { ENTITY_COLUMNS as COLUMNS, toEntity, type EntityRow } from '../rows.ts';
import type { Entity, EntityQuery } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteEntities {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** The internal key (`seq`) of an entity by kind and name. */
  findSeq(kind: EntityKind, name: string): number | undefined {
    const row = this.#db.prepare('SELECT seq FROM entities WHERE kind = ? AND name = ?').get(kind, name) as { seq: number } | undefined;
    return row?.seq;
  }

  /** The internal key (`seq`) of an entity by its public id. */
  seqOf(id: string): number | undefined {
    const row = this.#db.prepare('SELECT seq FROM entities WHERE id = ?').get(id) as { seq: number } | undefined;
    return row?.seq;
  }

  /** Inserts an entity and returns its internal key. */
  insert(e: Entity): number {
    const { lastInsertRowid } = this.#db.prepare(`INSERT INTO entities (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      e.id, e.kind, e.name, e.type, e.label, e.customerName, e.groupName, e.createdByIntegrationId, e.createdAt);
    return Number(lastInsertRowid);
  }

  /** Forgets which integration created entities (the integration is being deleted). */
  detachIntegration(integrationId: string): void {
    this.#db.prepare('UPDATE entities SET created_by_integration_id = NULL WHERE created_by_integration_id = ?').run(integrationId);
  }

  getEntity(kind: EntityKind, name: string): Entity | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM entities WHERE kind = ? AND name = ?`).get(kind, name) as EntityRow | undefined;
    return row === undefined ? null : toEntity(row);
  }

  /** Ordered by name (then kind); `search` is a case-insensitive substring of the name. */
  listEntities(q: EntityQuery): { items: Entity[]; total: number } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (q.kind !== undefined) { where.push('kind = ?'); params.push(q.kind); }
    if (q.type !== undefined) { where.push('type = ?'); params.push(q.type); }
    if (q.search !== undefined && q.search !== '') { where.push('instr(lower(name), lower(?)) > 0'); params.push(q.search); }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM entities ${clause}`).get(...params) as { n: number }).n;
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM entities ${clause} ORDER BY name, kind LIMIT ? OFFSET ?`)
      .all(...params, q.limit ?? -1, q.offset ?? 0) as unknown as EntityRow[];
    return { items: rows.map(toEntity), total };
  }
}
