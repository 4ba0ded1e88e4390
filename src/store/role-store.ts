/**
 * The part of a SQL store that only hands each Store method to the role module that implements
 * it (entities, telemetry, config, ...). A store extends RoleStore with its role modules and adds
 * what depends on its database: migrate, ping, close and deleting an integration with what
 * belongs to it in one transaction.
 */
import type {
  AttributeScope, ConverterConfig, DownlinkOutcome, DownlinkStatus, EntityKind, IntegrationConfig, KvValue,
} from '../core/model.ts';
import type { NewDownlink } from './rows.ts';
import type {
  ApiToken, AttributeValue, AuditEntry, AuditInput, AuditQuery, ConversionJournalEntry, DeadLetter, DeadLetterQuery, DeadLetterState, Downlink, Entity, EntityQuery, EventInput,
  EventQuery, LeaseToken, MigrationReport, NewOutboxRow, OutboxRow, PartitionLease, RetentionKind, RetentionScope, Store, StoredEvent, TelemetryQuery, TsValue, UplinkCommit, UplinkCommitResult,
} from './types.ts';

/**
 * Store methods as a role module implements them: the same parameters, the result given directly
 * (SQLite, synchronous) or as a promise (PostgreSQL).
 */
export type RoleMethods<K extends keyof Store> = {
  [P in K]: Store[P] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R> : never;
};

export interface StoreRoles {
  ingest: RoleMethods<'commitUplinks' | 'pruneDedupeKeys'>;
  entities: RoleMethods<'getEntity' | 'listEntities'>;
  telemetry: RoleMethods<'queryTelemetry' | 'latestTelemetry' | 'telemetryKeys' | 'countTelemetry'>;
  attributes: RoleMethods<'listAttributes' | 'setAttributes' | 'deleteAttributes'>;
  events: RoleMethods<'addEvents' | 'listEvents' | 'pruneEvents'>;
  deadLetters: RoleMethods<'listDeadLetters' | 'getDeadLetter' | 'setDeadLetterState'>;
  outbox: RoleMethods<'appendOutbox' | 'readOutbox' | 'deleteOutbox' | 'rejectOutbox' | 'outboxStats' | 'expireOutbox'>;
  downlinks: RoleMethods<'enqueueDownlink' | 'getDownlink' | 'listQueuedDownlinks' | 'listDownlinks' | 'markDownlink' | 'recordDownlinkOutcome'>;
  config: RoleMethods<'listIntegrations' | 'getIntegration' | 'saveIntegration' | 'listConverters' | 'getConverter' | 'saveConverter' | 'deleteConverter'>;
  leases: RoleMethods<'listLeases' | 'ensureLeases' | 'claimLease' | 'renewLease' | 'releaseLease' | 'writeCheckpoint'
    | 'setLeaseMeta' | 'removeLeases'>;
  settings: RoleMethods<'getSetting' | 'setSetting' | 'listTokens' | 'addToken' | 'deleteToken'
    | 'getConversionJournal' | 'setConversionJournal' | 'clearConversionJournal'>;
  audit: RoleMethods<'addAudit' | 'listAudit' | 'pruneAudit'>;
  retention: RoleMethods<'pruneOlderThan' | 'oldestRow' | 'storeSizeBytes'>;
}

export abstract class RoleStore implements Store {
  abstract readonly kind: Store['kind'];
  readonly #r: StoreRoles;

  constructor(roles: StoreRoles) {
    this.#r = roles;
  }

  abstract migrate(): Promise<MigrationReport>;
  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;
  /**
   * Deletes the integration with its events, dead letters, dedupe keys, leases (and their
   * checkpoints), conversion journal and downlinks.
   * Devices it created stay (as in ThingsBoard) and forget their creator, with their data; so do
   * its forwarders' outbox rows (that data is still forwarded; ADR 017). NOT_FOUND for an unknown id.
   */
  abstract deleteIntegration(id: string): Promise<void>;

  // Ingest
  async commitUplinks(commit: UplinkCommit): Promise<UplinkCommitResult> { return this.#r.ingest.commitUplinks(commit); }
  async pruneDedupeKeys(olderThan: number): Promise<number> { return this.#r.ingest.pruneDedupeKeys(olderThan); }

  // Entities
  async getEntity(kind: EntityKind, name: string): Promise<Entity | null> { return this.#r.entities.getEntity(kind, name); }
  async listEntities(query: EntityQuery): Promise<{ items: Entity[]; total: number }> { return this.#r.entities.listEntities(query); }

  // Telemetry
  async queryTelemetry(query: TelemetryQuery): Promise<Record<string, TsValue[]>> { return this.#r.telemetry.queryTelemetry(query); }
  async latestTelemetry(entityId: string, keys?: string[]): Promise<Record<string, TsValue>> { return this.#r.telemetry.latestTelemetry(entityId, keys); }
  async telemetryKeys(entityId: string): Promise<string[]> { return this.#r.telemetry.telemetryKeys(entityId); }
  async countTelemetry(entityId?: string): Promise<number> { return this.#r.telemetry.countTelemetry(entityId); }

  // Attributes
  async listAttributes(entityId: string, scope?: AttributeScope): Promise<AttributeValue[]> { return this.#r.attributes.listAttributes(entityId, scope); }
  async setAttributes(entityId: string, scope: AttributeScope, values: Array<{ key: string; value: KvValue }>): Promise<void> {
    await this.#r.attributes.setAttributes(entityId, scope, values);
  }
  async deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): Promise<void> {
    await this.#r.attributes.deleteAttributes(entityId, scope, keys);
  }

  // Events
  async addEvents(events: EventInput[]): Promise<void> { await this.#r.events.addEvents(events); }
  async listEvents(query: EventQuery): Promise<StoredEvent[]> { return this.#r.events.listEvents(query); }
  async pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): Promise<number> { return this.#r.events.pruneEvents(opts); }

  // Dead letters
  async listDeadLetters(query: DeadLetterQuery): Promise<{ items: DeadLetter[]; total: number }> { return this.#r.deadLetters.listDeadLetters(query); }
  async getDeadLetter(id: string): Promise<DeadLetter | null> { return this.#r.deadLetters.getDeadLetter(id); }
  async setDeadLetterState(id: string, state: DeadLetterState): Promise<void> { await this.#r.deadLetters.setDeadLetterState(id, state); }

  // Downlinks
  async enqueueDownlink(d: NewDownlink): Promise<Downlink> { return this.#r.downlinks.enqueueDownlink(d); }
  async getDownlink(id: string): Promise<Downlink | null> { return this.#r.downlinks.getDownlink(id); }
  async listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]> { return this.#r.downlinks.listQueuedDownlinks(integrationId, limit); }
  async listDownlinks(query: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]> { return this.#r.downlinks.listDownlinks(query); }
  async markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void> { await this.#r.downlinks.markDownlink(id, status, error); }
  async recordDownlinkOutcome(id: string, outcome: DownlinkOutcome, detail: string | null, at: number): Promise<boolean> { return this.#r.downlinks.recordDownlinkOutcome(id, outcome, detail, at); }

  // Forwarders' outbox
  async appendOutbox(rows: NewOutboxRow[]): Promise<void> { await this.#r.outbox.appendOutbox(rows); }
  async readOutbox(forwarder: string, afterSeq: number, limit: number): Promise<OutboxRow[]> { return this.#r.outbox.readOutbox(forwarder, afterSeq, limit); }
  async deleteOutbox(forwarder: string, seqs: number[]): Promise<void> { await this.#r.outbox.deleteOutbox(forwarder, seqs); }
  async rejectOutbox(forwarder: string, seq: number, errorCode: string, error: string): Promise<string | null> {
    return this.#r.outbox.rejectOutbox(forwarder, seq, errorCode, error);
  }
  async outboxStats(forwarder: string): Promise<{ depth: number; oldestAt: number | null }> { return this.#r.outbox.outboxStats(forwarder); }
  async expireOutbox(forwarder: string, opts: { olderThan: number; maxRows: number }): Promise<number> { return this.#r.outbox.expireOutbox(forwarder, opts); }

  // Config
  async listIntegrations(): Promise<IntegrationConfig[]> { return this.#r.config.listIntegrations(); }
  async getIntegration(idOrName: string): Promise<IntegrationConfig | null> { return this.#r.config.getIntegration(idOrName); }
  async saveIntegration(cfg: IntegrationConfig): Promise<void> { await this.#r.config.saveIntegration(cfg); }
  async listConverters(): Promise<ConverterConfig[]> { return this.#r.config.listConverters(); }
  async getConverter(idOrName: string): Promise<ConverterConfig | null> { return this.#r.config.getConverter(idOrName); }
  async saveConverter(cfg: ConverterConfig): Promise<void> { await this.#r.config.saveConverter(cfg); }
  async deleteConverter(id: string): Promise<void> { await this.#r.config.deleteConverter(id); }

  // Retention
  async pruneOlderThan(kind: RetentionKind, scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): Promise<{ deleted: number; cursor: string | null }> {
    return this.#r.retention.pruneOlderThan(kind, scope, olderThan, limit, cursor);
  }
  async oldestRow(kind: RetentionKind): Promise<number | null> { return this.#r.retention.oldestRow(kind); }
  async storeSizeBytes(): Promise<number> { return this.#r.retention.storeSizeBytes(); }

  // Partition leases and checkpoints
  async listLeases(integrationId: string): Promise<PartitionLease[]> { return this.#r.leases.listLeases(integrationId); }
  async ensureLeases(integrationId: string, partitions: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void> {
    await this.#r.leases.ensureLeases(integrationId, partitions);
  }
  async claimLease(integrationId: string, partition: string, owner: string, expectedToken: number, ttlMs: number): Promise<PartitionLease | null> {
    return this.#r.leases.claimLease(integrationId, partition, owner, expectedToken, ttlMs);
  }
  async renewLease(integrationId: string, partition: string, lease: LeaseToken, ttlMs: number): Promise<PartitionLease | null> {
    return this.#r.leases.renewLease(integrationId, partition, lease, ttlMs);
  }
  async releaseLease(integrationId: string, partition: string, lease: LeaseToken): Promise<boolean> {
    return this.#r.leases.releaseLease(integrationId, partition, lease);
  }
  async writeCheckpoint(integrationId: string, partition: string, lease: LeaseToken, position: string): Promise<boolean> {
    return this.#r.leases.writeCheckpoint(integrationId, partition, lease, position);
  }
  async setLeaseMeta(integrationId: string, partition: string, lease: LeaseToken, meta: Record<string, string>): Promise<boolean> {
    return this.#r.leases.setLeaseMeta(integrationId, partition, lease, meta);
  }
  async removeLeases(integrationId: string, partitions: string[]): Promise<void> { await this.#r.leases.removeLeases(integrationId, partitions); }

  // Settings, tokens
  async getSetting(key: string): Promise<string | null> { return this.#r.settings.getSetting(key); }
  async setSetting(key: string, value: string): Promise<void> { await this.#r.settings.setSetting(key, value); }
  async listTokens(): Promise<ApiToken[]> { return this.#r.settings.listTokens(); }
  async addToken(token: ApiToken): Promise<void> { await this.#r.settings.addToken(token); }
  async deleteToken(id: string): Promise<boolean> { return this.#r.settings.deleteToken(id); }

  // Conversion journal
  async getConversionJournal(integrationId: string): Promise<ConversionJournalEntry | null> { return this.#r.settings.getConversionJournal(integrationId); }
  async setConversionJournal(integrationId: string, entry: ConversionJournalEntry): Promise<void> {
    await this.#r.settings.setConversionJournal(integrationId, entry);
  }
  async clearConversionJournal(integrationId: string): Promise<void> { await this.#r.settings.clearConversionJournal(integrationId); }

  // Audit log
  async addAudit(entries: AuditInput[]): Promise<void> { await this.#r.audit.addAudit(entries); }
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> { return this.#r.audit.listAudit(query); }
  async pruneAudit(olderThan: number): Promise<number> { return this.#r.audit.pruneAudit(olderThan); }
}
