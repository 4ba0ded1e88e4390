/**
 * The ingest hot path: one transaction per UplinkCommit that deduplicates, provisions, writes
 * telemetry, latest values, client attributes, dead letters and events, all or nothing, with a
 * fixed number of batched statements whatever the batch size:
 *
 *   checkpoints (fenced) → lock the dedupe generations → claim dedupe keys → touch record-only keys
 *   → look up entities → create missing entities
 *   (→ re-select those a concurrent commit created) → points (new slots; replaced slots; points
 *   without ts, moved past taken slots) → latest → attributes → dead letters → events
 *   → outbox rows of a commit that forwards (ADR 017; with the points' final ts) → COMMIT
 *
 * Two instances may commit for the same integration and devices at once (competing consumers):
 * a dedupe key the other commits first makes this item a duplicate, and an entity the other
 * creates first is used, not created twice. Entities resolved or created reach the in-memory
 * cache only after COMMIT.
 */
import { randomUUID } from 'node:crypto';
import { eventsWithResults } from '../../core/batch-commit.ts';
import type { DeadLetterInput, EntityKind, EntityRecord } from '../../core/model.ts';
import { entityCacheKey, type EntityCache } from '../entity-cache.ts';
import { creationForbiddenMessage } from '../input-checks.ts';
import { checkedCheckpoints } from '../leases.ts';
import type { Entity, UplinkCommit, UplinkCommitResult, UplinkItemResult } from '../types.ts';
import type { PostgresAttributes } from './attributes.ts';
import type { PostgresDatabase, Sql } from './database.ts';
import { DeadLetterRows, type PostgresDeadLetters } from './dead-letters.ts';
import { liveItems, planDedupe } from '../dedupe-plan.ts';
import type { PostgresDedupeKeys } from './dedupe-keys.ts';
import type { PostgresEntities } from './entities.ts';
import type { PostgresEvents } from './events.ts';
import type { PostgresLeases } from './leases.ts';
import type { PostgresOutbox } from './outbox.ts';
import { IngestRows } from './ingest-rows.ts';
import type { PostgresTelemetry } from './telemetry.ts';

export interface IngestParts {
  db: PostgresDatabase;
  entities: PostgresEntities;
  telemetry: PostgresTelemetry;
  attributes: PostgresAttributes;
  events: PostgresEvents;
  deadLetters: PostgresDeadLetters;
  dedupe: PostgresDedupeKeys;
  leases: PostgresLeases;
  outbox: PostgresOutbox;
  cache: EntityCache;
}

/** The entities a commit's live items name, resolved to their keys inside the transaction. */
interface Resolution {
  /** cache key → seq, of every entity found or created (published after COMMIT). */
  seqs: Map<string, number>;
  /** cache key → index of the item that created the entity. */
  createdBy: Map<string, number>;
}

export class PostgresIngest {
  readonly #p: IngestParts;

  constructor(parts: IngestParts) {
    this.#p = parts;
  }

  async commitUplinks(commit: UplinkCommit): Promise<UplinkCommitResult> {
    const plan = planDedupe(commit.items);
    const checkpoints = checkedCheckpoints(commit.checkpoints);
    const { results, seqs, telemetry } = await this.#p.db.transaction(async (sql) => {
      const now = Date.now();
      // First: locks the leases' rows until COMMIT (a concurrent claim waits, then sees the new
      // checkpoint), and a fenced-out owner's commit stops here; LEASE_LOST rolls it all back.
      await this.#p.leases.commitCheckpoints(sql, commit.integrationId, checkpoints, now);
      let claimed = new Set<string>();
      if (plan.claim.length + plan.touch.length > 0) {
        const generations = await this.#p.dedupe.generations(sql);
        claimed = await this.#p.dedupe.claim(sql, generations, commit.integrationId, plan.claim);
        await this.#p.dedupe.touch(sql, generations, commit.integrationId, plan.touch.filter((k) => !claimed.has(k)));
      }
      const live = liveItems(commit.items, claimed);
      const resolution = await this.#resolve(sql, commit, live, now);

      const rows = new IngestRows(this.#p.telemetry, commit);
      const deadLetters = new DeadLetterRows();
      const out = commit.items.map((item, index): UplinkItemResult => {
        if (live[index] !== true) return { status: 'duplicate' };
        const deadLetter = (d: DeadLetterInput): UplinkItemResult => ({
          status: 'dead-lettered',
          deadLetterId: deadLetters.add({
            ...d, integrationId: commit.integrationId, sourceKey: item.sourceKey, payload: item.payload, metadata: item.metadata,
            receivedAt: item.receivedAt,
          }),
        });
        if (item.outcome.kind === 'dead-letter') return deadLetter(item.outcome.deadLetter);
        const records = item.outcome.records;
        // Only when creation is forbidden: otherwise #resolve found or created every entity.
        const missing = records.filter((r) => !resolution.seqs.has(entityCacheKey(r.kind, r.name)));
        if (missing.length > 0) {
          return deadLetter({ stage: 'provision', errorCode: 'DEVICE_CREATION_FORBIDDEN', error: creationForbiddenMessage(missing) });
        }
        const createdEntities: string[] = [];
        const listed = new Set<string>();
        for (const r of records) {
          const key = entityCacheKey(r.kind, r.name);
          if (resolution.createdBy.get(key) === index && !listed.has(key)) {
            listed.add(key);
            createdEntities.push(r.name);
          }
          rows.add(index, resolution.seqs.get(key) ?? 0, r);
        }
        return { status: 'stored', createdEntities };
      });

      await rows.flush(sql, this.#p.telemetry, this.#p.attributes, now);
      for (const [index, r] of out.entries()) {
        const overwritten = rows.telemetry.overwrittenBy(index);
        if (r.status === 'stored' && overwritten > 0) r.overwritten = overwritten;
      }
      await this.#p.deadLetters.insert(sql, deadLetters, now);
      await this.#p.events.insert(sql, eventsWithResults(commit.events, out));
      // Last: it takes the forwarders' locks until COMMIT (./outbox.ts).
      await this.#p.outbox.insert(sql, rows.outboxRows(), now);
      return { results: out, seqs: resolution.seqs, telemetry: rows.telemetry };
    });
    this.#p.cache.publish(seqs);
    telemetry.committed();
    return { results };
  }

  pruneDedupeKeys(olderThan: number): Promise<number> {
    return this.#p.dedupe.prune(olderThan);
  }

  /**
   * Finds the entities the live items name (cache, then one query) and, when creation is
   * allowed, creates the missing ones from the first record naming each, in item order.
   */
  async #resolve(sql: Sql, commit: UplinkCommit, live: boolean[], now: number): Promise<Resolution> {
    const seqs = new Map<string, number>();
    const createdBy = new Map<string, number>();
    /** Uncached entities, with the first record and item naming each. */
    const unknown = new Map<string, { record: EntityRecord; index: number }>();
    commit.items.forEach((item, index) => {
      if (live[index] !== true || item.outcome.kind !== 'records') return;
      for (const record of item.outcome.records) {
        const key = entityCacheKey(record.kind, record.name);
        if (seqs.has(key) || unknown.has(key)) continue;
        const cached = this.#p.cache.get(key);
        if (cached === undefined) unknown.set(key, { record, index });
        else seqs.set(key, cached);
      }
    });
    if (unknown.size === 0) return { seqs, createdBy };

    const lookup = async (keys: string[]): Promise<void> => {
      const wanted = keys.map((k) => unknown.get(k)?.record).filter((r): r is EntityRecord => r !== undefined);
      const found = await this.#p.entities.findSeqs(sql, wanted.map((r) => r.kind), wanted.map((r) => r.name));
      for (const f of found) seqs.set(entityCacheKey(f.kind, f.name), f.seq);
    };
    await lookup([...unknown.keys()]);
    if (!commit.allowCreateDevices) return { seqs, createdBy };

    // Sorted by (kind, name): concurrent commits creating the same entities wait for each other.
    const missing = [...unknown].filter(([key]) => !seqs.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (missing.length === 0) return { seqs, createdBy };
    const created = await this.#p.entities.insertMissing(sql, missing.map(([, { record }]): Entity => ({
      id: randomUUID(), kind: record.kind, name: record.name, type: record.type, label: record.label ?? null,
      customerName: record.customerName ?? null, groupName: record.groupName ?? null,
      createdByIntegrationId: commit.integrationId, createdAt: now,
    })));
    for (const c of created) {
      const key = entityCacheKey(c.kind as EntityKind, c.name);
      seqs.set(key, c.seq);
      createdBy.set(key, unknown.get(key)?.index ?? -1);
    }
    // Entities a concurrent commit created first (the insert waited for it, then skipped them).
    const raced = missing.map(([key]) => key).filter((key) => !seqs.has(key));
    if (raced.length > 0) await lookup(raced);
    return { seqs, createdBy };
  }
}
