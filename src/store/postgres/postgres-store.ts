/**
 * The PostgreSQL store (node-postgres pool): composes the role modules. Several Cloudbridge
 * instances may share one database: migrations serialise on an advisory lock, concurrent commits
 * stay exactly-once through the dedupe keys' primary key (see ingest.ts), and partition leases are
 * compare-and-set on their fencing token (leases.ts).
 */
import { EntityCache, type EntityCacheOptions } from '../entity-cache.ts';
import { RoleStore } from '../role-store.ts';
import { PostgresAttributes } from './attributes.ts';
import { PostgresAudit } from './audit.ts';
import { PostgresConfig } from './config.ts';
import { PostgresDatabase, type PostgresOptions } from './database.ts';
import { PostgresDeadLetters } from './dead-letters.ts';
import { PostgresDedupeKeys } from './dedupe-keys.ts';
import { PostgresDownlinks } from './downlinks.ts';
import { PostgresEntities } from './entities.ts';
import { PostgresEvents } from './events.ts';
import { PostgresIngest } from './ingest.ts';
import { PostgresLeases } from './leases.ts';
import { loadPostgresMigrations, migratePostgres } from './migrate.ts';
import { migrationReport } from '../migration-files.ts';
import type { MigrationReport } from '../types.ts';
import { PostgresOutbox } from './outbox.ts';
import { PostgresRetention } from './retention.ts';
import { PostgresSettings } from './settings.ts';
import { PostgresTelemetry } from './telemetry.ts';

export interface PostgresStoreOptions extends PostgresOptions, EntityCacheOptions {}

/** The role modules an integration's deletion touches. */
interface DeletionRoles {
  config: PostgresConfig;
  events: PostgresEvents;
  deadLetters: PostgresDeadLetters;
  downlinks: PostgresDownlinks;
  settings: PostgresSettings;
  leases: PostgresLeases;
  dedupe: PostgresDedupeKeys;
  entities: PostgresEntities;
}

export class PostgresStore extends RoleStore {
  readonly kind = 'postgres' as const;
  readonly #db: PostgresDatabase;
  readonly #roles: DeletionRoles;

  /** Creates the pool (connections open on first use). Call `migrate()` before use; `openStore` does both. */
  constructor(opts: PostgresStoreOptions) {
    const db = new PostgresDatabase(opts);
    const sql = () => db.sql;
    const entities = new PostgresEntities(sql);
    const telemetry = new PostgresTelemetry(sql, entities);
    const attributes = new PostgresAttributes(db, entities);
    const events = new PostgresEvents(db);
    const deadLetters = new PostgresDeadLetters(db);
    const dedupe = new PostgresDedupeKeys(db);
    const leases = new PostgresLeases(db);
    const outbox = new PostgresOutbox({ db, deadLetters });
    const ingest = new PostgresIngest({
      db, entities, telemetry, attributes, events, deadLetters, dedupe, leases, outbox, cache: new EntityCache(opts.entityCacheSize),
    });
    const roles = {
      ingest, entities, telemetry, attributes, events, deadLetters, dedupe, leases, outbox,
      downlinks: new PostgresDownlinks(db), audit: new PostgresAudit(db), config: new PostgresConfig(db), settings: new PostgresSettings(db), retention: new PostgresRetention(db),
    };
    super(roles);
    this.#db = db;
    this.#roles = roles;
  }

  /** Host, port, database and schema (no credentials). */
  get location(): string {
    return this.#db.location;
  }

  /** The schema the store uses, when one was given. */
  get schema(): string | undefined {
    return this.#db.schema;
  }

  async migrate(): Promise<MigrationReport> {
    const migrations = loadPostgresMigrations();
    return migrationReport(await migratePostgres(this.#db, migrations), migrations);
  }

  async ping(): Promise<boolean> {
    if (!this.#db.isOpen) return false;
    try {
      return (await this.#db.sql.one<{ ok: number }>('SELECT 1 AS ok'))?.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async deleteIntegration(id: string): Promise<void> {
    const r = this.#roles;
    await this.#db.transaction(async (sql) => {
      await r.config.deleteIntegrationRow(sql, id);
      await r.events.deleteForIntegration(sql, id);
      await r.deadLetters.deleteForIntegration(sql, id);
      await r.downlinks.deleteForIntegration(sql, id);
      await r.settings.deleteJournalFor(sql, id);
      await r.leases.deleteFor(sql, id);
      await r.dedupe.deleteFor(sql, id);
      await r.entities.detachIntegration(sql, id);
    });
  }
}
