/**
 * The ingest hot path: one transaction per UplinkCommit that writes the partition checkpoints
 * (fenced by their lease tokens), deduplicates, provisions, writes telemetry, latest values, client
 * attributes, dead letters and events, all or nothing.
 *
 * The dedupe keys are claimed first (../dedupe-plan.ts, ./dedupe-keys.ts), then the live items are
 * decided one by one in order (provisioning, dead letters). Their data rows are
 * buffered and written at the end with multi-row statements, in key order (neighbouring rows share
 * B-tree pages, which makes the inserts cheaper). Points follow ../commit-telemetry.ts: a point
 * with its own ts replaces its slot's value (the last write wins, an overwrite from another
 * message is counted), one without ts moves to the next free millisecond. Latest values and
 * attributes are coalesced per key. A commit that forwards (UplinkCommit.forward) writes the
 * outbox rows of its stored device records last, with the ts each point was stored at. A commit costs about one WAL frame per page it changes
 * (bench/store-ingest.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DeadLetterInput, EntityRecord } from '../../core/model.ts';
import { eventsWithResults } from '../../core/batch-commit.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { CommitTelemetry, type SlotPoint } from '../commit-telemetry.ts';
import { liveItems, planDedupe } from '../dedupe-plan.ts';
import { entityCacheKey, type EntityCache } from '../entity-cache.ts';
import { creationForbiddenMessage } from '../input-checks.ts';
import { checkedCheckpoints } from '../leases.ts';
import { toKvColumns } from '../kv-columns.ts';
import { OutboxCollector } from '../outbox-rows.ts';
import type { UplinkCommit, UplinkCommitItem, UplinkCommitResult, UplinkItemResult } from '../types.ts';
import type { SqliteAttributes } from './attributes.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteDeadLetters } from './dead-letters.ts';
import type { SqliteDedupeKeys } from './dedupe-keys.ts';
import type { SqliteEntities } from './entities.ts';
import type { SqliteEvents } from './events.ts';
import type { SqliteLeases } from './leases.ts';
import type { SqliteOutbox } from './outbox.ts';
import { StaleSlotHint, type SqliteTelemetry } from './telemetry.ts';

export interface IngestParts {
  db: SqliteDatabase;
  entities: SqliteEntities;
  telemetry: SqliteTelemetry;
  attributes: SqliteAttributes;
  events: SqliteEvents;
  deadLetters: SqliteDeadLetters;
  dedupe: SqliteDedupeKeys;
  leases: SqliteLeases;
  outbox: SqliteOutbox;
  cache: EntityCache;
}

/**
 * State of one commit's transaction. The maps of resolved entities, telemetry key ids and
 * integration ids reach the in-memory caches only after COMMIT.
 */
interface TxState {
  commit: UplinkCommit;
  now: number;
  resolved: Map<string, number>;
  keyIds: Map<string, number>;
  integrationIds: Map<string, number>;
  telemetry: CommitTelemetry<number>;
  attributes: AttributeWrites;
  /** The outbox rows of the stored records, when the commit forwards (ADR 017). */
  outbox: OutboxCollector<number> | null;
}

export class SqliteIngest {
  readonly #p: IngestParts;

  constructor(parts: IngestParts) {
    this.#p = parts;
  }

  commitUplinks(commit: UplinkCommit): UplinkCommitResult {
    try {
      return this.#commitOnce(commit);
    } catch (err) {
      if (!(err instanceof StaleSlotHint)) throw err;
      // Another writer took a slot this store expected to be free (the transaction rolled back):
      // forget the hints and commit again, asking the database about every slot.
      this.#p.telemetry.runs.clear();
      return this.#commitOnce(commit);
    }
  }

  #commitOnce(commit: UplinkCommit): UplinkCommitResult {
    const checkpoints = checkedCheckpoints(commit.checkpoints);
    const tx: TxState = {
      commit, now: Date.now(), resolved: new Map(), keyIds: new Map(), integrationIds: new Map(), telemetry: new CommitTelemetry(this.#p.telemetry.runs), attributes: new AttributeWrites('client'),
      outbox: commit.forward !== undefined && commit.forward.length > 0 ? new OutboxCollector(commit.forward, commit.integrationId) : null,
    };
    const results = this.#p.db.transaction(() => {
      // First: a fenced-out owner's commit stops here, and its LEASE_LOST rolls everything back.
      this.#p.leases.commitCheckpoints(commit.integrationId, checkpoints, tx.now);
      const live = this.#claimKeys(tx);
      const out = commit.items.map((item, index) => (live[index] === true ? this.#commitItem(tx, item, index) : { status: 'duplicate' as const }));
      this.#flush(tx);
      for (const [index, r] of out.entries()) {
        const overwritten = tx.telemetry.overwrittenBy(index);
        if (r.status === 'stored' && overwritten > 0) r.overwritten = overwritten;
      }
      for (const e of eventsWithResults(commit.events, out)) this.#p.events.insert(e);
      return out;
    });
    this.#p.cache.publish(tx.resolved);
    tx.telemetry.committed();
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

  /** Records the commit's dedupe keys; which items are live, in order (../dedupe-plan.ts). */
  #claimKeys(tx: TxState): boolean[] {
    const { items, integrationId } = tx.commit;
    const plan = planDedupe(items);
    if (plan.claim.length + plan.touch.length === 0) return items.map(() => true);
    const integration = this.#p.dedupe.integration(integrationId, tx.integrationIds);
    const generations = this.#p.dedupe.generations();
    const claimed = this.#p.dedupe.claim(generations, integration, integrationId, plan.claim);
    this.#p.dedupe.touch(generations, integration, integrationId, plan.touch.filter((k) => !claimed.has(k)));
    return liveItems(items, claimed);
  }

  #commitItem(tx: TxState, item: UplinkCommitItem, index: number): UplinkItemResult {
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
      this.#writeRecord(tx, index, entitySeq, record);
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

  #writeRecord(tx: TxState, index: number, entitySeq: number, r: EntityRecord): void {
    const points: Array<SlotPoint<number>> | null = tx.outbox === null ? null : [];
    for (const p of r.telemetry) {
      const point = tx.telemetry.add(index, entitySeq, this.#p.telemetry.keys.intern(p.key, tx.keyIds), p, toKvColumns(p.value));
      points?.push(point);
    }
    for (const a of r.attributes) tx.attributes.set(entitySeq, a.key, toKvColumns(a.value));
    if (points !== null) tx.outbox?.add(r, points);
  }

  /** Writes the buffered rows; inside the transaction, before COMMIT. The outbox's come last: they carry the points' final ts. */
  #flush(tx: TxState): void {
    this.#p.telemetry.write(tx.telemetry);
    this.#p.attributes.write(tx.attributes, tx.now);
    if (tx.outbox !== null) this.#p.outbox.insert(tx.outbox.rows(tx.telemetry), tx.now);
  }

  #deadLetter(tx: TxState, item: UplinkCommitItem, d: DeadLetterInput): UplinkItemResult {
    const deadLetterId = this.#p.deadLetters.insert({
      integrationId: tx.commit.integrationId, sourceKey: item.sourceKey, stage: d.stage, errorCode: d.errorCode,
      error: d.error, payload: item.payload, metadata: item.metadata, receivedAt: item.receivedAt,
    }, tx.now);
    return { status: 'dead-lettered', deadLetterId };
  }
}
