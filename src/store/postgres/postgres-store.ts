/**
 * The PostgreSQL store (node-postgres pool): composes the role modules. Several Cloudbridge
 * instances may share one database: migrations serialise on an advisory lock, and concurrent
 * commits stay exactly-once through the dedupe keys' primary key (see ingest.ts).
 */
import type {
  AttributeScope, ConverterConfig, DownlinkStatus, EntityKind, IntegrationConfig, KvValue,
} from '../../core/model.ts';
import { EntityCache } from '../sqlite/entity-cache.ts';
import type {
  ApiToken, AttributeValue, DeadLetter, DeadLetterQuery, DeadLetterState, Downlink, Entity, EntityQuery, EventInput,
  EventQuery, Store, StoredEvent, TelemetryQuery, TsValue, UplinkCommit, UplinkCommitResult,
} from '../types.ts';
import { PostgresAttributes } from './attributes.ts';
import { PostgresConfig } from './config.ts';
import { PostgresDatabase, type PostgresOptions } from './database.ts';
import { PostgresDeadLetters } from './dead-letters.ts';
import { PostgresDedupeKeys } from './dedupe-keys.ts';
import { PostgresDownlinks, type NewDownlink } from './downlinks.ts';
import { PostgresEntities } from './entities.ts';
import { PostgresEvents } from './events.ts';
import { PostgresIngest } from './ingest.ts';
import { migratePostgres } from './migrate.ts';
import { PostgresSettings } from './settings.ts';
import { PostgresTelemetry } from './telemetry.ts';

export interface PostgresStoreOptions extends PostgresOptions {
  /** Bound of the in-memory entity name → id cache. Default 100 000. */
  entityCacheSize?: number;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #db: PostgresDatabase;
  readonly #entities: PostgresEntities;
  readonly #telemetry: PostgresTelemetry;
  readonly #attributes: PostgresAttributes;
  readonly #events: PostgresEvents;
  readonly #deadLetters: PostgresDeadLetters;
  readonly #downlinks: PostgresDownlinks;
  readonly #config: PostgresConfig;
  readonly #settings: PostgresSettings;
  readonly #dedupe: PostgresDedupeKeys;
  readonly #ingest: PostgresIngest;

  /** Creates the pool (connections open on first use). Call `migrate()` before use; `openStore` does both. */
  constructor(opts: PostgresStoreOptions) {
    const db = new PostgresDatabase(opts);
    const sql = () => db.sql;
    this.#db = db;
    this.#entities = new PostgresEntities(sql);
    this.#telemetry = new PostgresTelemetry(sql, this.#entities);
    this.#attributes = new PostgresAttributes(db, this.#entities);
    this.#events = new PostgresEvents(db);
    this.#deadLetters = new PostgresDeadLetters(db);
    this.#downlinks = new PostgresDownlinks(db);
    this.#config = new PostgresConfig(db);
    this.#settings = new PostgresSettings(db);
    this.#dedupe = new PostgresDedupeKeys(db);
    this.#ingest = new PostgresIngest({
      db, entities: this.#entities, telemetry: this.#telemetry, attributes: this.#attributes, events: this.#events,
      deadLetters: this.#deadLetters, dedupe: this.#dedupe, cache: new EntityCache(opts.entityCacheSize),
    });
  }

  /** Host, port, database and schema (no credentials). */
  get location(): string {
    return this.#db.location;
  }

  /** The schema the store uses, when one was given. */
  get schema(): string | undefined {
    return this.#db.schema;
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.#db);
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

  // Ingest
  async commitUplinks(commit: UplinkCommit): Promise<UplinkCommitResult> { return this.#ingest.commitUplinks(commit); }
  async pruneDedupeKeys(olderThan: number): Promise<number> { return this.#ingest.pruneDedupeKeys(olderThan); }

  // Entities
  async getEntity(kind: EntityKind, name: string): Promise<Entity | null> { return this.#entities.getEntity(kind, name); }
  async listEntities(query: EntityQuery): Promise<{ items: Entity[]; total: number }> { return this.#entities.listEntities(query); }

  // Telemetry
  async queryTelemetry(query: TelemetryQuery): Promise<Record<string, TsValue[]>> { return this.#telemetry.queryTelemetry(query); }
  async latestTelemetry(entityId: string, keys?: string[]): Promise<Record<string, TsValue>> { return this.#telemetry.latestTelemetry(entityId, keys); }
  async telemetryKeys(entityId: string): Promise<string[]> { return this.#telemetry.telemetryKeys(entityId); }
  async countTelemetry(entityId?: string): Promise<number> { return this.#telemetry.countTelemetry(entityId); }

  // Attributes
  async listAttributes(entityId: string, scope?: AttributeScope): Promise<AttributeValue[]> { return this.#attributes.listAttributes(entityId, scope); }
  async setAttributes(entityId: string, scope: AttributeScope, values: Array<{ key: string; value: KvValue }>): Promise<void> {
    await this.#attributes.setAttributes(entityId, scope, values);
  }
  async deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): Promise<void> {
    await this.#attributes.deleteAttributes(entityId, scope, keys);
  }

  // Events
  async addEvents(events: EventInput[]): Promise<void> { await this.#events.addEvents(events); }
  async listEvents(query: EventQuery): Promise<StoredEvent[]> { return this.#events.listEvents(query); }
  async pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): Promise<number> { return this.#events.pruneEvents(opts); }

  // Dead letters
  async listDeadLetters(query: DeadLetterQuery): Promise<{ items: DeadLetter[]; total: number }> { return this.#deadLetters.listDeadLetters(query); }
  async getDeadLetter(id: string): Promise<DeadLetter | null> { return this.#deadLetters.getDeadLetter(id); }
  async setDeadLetterState(id: string, state: DeadLetterState): Promise<void> { await this.#deadLetters.setDeadLetterState(id, state); }

  // Downlinks
  async enqueueDownlink(d: NewDownlink): Promise<Downlink> { return this.#downlinks.enqueueDownlink(d); }
  async getDownlink(id: string): Promise<Downlink | null> { return this.#downlinks.getDownlink(id); }
  async listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]> { return this.#downlinks.listQueuedDownlinks(integrationId, limit); }
  async listDownlinks(query: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]> { return this.#downlinks.listDownlinks(query); }
  async markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void> { await this.#downlinks.markDownlink(id, status, error); }

  // Config
  async listIntegrations(): Promise<IntegrationConfig[]> { return this.#config.listIntegrations(); }
  async getIntegration(idOrName: string): Promise<IntegrationConfig | null> { return this.#config.getIntegration(idOrName); }
  async saveIntegration(cfg: IntegrationConfig): Promise<void> { await this.#config.saveIntegration(cfg); }
  /**
   * Deletes the integration with its events, dead letters, dedupe keys, checkpoints and downlinks.
   * Devices it created stay (as in ThingsBoard) and forget their creator. NOT_FOUND for an unknown id.
   */
  async deleteIntegration(id: string): Promise<void> {
    await this.#db.transaction(async (sql) => {
      await this.#config.deleteIntegrationRow(sql, id);
      await this.#events.deleteForIntegration(sql, id);
      await this.#deadLetters.deleteForIntegration(sql, id);
      await this.#downlinks.deleteForIntegration(sql, id);
      await this.#settings.deleteCheckpointsFor(sql, id);
      await this.#dedupe.deleteFor(sql, id);
      await this.#entities.detachIntegration(sql, id);
    });
  }
  async listConverters(): Promise<ConverterConfig[]> { return this.#config.listConverters(); }
  async getConverter(idOrName: string): Promise<ConverterConfig | null> { return this.#config.getConverter(idOrName); }
  async saveConverter(cfg: ConverterConfig): Promise<void> { await this.#config.saveConverter(cfg); }
  async deleteConverter(id: string): Promise<void> { await this.#config.deleteConverter(id); }

  // Checkpoints, settings, tokens
  async getCheckpoint(integrationId: string, partition: string): Promise<string | null> { return this.#settings.getCheckpoint(integrationId, partition); }
  async setCheckpoint(integrationId: string, partition: string, value: string): Promise<void> { await this.#settings.setCheckpoint(integrationId, partition, value); }
  async getSetting(key: string): Promise<string | null> { return this.#settings.getSetting(key); }
  async setSetting(key: string, value: string): Promise<void> { await this.#settings.setSetting(key, value); }
  async listTokens(): Promise<ApiToken[]> { return this.#settings.listTokens(); }
  async addToken(token: ApiToken): Promise<void> { await this.#settings.addToken(token); }
}
