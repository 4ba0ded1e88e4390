/**
 * Store role interfaces. Two implementations are planned: SQLite (embedded default, node:sqlite)
 * and PostgreSQL. `test/store/contract.ts` is the suite every implementation must pass.
 */
import type {
  AttributeScope, ConverterConfig, DownlinkStatus, EntityKind,
  IntegrationConfig, KvValue,
} from '../core/model.ts';

export type {
  MessageOutcome, UplinkCommitItem, UplinkCommit, UplinkItemResult, UplinkCommitResult,
} from '../core/ports.ts';
import type { DebugEventInput, UplinkCommit, UplinkCommitResult } from '../core/ports.ts';

export interface IngestStore {
  /**
   * Commits a batch in ONE transaction: for each item whose (integrationId, sourceKey) was not
   * committed before: provisions missing entities (or, when creation is not allowed and an entity
   * is missing, dead-letters the item with stage `provision` and code DEVICE_CREATION_FORBIDDEN),
   * upserts telemetry on (entity, key, ts), updates the latest values (only when newer), upserts
   * client attributes, writes dead letters, and records the dedupe key. Items already committed
   * are reported `duplicate` and change nothing. Either everything is committed or nothing.
   */
  commitUplinks(commit: UplinkCommit): Promise<UplinkCommitResult>;
  /** Removes dedupe keys older than the cutoff (epoch ms). Returns how many were removed. */
  pruneDedupeKeys(olderThan: number): Promise<number>;
}

export interface Entity {
  id: string;
  kind: EntityKind;
  name: string;
  type: string;
  label: string | null;
  customerName: string | null;
  groupName: string | null;
  createdByIntegrationId: string | null;
  createdAt: number;
}

export interface EntityQuery {
  kind?: EntityKind;
  type?: string;
  /** Substring match on the name. */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface EntityStore {
  getEntity(kind: EntityKind, name: string): Promise<Entity | null>;
  listEntities(query: EntityQuery): Promise<{ items: Entity[]; total: number }>;
}

export interface TsValue {
  ts: number;
  value: KvValue;
}

export interface TelemetryQuery {
  entityId: string;
  keys?: string[];
  /** Inclusive epoch ms. */
  from?: number;
  /** Inclusive epoch ms. */
  to?: number;
  /** Max points per key, newest first. */
  limit?: number;
}

export interface TelemetryStore {
  /** Points per key, newest first. */
  queryTelemetry(query: TelemetryQuery): Promise<Record<string, TsValue[]>>;
  latestTelemetry(entityId: string, keys?: string[]): Promise<Record<string, TsValue>>;
  telemetryKeys(entityId: string): Promise<string[]>;
  countTelemetry(entityId?: string): Promise<number>;
}

export interface AttributeValue {
  key: string;
  scope: AttributeScope;
  value: KvValue;
  updatedAt: number;
}

export interface AttributeStore {
  listAttributes(entityId: string, scope?: AttributeScope): Promise<AttributeValue[]>;
  setAttributes(entityId: string, scope: AttributeScope, values: Array<{ key: string; value: KvValue }>): Promise<void>;
  deleteAttributes(entityId: string, scope: AttributeScope, keys: string[]): Promise<void>;
}

export type EventType = 'LIFECYCLE' | 'DEBUG_UPLINK' | 'DEBUG_DOWNLINK' | 'DEBUG_CONVERTER' | 'ERROR' | 'WARNING' | 'STATS';

/** Free JSON body. Must never contain secrets. */
export interface EventInput extends DebugEventInput {
  type: EventType;
}

export interface StoredEvent extends EventInput {
  id: string;
}

export interface EventQuery {
  integrationId?: string;
  converterId?: string;
  type?: EventType;
  /** Events strictly older than this id's event (paging), newest first. */
  before?: string;
  limit?: number;
}

export interface EventStore {
  addEvents(events: EventInput[]): Promise<void>;
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  /** Deletes events older than `olderThan` and keeps at most `maxPerIntegration` newest per integration. */
  pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): Promise<number>;
}

export type DeadLetterState = 'pending' | 'replayed' | 'discarded';

export interface DeadLetter {
  id: string;
  integrationId: string;
  sourceKey: string;
  stage: string;
  errorCode: string;
  error: string;
  payload: Uint8Array;
  metadata: Record<string, string>;
  receivedAt: number;
  createdAt: number;
  state: DeadLetterState;
  replayCount: number;
}

export interface DeadLetterQuery {
  integrationId?: string;
  state?: DeadLetterState;
  limit?: number;
  offset?: number;
}

export interface DeadLetterStore {
  listDeadLetters(query: DeadLetterQuery): Promise<{ items: DeadLetter[]; total: number }>;
  getDeadLetter(id: string): Promise<DeadLetter | null>;
  /** Marks replayed (after a successful replay) or discarded. */
  setDeadLetterState(id: string, state: DeadLetterState): Promise<void>;
}

export interface Downlink {
  id: string;
  integrationId: string;
  deviceName: string;
  msgType: string;
  msg: unknown;
  metadata: Record<string, string>;
  status: DownlinkStatus;
  error: string | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

export interface DownlinkStore {
  enqueueDownlink(d: Omit<Downlink, 'id' | 'status' | 'error' | 'attempts' | 'createdAt' | 'updatedAt'>): Promise<Downlink>;
  getDownlink(id: string): Promise<Downlink | null>;
  /** Queued downlinks, oldest first. */
  listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]>;
  listDownlinks(query: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]>;
  markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void>;
}

export interface ConfigStore {
  listIntegrations(): Promise<IntegrationConfig[]>;
  getIntegration(idOrName: string): Promise<IntegrationConfig | null>;
  /** Insert or replace by id. Names are unique. */
  saveIntegration(cfg: IntegrationConfig): Promise<void>;
  deleteIntegration(id: string): Promise<void>;
  listConverters(): Promise<ConverterConfig[]>;
  getConverter(idOrName: string): Promise<ConverterConfig | null>;
  saveConverter(cfg: ConverterConfig): Promise<void>;
  deleteConverter(id: string): Promise<void>;
}

export interface CheckpointRow {
  integrationId: string;
  partition: string;
  value: string;
}

export interface CheckpointStoreRole {
  getCheckpoint(integrationId: string, partition: string): Promise<string | null>;
  setCheckpoint(integrationId: string, partition: string, value: string): Promise<void>;
}

/** The messages an integration is converting (see src/app/conversion-journal.ts). */
export interface ConversionJournalEntry {
  sourceKeys: string[];
  /** Epoch ms when their conversion started. */
  startedAt: number;
}

/** At most one entry per integration: the conversion in progress, written when it runs long. */
export interface ConversionJournalStore {
  getConversionJournal(integrationId: string): Promise<ConversionJournalEntry | null>;
  setConversionJournal(integrationId: string, entry: ConversionJournalEntry): Promise<void>;
  clearConversionJournal(integrationId: string): Promise<void>;
}

export interface ApiToken {
  id: string;
  name: string;
  role: 'admin' | 'viewer';
  /** SHA-256 hex of the token. */
  hash: string;
  createdAt: number;
}

export interface SettingsStore {
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  listTokens(): Promise<ApiToken[]>;
  addToken(token: ApiToken): Promise<void>;
}

/** The files of an embedded store (SQLite): for the disk-space and write-ahead-log checks. */
export interface StoreFiles {
  /** The directory holding the database file, its WAL and the master key. */
  readonly directory: string;
  /** The write-ahead log file now: its size and when it was last written (0, 0 without one). */
  wal(): { bytes: number; modifiedAt: number };
  /**
   * Copies the write-ahead log into the database and truncates it to zero bytes, without waiting
   * for other connections: `complete` is false when another connection (a sqlite3 shell, a backup
   * tool) still reads an older snapshot or is writing, and the WAL could not be emptied.
   */
  truncateWal(): { complete: boolean; walBytesBefore: number; walBytesAfter: number };
}

/** The whole store: every role, plus lifecycle. */
export interface Store extends IngestStore, EntityStore, TelemetryStore, AttributeStore, EventStore,
  DeadLetterStore, DownlinkStore, ConfigStore, CheckpointStoreRole, ConversionJournalStore, SettingsStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Set by stores whose data lives in local files (SQLite). */
  readonly files?: StoreFiles;
  /** Applies pending migrations. Idempotent. */
  migrate(): Promise<void>;
  /** True when the store can serve requests (for /ready). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
