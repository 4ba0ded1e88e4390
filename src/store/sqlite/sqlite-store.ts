/**
 * The embedded SQLite store (node:sqlite, WAL): composes the role modules over one connection.
 * node:sqlite is synchronous, so every method runs to completion without interleaving; the
 * async signatures are the Store contract shared with the PostgreSQL implementation.
 */
import type {
  AttributeScope, ConverterConfig, DownlinkStatus, EntityKind, IntegrationConfig, KvValue,
} from '../../core/model.ts';
import type {
  ApiToken, AttributeValue, DeadLetter, DeadLetterQuery, DeadLetterState, Downlink, Entity, EntityQuery, EventInput,
  EventQuery, Store, StoredEvent, TelemetryQuery, TsValue, UplinkCommit, UplinkCommitResult,
} from '../types.ts';
import { SqliteAttributes } from './attributes.ts';
import { SqliteConfig } from './config.ts';
import { SqliteDatabase, type SqliteOptions } from './database.ts';
import { SqliteDeadLetters } from './dead-letters.ts';
import { SqliteDedupeKeys } from './dedupe-keys.ts';
import { SqliteDownlinks, type NewDownlink } from './downlinks.ts';
import { SqliteEntities } from './entities.ts';
import { EntityCache } from './entity-cache.ts';
import { SqliteEvents } from './events.ts';
import { SqliteIngest } from './ingest.ts';
import { migrateSqlite } from './migrate.ts';
import { SqliteSettings } from './settings.ts';
import { SqliteTelemetry } from './telemetry.ts';

export interface SqliteStoreOptions extends SqliteOptions {
  /** Bound of the in-memory entity name → id cache. Default 100 000. */
  entityCacheSize?: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;
  readonly #telemetry: SqliteTelemetry;
  readonly #attributes: SqliteAttributes;
  readonly #events: SqliteEvents;
  readonly #deadLetters: SqliteDeadLetters;
  readonly #downlinks: SqliteDownlinks;
  readonly #config: SqliteConfig;
  readonly #settings: SqliteSettings;
  readonly #ingest: SqliteIngest;

  /** Opens the database (creating its folder). Call `migrate()` before use; `openStore` does both. */
  constructor(opts: SqliteStoreOptions) {
    const db = new SqliteDatabase(opts);
    this.#db = db;
    this.#entities = new SqliteEntities(db);
    this.#telemetry = new SqliteTelemetry(db, this.#entities);
    this.#attributes = new SqliteAttributes(db, this.#entities);
    this.#events = new SqliteEvents(db);
    this.#deadLetters = new SqliteDeadLetters(db);
    this.#downlinks = new SqliteDownlinks(db);
    this.#config = new SqliteConfig(db);
    this.#settings = new SqliteSettings(db);
    this.#ingest = new SqliteIngest({
      db, entities: this.#entities, telemetry: this.#telemetry, attributes: this.#attributes, events: this.#events,
      deadLetters: this.#deadLetters, dedupe: new SqliteDedupeKeys(db), cache: new EntityCache(opts.entityCacheSize),
    });
  }

  get path(): string {
    return this.#db.path;
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.#db);
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
    this.#attributes.setAttributes(entityId, scope, values);
  }
  async deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): Promise<void> {
    this.#attributes.deleteAttributes(entityId, scope, keys);
  }

  // Events
  async addEvents(events: EventInput[]): Promise<void> { this.#events.addEvents(events); }
  async listEvents(query: EventQuery): Promise<StoredEvent[]> { return this.#events.listEvents(query); }
  async pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): Promise<number> { return this.#events.pruneEvents(opts); }

  // Dead letters
  async listDeadLetters(query: DeadLetterQuery): Promise<{ items: DeadLetter[]; total: number }> { return this.#deadLetters.listDeadLetters(query); }
  async getDeadLetter(id: string): Promise<DeadLetter | null> { return this.#deadLetters.getDeadLetter(id); }
  async setDeadLetterState(id: string, state: DeadLetterState): Promise<void> { this.#deadLetters.setDeadLetterState(id, state); }

  // Downlinks
  async enqueueDownlink(d: NewDownlink): Promise<Downlink> { return this.#downlinks.enqueueDownlink(d); }
  async getDownlink(id: string): Promise<Downlink | null> { return this.#downlinks.getDownlink(id); }
  async listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]> { return this.#downlinks.listQueuedDownlinks(integrationId, limit); }
  async listDownlinks(query: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]> { return this.#downlinks.listDownlinks(query); }
  async markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void> { this.#downlinks.markDownlink(id, status, error); }

  // Config
  async listIntegrations(): Promise<IntegrationConfig[]> { return this.#config.listIntegrations(); }
  async getIntegration(idOrName: string): Promise<IntegrationConfig | null> { return this.#config.getIntegration(idOrName); }
  async saveIntegration(cfg: IntegrationConfig): Promise<void> { this.#config.saveIntegration(cfg); }
  /**
   * Deletes the integration with its events, dead letters, dedupe keys, checkpoints and downlinks.
   * Devices it created stay (as in ThingsBoard) and forget their creator. NOT_FOUND for an unknown id.
   */
  async deleteIntegration(id: string): Promise<void> {
    this.#db.transaction(() => {
      this.#config.deleteIntegrationRow(id);
      this.#events.deleteForIntegration(id);
      this.#deadLetters.deleteForIntegration(id);
      this.#downlinks.deleteForIntegration(id);
      this.#settings.deleteCheckpointsFor(id);
      this.#ingest.deleteDedupeKeysFor(id);
      this.#entities.detachIntegration(id);
    });
  }
  async listConverters(): Promise<ConverterConfig[]> { return this.#config.listConverters(); }
  async getConverter(idOrName: string): Promise<ConverterConfig | null> { return this.#config.getConverter(idOrName); }
  async saveConverter(cfg: ConverterConfig): Promise<void> { this.#config.saveConverter(cfg); }
  async deleteConverter(id: string): Promise<void> { this.#config.deleteConverter(id); }

  // Checkpoints, settings, tokens
  async getCheckpoint(integrationId: string, partition: string): Promise<string | null> { return this.#settings.getCheckpoint(integrationId, partition); }
  async setCheckpoint(integrationId: string, partition: string, value: string): Promise<void> { this.#settings.setCheckpoint(integrationId, partition, value); }
  async getSetting(key: string): Promise<string | null> { return this.#settings.getSetting(key); }
  async setSetting(key: string, value: string): Promise<void> { this.#settings.setSetting(key, value); }
  async listTokens(): Promise<ApiToken[]> { return this.#settings.listTokens(); }
  async addToken(token: ApiToken): Promise<void> { this.#settings.addToken(token); }
}
