/**
 * Strings interned to small integers in a table `(id INTEGER PRIMARY KEY, <column> TEXT NOT NULL
 * UNIQUE)` (telemetry key names, integration ids of dedupe keys), with a bounded in-memory cache.
 * As with entities, the cache only holds committed rows: ids created by a transaction go to the
 * caller's `pending` map and are published after COMMIT, so a rollback leaves no phantom ids.
 */
import { EntityCache } from '../entity-cache.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteDictionary {
  readonly #db: SqliteDatabase;
  readonly #select: string;
  readonly #insert: string;
  /** The same bounded string → integer map as the entity cache. */
  readonly #cache: EntityCache;

  constructor(db: SqliteDatabase, table: string, column: string, maxCached = 100_000) {
    this.#db = db;
    this.#select = `SELECT id FROM ${table} WHERE ${column} = ?`;
    this.#insert = `INSERT INTO ${table} (${column}) VALUES (?)`;
    this.#cache = new EntityCache(maxCached);
  }

  /** The id of `text`, or undefined when it was never interned. */
  find(text: string, pending?: Map<string, number>): number | undefined {
    const known = pending?.get(text) ?? this.#cache.get(text);
    if (known !== undefined) return known;
    const row = this.#db.prepare(this.#select).get(text) as { id: number } | undefined;
    if (row !== undefined) pending?.set(text, row.id);
    return row?.id;
  }

  /** The id of `text`, inserted when missing; the caller provides the transaction. */
  intern(text: string, pending: Map<string, number>): number {
    const known = this.find(text, pending);
    if (known !== undefined) return known;
    const id = Number(this.#db.prepare(this.#insert).run(text).lastInsertRowid);
    pending.set(text, id);
    return id;
  }

  /** Call after COMMIT with the ids the transaction resolved or created. */
  publish(pending: Map<string, number>): void {
    this.#cache.publish(pending);
  }
}
