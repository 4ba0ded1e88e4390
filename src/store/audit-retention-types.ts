/**
 * The store roles of the audit log (docs/audit.md) and of retention (docs/operations.md), kept
 * apart from types.ts, which re-exports them.
 */
import type { RetentionKind } from '../core/retention.ts';

export type { RetentionKind } from '../core/retention.ts';

/** What an audit entry is about (docs/audit.md). */
export type AuditEntityKind = 'integration' | 'converter' | 'forwarder' | 'token' | 'dead-letter';
/** Where a change came from: the REST API (actor: the token's name), the command line, the config file (at start or reload). */
export type AuditSource = 'api' | 'cli' | 'config-file';
export type AuditAction = 'create' | 'update' | 'delete' | 'enable' | 'disable' | 'replay' | 'discard';

/** One change. `before` / `after`: the object as JSON with its secrets redacted (null when it did not / no longer exists). */
export interface AuditInput {
  ts: number;
  source: AuditSource;
  /** The API token's name, `cli` or `config-file`. */
  actor: string;
  action: AuditAction;
  entityKind: AuditEntityKind;
  entityId: string;
  entityName: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditEntry extends AuditInput {
  id: string;
}

export interface AuditQuery {
  entityKind?: AuditEntityKind;
  /** The entity's id or name. */
  entity?: string;
  actor?: string;
  action?: AuditAction;
  source?: AuditSource;
  /** Entries with `ts >= from` / `ts < to` (ms). */
  from?: number;
  to?: number;
  /** Entries strictly older than this id's entry (paging), newest first; NOT_FOUND when it is not stored. */
  before?: string;
  limit?: number;
}

export interface AuditStore {
  /** Writes the entries in one transaction, in order. */
  addAudit(entries: AuditInput[]): Promise<void>;
  /** Newest first (ts, then insertion order). */
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes the entries older than `olderThan` (ms); returns how many. */
  pruneAudit(olderThan: number): Promise<number>;
}

/** Whose rows a prune deletes: one integration's, or those of every integration not listed (and of none). */
export type RetentionScope = { integrationId: string } | { except: readonly string[] };

/**
 * Retention: deleting old rows in bounded batches, so that ingest keeps committing in between.
 * A row's age and owner per kind: telemetry points by their ts, owned by the integration that
 * created their device (the latest values are never pruned); events by ts; dead letters by
 * creation time; downlinks by creation time, only once sent or failed (queued ones stay).
 */
export interface RetentionStore {
  /**
   * Deletes at most `limit` rows of the kind in the scope older than `olderThan` (epoch ms).
   * Returns how many, and a cursor to pass to the next call; null when nothing older is left
   * (start with null).
   */
  pruneOlderThan(kind: RetentionKind, scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): Promise<{ deleted: number; cursor: string | null }>;
  /** Epoch ms of the oldest row kept of the kind (null when there is none). */
  oldestRow(kind: RetentionKind): Promise<number | null>;
  /** Bytes the store takes: SQLite the database file and its WAL, PostgreSQL the database. */
  storeSizeBytes(): Promise<number>;
}
