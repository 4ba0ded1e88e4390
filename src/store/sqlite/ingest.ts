/**
 * The ingest hot path: one transaction per UplinkCommit that deduplicates, provisions, writes
 * telemetry, latest values, client attributes, dead letters and events, all or nothing.
 *
 * Items are decided one by one in order (dedupe, provisioning, dead letters). Their data rows are
 * buffered and written at the end with multi-row statements, in key order (neighbouring rows share
 * B-tree pages, which makes the inserts cheaper); points with the same (entity, key, ts) keep item
 * order and latest values and attributes are coalesced per key, so the last write wins and the
 * rows end up as writing each in turn would leave them. A commit costs about one WAL frame per
 * page it changes (bench/store-ingest.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DeadLetterInput, DedupeMode, EntityRecord } from '../../core/model.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { entityCacheKey, type EntityCache } from '../entity-cache.ts';
import { creationForbiddenMessage } from '../input-checks.ts';
import { toKvColumns, type KvColumns } from '../kv-columns.ts';
import type { UplinkCommit, UplinkCommitItem, UplinkCommitResult, UplinkItemResult } from '../types.ts';
import type { SqliteAttributes } from './attributes.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteDeadLetters } from './dead-letters.ts';
import { compareStoredKeys, storedSourceKey, type SqliteDedupeKeys, type StoredSourceKey } from './dedupe-keys.ts';
import type { SqliteEntities } from './entities.ts';
import type { SqliteEvents } from './events.ts';
import { pushKv } from './kv-params.ts';
import type { SqliteTelemetry } from './telemetry.ts';

export interface IngestParts {
  db: SqliteDatabase;
  entities: SqliteEntities;
  telemetry: SqliteTelemetry;
  attributes: SqliteAttributes;
  events: SqliteEvents;
  deadLetters: SqliteDeadLetters;
  dedupe: SqliteDedupeKeys;
  cache: EntityCache;
}

interface LatestPoint {
  ts: number;
  kv: KvColumns;
}

interface Point extends LatestPoint {
  entitySeq: number;
  keyId: number;
}

/** Table order; Array.prototype.sort is stable, so equal keys keep item order. */
function byPointKey(a: Point, b: Point): number {
  return a.entitySeq - b.entitySeq || a.keyId - b.keyId || a.ts - b.ts;
}

/**
 * State of one commit's transaction. The maps of resolved entities, telemetry key ids and
 * integration ids reach the in-memory caches only after COMMIT.
 */
interface TxState {
  commit: UplinkCommit;
  now: number;
  /** The integration's dedupe id. */
  integration: number;
  resolved: Map<string, number>;
  keyIds: Map<string, number>;
  integrationIds: Map<string, number>;
  /** sourceKeys recorded by this commit, and their stored forms. */
  recorded: Set<string>;
  dedupeKeys: StoredSourceKey[];
  points: Point[];
  /** entity seq → key id → newest point of this commit. */
  latest: Map<number, Map<number, LatestPoint>>;
  attributes: AttributeWrites;
}

export class SqliteIngest {
  readonly #p: IngestParts;

  constructor(parts: IngestParts) {
    this.#p = parts;
  }

  commitUplinks(commit: UplinkCommit): UplinkCommitResult {
    const tx: TxState = {
      commit, now: Date.now(), integration: 0, resolved: new Map(), keyIds: new Map(), integrationIds: new Map(),
      recorded: new Set(), dedupeKeys: [], points: [], latest: new Map(), attributes: new AttributeWrites('client'),
    };
    const results = this.#p.db.transaction(() => {
      tx.integration = this.#p.dedupe.integration(commit.integrationId, tx.integrationIds);
      const out = commit.items.map((item) => this.#commitItem(tx, item));
      this.#flush(tx);
      for (const e of commit.events ?? []) this.#p.events.insert(e);
      return out;
    });
    this.#p.cache.publish(tx.resolved);
    this.#p.telemetry.keys.publish(tx.keyIds);
    this.#p.dedupe.publish(tx.integrationIds);
    return { results };
  }

  pruneDedupeKeys(olderThan: number): Promise<number> {
    return this.#p.dedupe.prune(olderThan);
  }

  deleteDedupeKeysFor(integrationId: string): void {
    this.#p.dedupe.deleteFor(integrationId);
  }

  #commitItem(tx: TxState, item: UplinkCommitItem): UplinkItemResult {
    if (!this.#recordKey(tx, item.sourceKey, item.dedupe ?? 'check')) return { status: 'duplicate' };
    if (item.outcome.kind === 'dead-letter') return this.#deadLetter(tx, item, item.outcome.deadLetter);

    const records = item.outcome.records;
    const seqs = records.map((r) => this.#lookup(tx, r));
    if (!tx.commit.allowCreateDevices) {
      const missing = records.filter((_, i) => seqs[i] === undefined);
      if (missing.length > 0) {
        return this.#deadLetter(tx, item, { stage: 'provision', errorCode: 'DEVICE_CREATION_FORBIDDEN', error: creationForbiddenMessage(missing) });
      }
    }
    const createdEntities: string[] = [];
    records.forEach((record, i) => {
      // A record earlier in this item may have created the entity since the lookup above.
      let entitySeq = seqs[i] ?? this.#lookup(tx, record);
      if (entitySeq === undefined) {
        entitySeq = this.#create(tx, record);
        createdEntities.push(record.name);
      }
      this.#writeRecord(tx, entitySeq, record);
    });
    return { status: 'stored', createdEntities };
  }

  /**
   * Records the item's key; false when the item is a duplicate. `check`: a key committed before
   * or recorded earlier in this commit makes it a duplicate. `record-only`: never a duplicate;
   * the key's committed_at moves to now.
   */
  #recordKey(tx: TxState, sourceKey: string, mode: DedupeMode): boolean {
    if (tx.recorded.has(sourceKey)) return mode !== 'check';
    const key = storedSourceKey(sourceKey);
    if (mode === 'check' && this.#p.dedupe.exists(tx.integration, key)) return false;
    tx.recorded.add(sourceKey);
    tx.dedupeKeys.push(key);
    return true;
  }

  #lookup(tx: TxState, r: EntityRecord): number | undefined {
    const key = entityCacheKey(r.kind, r.name);
    const known = tx.resolved.get(key) ?? this.#p.cache.get(key);
    if (known !== undefined) return known;
    const found = this.#p.entities.findSeq(r.kind, r.name);
    if (found !== undefined) tx.resolved.set(key, found);
    return found;
  }

  /** Creates the entity; name, type, label, customer and group apply only here (ThingsBoard rule). */
  #create(tx: TxState, r: EntityRecord): number {
    const seq = this.#p.entities.insert({
      id: randomUUID(), kind: r.kind, name: r.name, type: r.type, label: r.label ?? null, customerName: r.customerName ?? null,
      groupName: r.groupName ?? null, createdByIntegrationId: tx.commit.integrationId, createdAt: tx.now,
    });
    tx.resolved.set(entityCacheKey(r.kind, r.name), seq);
    return seq;
  }

  #writeRecord(tx: TxState, entitySeq: number, r: EntityRecord): void {
    let latest: Map<number, LatestPoint> | undefined;
    for (const p of r.telemetry) {
      const point: Point = { entitySeq, keyId: this.#p.telemetry.keys.intern(p.key, tx.keyIds), ts: p.ts, kv: toKvColumns(p.value) };
      tx.points.push(point);
      latest ??= this.#latestOf(tx, entitySeq);
      const current = latest.get(point.keyId);
      if (current === undefined || point.ts >= current.ts) latest.set(point.keyId, point);
    }
    for (const a of r.attributes) tx.attributes.set(entitySeq, a.key, toKvColumns(a.value));
  }

  #latestOf(tx: TxState, entitySeq: number): Map<number, LatestPoint> {
    let byKey = tx.latest.get(entitySeq);
    if (byKey === undefined) {
      byKey = new Map();
      tx.latest.set(entitySeq, byKey);
    }
    return byKey;
  }

  /** Writes the buffered rows; inside the transaction, before COMMIT. */
  #flush(tx: TxState): void {
    const points = this.#p.telemetry.pointBuffer();
    for (const p of tx.points.sort(byPointKey)) {
      points.values.push(p.entitySeq, p.keyId, p.ts);
      pushKv(points.values, p.kv);
      points.endRow();
    }
    points.flush();
    const latest = this.#p.telemetry.latestBuffer();
    for (const [entitySeq, byKey] of tx.latest) {
      for (const [keyId, p] of byKey) {
        latest.values.push(entitySeq, keyId, p.ts);
        pushKv(latest.values, p.kv);
        latest.endRow();
      }
    }
    latest.flush();
    this.#p.attributes.write(tx.attributes, tx.now);
    const keys = this.#p.dedupe.recordBuffer();
    for (const key of tx.dedupeKeys.sort(compareStoredKeys)) {
      keys.values.push(tx.integration, key, tx.now);
      keys.endRow();
    }
    keys.flush();
  }

  #deadLetter(tx: TxState, item: UplinkCommitItem, d: DeadLetterInput): UplinkItemResult {
    const deadLetterId = this.#p.deadLetters.insert({
      integrationId: tx.commit.integrationId, sourceKey: item.sourceKey, stage: d.stage, errorCode: d.errorCode,
      error: d.error, payload: item.payload, metadata: item.metadata, receivedAt: item.receivedAt,
    }, tx.now);
    return { status: 'dead-lettered', deadLetterId };
  }
}
