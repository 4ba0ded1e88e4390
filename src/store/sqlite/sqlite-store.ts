/**
 * The embedded SQLite store (node:sqlite, WAL): composes the role modules over one connection.
 * node:sqlite is synchronous, so every method runs to completion without interleaving; the
 * async signatures are the Store contract shared with the PostgreSQL implementation.
 */
import { dirname, resolve } from 'node:path';
import { EntityCache, type EntityCacheOptions } from '../entity-cache.ts';
import { RoleStore } from '../role-store.ts';
import { SqliteAttributes } from './attributes.ts';
import { SqliteAudit } from './audit.ts';
import { SqliteConfig } from './config.ts';
import { SqliteDatabase, type SqliteOptions } from './database.ts';
import { SqliteDeadLetters } from './dead-letters.ts';
import { SqliteDedupeKeys } from './dedupe-keys.ts';
import { SqliteDownlinks } from './downlinks.ts';
import { SqliteEntities } from './entities.ts';
import { SqliteEvents } from './events.ts';
import { SqliteIngest } from './ingest.ts';
import { SqliteLeases } from './leases.ts';
import { loadMigrations, migrateSqlite } from './migrate.ts';
import { migrationReport } from '../migration-files.ts';
import { SqliteOutbox } from './outbox.ts';
import { SqliteRetention } from './retention.ts';
import { SqliteSettings } from './settings.ts';
import { SqliteTelemetry } from './telemetry.ts';
import type { MigrationReport, StoreFiles } from '../types.ts';

export interface SqliteStoreOptions extends SqliteOptions, EntityCacheOptions {}

/** The role modules an integration's deletion touches. */
interface DeletionRoles {
  config: SqliteConfig;
  events: SqliteEvents;
  deadLetters: SqliteDeadLetters;
  downlinks: SqliteDownlinks;
  settings: SqliteSettings;
  leases: SqliteLeases;
  ingest: SqliteIngest;
  entities: SqliteEntities;
}

export class SqliteStore extends RoleStore {
  readonly kind = 'sqlite' as const;
  readonly files: StoreFiles;
  readonly #db: SqliteDatabase;
  readonly #roles: DeletionRoles;

  /** Opens the database (creating its folder). Call `migrate()` before use; `openStore` does both. */
  constructor(opts: SqliteStoreOptions) {
    const db = new SqliteDatabase(opts);
    const entities = new SqliteEntities(db);
    const telemetry = new SqliteTelemetry(db, entities);
    const attributes = new SqliteAttributes(db, entities);
    const events = new SqliteEvents(db);
    const deadLetters = new SqliteDeadLetters(db);
    const leases = new SqliteLeases(db);
    const outbox = new SqliteOutbox({ db, deadLetters });
    const ingest = new SqliteIngest({
      db, entities, telemetry, attributes, events, deadLetters, leases, outbox, dedupe: new SqliteDedupeKeys(db), cache: new EntityCache(opts.entityCacheSize),
    });
    const roles = {
      ingest, entities, telemetry, attributes, events, deadLetters, leases, outbox,
      downlinks: new SqliteDownlinks(db), audit: new SqliteAudit(db), config: new SqliteConfig(db), settings: new SqliteSettings(db), retention: new SqliteRetention(db),
    };
    super(roles);
    this.#db = db;
    this.#roles = roles;
    this.files = {
      directory: opts.path === ':memory:' ? process.cwd() : dirname(resolve(opts.path)),
      wal: () => db.walFile(),
      truncateWal: async () => db.truncateWal(),
    };
  }

  get path(): string {
    return this.#db.path;
  }

  async migrate(): Promise<MigrationReport> {
    const migrations = loadMigrations();
    return migrationReport(migrateSqlite(this.#db, migrations), migrations);
  }

  async ping(): Promise<boolean> {
    if (!this.#db.isOpen) return false;
    try {
      return this.#db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  async deleteIntegration(id: string): Promise<void> {
    const r = this.#roles;
    this.#db.transaction(() => {
      r.config.deleteIntegrationRow(id);
      r.events.deleteForIntegration(id);
      r.deadLetters.deleteForIntegration(id);
      r.downlinks.deleteForIntegration(id);
      r.settings.clearConversionJournal(id);
      r.leases.deleteFor(id);
      r.ingest.deleteDedupeKeysFor(id);
      r.entities.detachIntegration(id);
    });
  }
}
