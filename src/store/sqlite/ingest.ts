/**
 * The ingest hot path: one transaction per UplinkCommit that deduplicates, provisions, writes
 * telemetry, latest values, client attributes, dead letters and events, all or nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DeadLetterInput, EntityRecord } from '../../core/model.ts';
import { toKvColumns } from '../kv-columns.ts';
import type { UplinkCommit, UplinkCommitItem, UplinkCommitResult, UplinkItemResult } from '../types.ts';
import type { SqliteAttributes } from './attributes.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteDeadLetters } from './dead-letters.ts';
import type { SqliteEntities } from './entities.ts';
import { entityCacheKey, type EntityCache } from './entity-cache.ts';
import type { SqliteEvents } from './events.ts';
import { kvParams, type KvParams } from './kv-params.ts';
import type { SqliteTelemetry } from './telemetry.ts';

export interface IngestParts {
  db: SqliteDatabase;
  entities: SqliteEntities;
  telemetry: SqliteTelemetry;
  attributes: SqliteAttributes;
  events: SqliteEvents;
  deadLetters: SqliteDeadLetters;
  cache: EntityCache;
}

interface LatestPoint {
  entitySeq: number;
  key: string;
  ts: number;
  kv: KvParams;
}

/** State of one commit's transaction; `resolved` reaches the entity cache only after COMMIT. */
interface TxState {
  commit: UplinkCommit;
  now: number;
  resolved: Map<string, number>;
  latest: Map<string, LatestPoint>;
}

const CHECK_KEY = 'INSERT INTO dedupe_keys (integration_id, source_key, committed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING';
const RECORD_KEY = `INSERT INTO dedupe_keys (integration_id, source_key, committed_at) VALUES (?, ?, ?)
  ON CONFLICT (integration_id, source_key) DO UPDATE SET committed_at = excluded.committed_at`;
const PRUNE_CHUNK = 10_000;

function forbiddenMessage(missing: EntityRecord[]): string {
  const names = [...new Set(missing.map((r) => `${r.kind === 'ASSET' ? 'asset' : 'device'} "${r.name}"`))];
  return `${names.join(', ')} ${names.length === 1 ? 'does' : 'do'} not exist and this integration may not create devices (allowCreateDevices is off)`;
}

export class SqliteIngest {
  readonly #p: IngestParts;

  constructor(parts: IngestParts) {
    this.#p = parts;
  }

  commitUplinks(commit: UplinkCommit): UplinkCommitResult {
    const tx: TxState = { commit, now: Date.now(), resolved: new Map(), latest: new Map() };
    const results = this.#p.db.transaction(() => {
      const out = commit.items.map((item) => this.#commitItem(tx, item));
      for (const p of tx.latest.values()) this.#p.telemetry.upsertLatest(p.entitySeq, p.key, p.ts, p.kv);
      for (const e of commit.events ?? []) this.#p.events.insert(e);
      return out;
    });
    this.#p.cache.publish(tx.resolved);
    return { results };
  }

  /** Deletes in chunks, yielding to the event loop between them so ingest keeps flowing. */
  async pruneDedupeKeys(olderThan: number): Promise<number> {
    const stmt = `DELETE FROM dedupe_keys WHERE (integration_id, source_key) IN (
      SELECT integration_id, source_key FROM dedupe_keys WHERE committed_at < ? LIMIT ${PRUNE_CHUNK})`;
    let total = 0;
    for (;;) {
      const removed = Number(this.#p.db.transaction(() => this.#p.db.prepare(stmt).run(olderThan).changes));
      total += removed;
      if (removed < PRUNE_CHUNK) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  deleteDedupeKeysFor(integrationId: string): void {
    this.#p.db.prepare('DELETE FROM dedupe_keys WHERE integration_id = ?').run(integrationId);
  }

  #commitItem(tx: TxState, item: UplinkCommitItem): UplinkItemResult {
    const { integrationId, allowCreateDevices } = tx.commit;
    const mode = item.dedupe ?? 'check';
    if (mode === 'check') {
      const { changes } = this.#p.db.prepare(CHECK_KEY).run(integrationId, item.sourceKey, tx.now);
      if (Number(changes) === 0) return { status: 'duplicate' };
    } else {
      this.#p.db.prepare(RECORD_KEY).run(integrationId, item.sourceKey, tx.now);
    }
    if (item.outcome.kind === 'dead-letter') return this.#deadLetter(tx, item, item.outcome.deadLetter);

    const records = item.outcome.records;
    const seqs = records.map((r) => this.#lookup(tx, r));
    if (!allowCreateDevices) {
      const missing = records.filter((_, i) => seqs[i] === undefined);
      if (missing.length > 0) {
        return this.#deadLetter(tx, item, { stage: 'provision', errorCode: 'DEVICE_CREATION_FORBIDDEN', error: forbiddenMessage(missing) });
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
    for (const p of r.telemetry) {
      const kv = kvParams(toKvColumns(p.value));
      this.#p.telemetry.upsertPoint(entitySeq, p.key, p.ts, kv);
      const latestKey = `${entitySeq}\u0000${p.key}`;
      const current = tx.latest.get(latestKey);
      if (current === undefined || p.ts >= current.ts) tx.latest.set(latestKey, { entitySeq, key: p.key, ts: p.ts, kv });
    }
    for (const a of r.attributes) {
      this.#p.attributes.upsert(entitySeq, 'client', a.key, kvParams(toKvColumns(a.value)), tx.now);
    }
  }

  #deadLetter(tx: TxState, item: UplinkCommitItem, d: DeadLetterInput): UplinkItemResult {
    const deadLetterId = this.#p.deadLetters.insert({
      integrationId: tx.commit.integrationId, sourceKey: item.sourceKey, stage: d.stage, errorCode: d.errorCode,
      error: d.error, payload: item.payload, metadata: item.metadata, receivedAt: item.receivedAt,
    }, tx.now);
    return { status: 'dead-lettered', deadLetterId };
  }
}
