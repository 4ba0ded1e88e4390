/**
 * Store role interfaces. Two implementations are planned: SQLite (embedded default, node:sqlite)
 * and PostgreSQL. `test/store/contract.ts` is the suite every implementation must pass.
 */
import type {
  AttributeScope, ConverterConfig, DownlinkOutcome, DownlinkStatus, EntityKind,
  IntegrationConfig, KvValue,
} from '../core/model.ts';

export type {
  MessageOutcome, UplinkCommitItem, UplinkCommit, UplinkItemResult, UplinkCommitResult,
} from '../core/ports.ts';
import type { DebugEventInput, UplinkCommit, UplinkCommitResult } from '../core/ports.ts';
import type { LeaseToken, PartitionLease } from '../core/partitions.ts';
import type { AuditStore, RetentionStore } from './audit-retention-types.ts';

export type * from './audit-retention-types.ts';

export type { CommitCheckpoint, LeaseStore, LeaseToken, PartitionLease } from '../core/partitions.ts';

export interface IngestStore {
  /**
   * Commits a batch in ONE transaction: for each item whose (integrationId, sourceKey) was not
   * committed before: provisions missing entities (or, when creation is not allowed and an entity
   * is missing, dead-letters the item with stage `provision` and code DEVICE_CREATION_FORBIDDEN),
   * upserts telemetry on (entity, key, ts), updates the latest values (only when newer), upserts
   * client attributes, writes dead letters, and records the dedupe key. Items already committed
   * are reported `duplicate` and change nothing. Items with dedupe `none` record and check no key
   * (never duplicates). Each of `commit.checkpoints` is written first, only while its lease is
   * held by its owner with its token; otherwise the commit fails with LEASE_LOST naming the
   * partition. Either everything is committed or nothing.
   */
  commitUplinks(commit: UplinkCommit): Promise<UplinkCommitResult>;
  /**
   * Forgets dedupe keys older than the cutoff (epoch ms), a generation at a time (ADR 011): a key
   * goes once every key recorded with it is older, so it is kept at least until the cutoff passes
   * it and, with housekeeping's cutoff of now - retention, at most about twice the retention. A
   * cutoff in the future forgets every key. Returns how many were removed.
   */
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
  /** Any of these types (with `type`, either matches). */
  types?: readonly EventType[];
  /** Events with `ts >= from` / `ts < to` (ms). */
  from?: number;
  to?: number;
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
  stage?: string;
  errorCode?: string;
  /** Dead letters created at `>= from` / `< to` (ms). */
  from?: number;
  to?: number;
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
  /** The final outcome the connector reported after sending (ADR 015); null until then, or when its cloud tells none. */
  outcome: DownlinkOutcome | null;
  /** The cloud's own words for the outcome (e.g. IoT Hub feedback's description). */
  outcomeDetail: string | null;
  outcomeAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DownlinkStore {
  enqueueDownlink(d: Omit<Downlink, 'id' | 'status' | 'error' | 'attempts' | 'outcome' | 'outcomeDetail' | 'outcomeAt' | 'createdAt' | 'updatedAt'>): Promise<Downlink>;
  getDownlink(id: string): Promise<Downlink | null>;
  /** Queued downlinks, oldest first. */
  listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]>;
  listDownlinks(query: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]>;
  markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void>;
  /**
   * Records a sent downlink's final outcome (ADR 015). The first outcome stays: a later one for the
   * same downlink (a redelivered feedback record) changes nothing and returns false; NOT_FOUND
   * for an unknown id.
   */
  recordDownlinkOutcome(id: string, outcome: DownlinkOutcome, detail: string | null, at: number): Promise<boolean>;
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

/**
 * Leases and checkpoints of partitioned sources (Kinesis shards, Event Hubs partitions), per
 * integration: the methods of `LeaseStore` (src/core/partitions.ts) with the integration id first.
 * A connector never calls these: its context binds them to its integration (`bindLeaseStore`,
 * ./leases.ts). ADR 008.
 *
 * - Every write but `ensureLeases` and `removeLeases` is a compare-and-set on the fencing token:
 *   `claimLease` on `expectedToken`, the others on the caller's `LeaseToken` (owner and token both
 *   current). A write that finds another token changes nothing and answers null or false.
 * - `claimLease` takes the lease whatever its expiry (free, expired, or stolen: the caller decides
 *   from `listLeases`), increments the token and returns the lease as the claim left it: the new
 *   owner resumes after the `checkpoint` it returns, never after one read before the claim.
 * - Expiry is the store's clock: `expiresAt` = now + ttlMs. SQLite: this process's clock.
 *   PostgreSQL: the database's clock, reported in the caller's (local now + the time the database
 *   says is left), so instances with skewed clocks still agree on which leases have expired.
 *   Nothing in the store refuses a write because a lease expired: fencing is by token alone.
 * - A commit's checkpoints (`UplinkCommit.checkpoints`) are written by `commitUplinks` in its
 *   transaction under the same compare-and-set; a stale one fails the commit with LEASE_LOST.
 */
export interface LeaseStoreRole {
  /** The integration's leases, by partition. */
  listLeases(integrationId: string): Promise<PartitionLease[]>;
  /** Creates the missing leases (unowned, token 0, no checkpoint); merges `meta` into existing ones. */
  ensureLeases(integrationId: string, partitions: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void>;
  /**
   * Sets owner, token + 1 and expiry now + ttlMs when the token is still `expectedToken` (a lease
   * that does not exist yet has token 0 and is created). Null when the token moved on.
   */
  claimLease(integrationId: string, partition: string, owner: string, expectedToken: number, ttlMs: number): Promise<PartitionLease | null>;
  /** Expiry now + ttlMs while `lease` is current (also after it expired, if nobody claimed it since). */
  renewLease(integrationId: string, partition: string, lease: LeaseToken, ttlMs: number): Promise<PartitionLease | null>;
  /** Owner null and expiry 0 (the token stays: the next claim expects it); false when not current. */
  releaseLease(integrationId: string, partition: string, lease: LeaseToken): Promise<boolean>;
  /** Writes the checkpoint outside a commit while `lease` is current; false when fenced out. */
  writeCheckpoint(integrationId: string, partition: string, lease: LeaseToken, position: string): Promise<boolean>;
  /** Merges `meta` while `lease` is current; false when fenced out. */
  setLeaseMeta(integrationId: string, partition: string, lease: LeaseToken, meta: Record<string, string>): Promise<boolean>;
  /** Deletes the leases (whoever holds them). */
  removeLeases(integrationId: string, partitions: string[]): Promise<void>;
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

/** What `Store.migrate` did: the migrations it applied (oldest first) and the schema version now. */
export interface MigrationReport {
  applied: Array<{ version: number; name: string }>;
  version: number;
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
  /** Deletes the token with this id (revokes it); false when there is none. */
  deleteToken(id: string): Promise<boolean>;
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
  truncateWal(): Promise<{ complete: boolean; walBytesBefore: number; walBytesAfter: number }>;
}

/** The whole store: every role, plus lifecycle. */
export interface Store extends IngestStore, EntityStore, TelemetryStore, AttributeStore, EventStore,
  DeadLetterStore, DownlinkStore, OutboxStore, ConfigStore, LeaseStoreRole, ConversionJournalStore, SettingsStore, AuditStore, RetentionStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Set by stores whose data lives in local files (SQLite). */
  readonly files?: StoreFiles;
  /** Applies pending migrations and says which ran. Idempotent. */
  migrate(): Promise<MigrationReport>;
  /** True when the store can serve requests (for /ready). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A JSON value as ThingsBoard's gateway API carries it (telemetry and attribute values). */
export type OutboxValue = string | number | boolean | null | OutboxValue[] | { [key: string]: OutboxValue };

/**
 * What a forwarder must send for one device, in the order it was committed (ADR 017). A commit
 * writes, per stored device record (assets are not forwarded: the gateway API carries devices)
 * and per forwarder: one `uplink` (left out when the record has neither telemetry nor attributes
 * but carries RPC replies or attribute requests), then one `rpc-reply` per RPC reply, then one
 * `attributes-request` per attribute request.
 */
export type OutboxEntry =
  /**
   * Stored data: telemetry grouped by the ts it was stored at (ascending; a point without ts may
   * have moved to the next free millisecond), values as JSON (long and double numbers, bool,
   * string, json parsed); the record's client attributes. Both may be empty (a device with no
   * data: the forwarder only connects it).
   */
  | { kind: 'uplink'; telemetry: Array<{ ts: number; values: Record<string, OutboxValue> }>; attributes: Record<string, OutboxValue> }
  /** The outcome of a server-side RPC: sent, failed with the error, or the device's reply. */
  | { kind: 'rpc-reply'; id: number; data: OutboxValue }
  | { kind: 'attributes-request'; id: number; client: boolean; keys: string[] };

export interface NewOutboxRow {
  forwarder: string;
  integrationId: string;
  deviceName: string;
  /** The device's type (profile name), for the gateway's `connect`: the record's type. */
  deviceType: string;
  entry: OutboxEntry;
}

export interface OutboxRow extends NewOutboxRow {
  /**
   * Increasing in commit order per forwarder (gaps allowed), never used twice: a row never
   * becomes visible below a seq a reader already saw, so reading after the last seq seen misses
   * nothing (PostgreSQL: commits writing a forwarder's rows serialise on its lock).
   */
  seq: number;
  createdAt: number;
}

/**
 * The forwarders' outbox (ADR 017): rows are written by `commitUplinks` (UplinkCommit.forward) in
 * the data's own transaction, or by `appendOutbox` (RPC outcomes, replayed dead letters); a
 * forwarder reads them in seq order and deletes them once its peer acknowledged them. Deleting an
 * integration leaves its rows (its data stays stored, so it is still forwarded).
 */
export interface OutboxStore {
  /** Writes rows outside a commit (one transaction), in order. */
  appendOutbox(rows: NewOutboxRow[]): Promise<void>;
  /** The forwarder's rows with seq > afterSeq, ascending, at most `limit`. */
  readOutbox(forwarder: string, afterSeq: number, limit: number): Promise<OutboxRow[]>;
  /** Deletes delivered rows (unknown seqs are ignored). */
  deleteOutbox(forwarder: string, seqs: number[]): Promise<void>;
  /**
   * Moves a refused row to the dead letters in one transaction (stage `forward`, the code and
   * reason, as payload the JSON of the row: forwarder, integrationId, deviceName, deviceType,
   * entry, seq, createdAt; metadata forwarder / deviceName / deviceType / seq / kind; sourceKey
   * `forward:<forwarder>:<seq>`; receivedAt the row's createdAt) and deletes it. Returns the dead
   * letter's id; null when the row is gone. Replaying the dead letter appends the row again.
   */
  rejectOutbox(forwarder: string, seq: number, errorCode: string, error: string): Promise<string | null>;
  /** Rows waiting and the creation time of the oldest (null when empty). */
  outboxStats(forwarder: string): Promise<{ depth: number; oldestAt: number | null }>;
  /**
   * Retention: dead-letters (code OUTBOX_RETENTION, as rejectOutbox) the forwarder's oldest rows
   * (in seq order) created before `olderThan`, then, beyond `maxRows`, its oldest rows. A chunk
   * of rows per transaction. Returns how many were moved.
   */
  expireOutbox(forwarder: string, opts: { olderThan: number; maxRows: number }): Promise<number>;
}
