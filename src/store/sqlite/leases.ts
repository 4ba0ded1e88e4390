/**
 * Partition leases and checkpoints (ADR 008): every write but ensure and remove is an UPDATE on
 * (integration, partition, owner, token) whose changed-row count says whether the caller still
 * held the lease. SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so a
 * compare-and-set here can never interleave with another writer's. Expiry is this process's clock
 * (`Date.now()`); other processes on the same database share the machine's clock.
 */
import type { CommitCheckpoint, LeaseToken, PartitionLease } from '../../core/partitions.ts';
import {
  byPartition, checkLeaseToken, checkOwner, checkPartition, checkPosition, checkToken, checkTtl, ensureList, leaseLost,
  LEASE_COLUMNS, metaJson, toLease, type LeaseRow,
} from '../leases.ts';
import type { SqliteDatabase } from './database.ts';

const CURRENT = 'integration_id = ? AND partition = ? AND owner = ? AND token = ?';

export class SqliteLeases {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  listLeases(integrationId: string): PartitionLease[] {
    const rows = this.#db.prepare(`SELECT ${LEASE_COLUMNS} FROM partition_leases WHERE integration_id = ?`).all(integrationId) as unknown as LeaseRow[];
    return byPartition(rows.map((r) => toLease(r)));
  }

  ensureLeases(integrationId: string, partitions: Array<{ partition: string; meta?: Record<string, string> }>): void {
    const list = ensureList(partitions);
    if (list.length === 0) return;
    const now = Date.now();
    this.#db.transaction(() => {
      const insert = this.#db.prepare(`INSERT INTO partition_leases (integration_id, partition, owner, token, expires_at, checkpoint, meta_json, updated_at)
        VALUES (?, ?, NULL, 0, 0, NULL, ?, ?)
        ON CONFLICT (integration_id, partition) DO UPDATE SET meta_json = json_patch(partition_leases.meta_json, excluded.meta_json),
          updated_at = excluded.updated_at
        WHERE excluded.meta_json <> '{}'`);
      for (const p of list) insert.run(integrationId, p.partition, p.metaJson, now);
    });
  }

  claimLease(integrationId: string, partition: string, owner: string, expectedToken: number, ttlMs: number): PartitionLease | null {
    checkPartition(partition);
    checkOwner(owner);
    checkToken(expectedToken);
    checkTtl(ttlMs);
    const now = Date.now();
    const expiresAt = now + Math.ceil(ttlMs);
    const row = this.#db.transaction(() => (expectedToken === 0
      // Token 0: never claimed, or not created yet (then the claim creates it).
      ? this.#db.prepare(`INSERT INTO partition_leases (integration_id, partition, owner, token, expires_at, checkpoint, meta_json, updated_at)
          VALUES (?, ?, ?, 1, ?, NULL, '{}', ?)
          ON CONFLICT (integration_id, partition) DO UPDATE SET owner = excluded.owner, token = partition_leases.token + 1,
            expires_at = excluded.expires_at, updated_at = excluded.updated_at
          WHERE partition_leases.token = 0
          RETURNING ${LEASE_COLUMNS}`).get(integrationId, partition, owner, expiresAt, now)
      : this.#db.prepare(`UPDATE partition_leases SET owner = ?, token = token + 1, expires_at = ?, updated_at = ?
          WHERE integration_id = ? AND partition = ? AND token = ?
          RETURNING ${LEASE_COLUMNS}`).get(owner, expiresAt, now, integrationId, partition, expectedToken))) as LeaseRow | undefined;
    return row === undefined ? null : toLease(row);
  }

  renewLease(integrationId: string, partition: string, lease: LeaseToken, ttlMs: number): PartitionLease | null {
    checkPartition(partition);
    checkLeaseToken(lease);
    checkTtl(ttlMs);
    const now = Date.now();
    const row = this.#db.transaction(() => this.#db.prepare(`UPDATE partition_leases SET expires_at = ?, updated_at = ? WHERE ${CURRENT}
      RETURNING ${LEASE_COLUMNS}`).get(now + Math.ceil(ttlMs), now, integrationId, partition, lease.owner, lease.token)) as LeaseRow | undefined;
    return row === undefined ? null : toLease(row);
  }

  releaseLease(integrationId: string, partition: string, lease: LeaseToken): boolean {
    checkPartition(partition);
    checkLeaseToken(lease);
    return this.#update('owner = NULL, expires_at = 0', [], integrationId, partition, lease);
  }

  writeCheckpoint(integrationId: string, partition: string, lease: LeaseToken, position: string): boolean {
    checkPartition(partition);
    checkLeaseToken(lease);
    checkPosition(position);
    return this.#update('checkpoint = ?', [position], integrationId, partition, lease);
  }

  setLeaseMeta(integrationId: string, partition: string, lease: LeaseToken, meta: Record<string, string>): boolean {
    checkPartition(partition);
    checkLeaseToken(lease);
    return this.#update('meta_json = json_patch(meta_json, ?)', [metaJson(meta)], integrationId, partition, lease);
  }

  removeLeases(integrationId: string, partitions: string[]): void {
    if (partitions.length === 0) return;
    for (const p of partitions) checkPartition(p);
    this.#db.transaction(() => {
      const del = this.#db.prepare('DELETE FROM partition_leases WHERE integration_id = ? AND partition = ?');
      for (const p of partitions) del.run(integrationId, p);
    });
  }

  /**
   * Writes a commit's checkpoints inside its transaction (the caller's), in partition order;
   * throws LEASE_LOST at the first whose lease is not current, which rolls the commit back.
   */
  commitCheckpoints(integrationId: string, checkpoints: readonly CommitCheckpoint[], now: number): void {
    for (const c of checkpoints) {
      const changed = this.#db.prepare(`UPDATE partition_leases SET checkpoint = ?, updated_at = ? WHERE ${CURRENT}`)
        .run(c.position, now, integrationId, c.partition, c.lease.owner, c.lease.token).changes;
      if (Number(changed) === 0) {
        const current = this.#db.prepare('SELECT owner, token FROM partition_leases WHERE integration_id = ? AND partition = ?')
          .get(integrationId, c.partition) as { owner: string | null; token: number } | undefined;
        throw leaseLost(integrationId, c, current);
      }
    }
  }

  /** Forgets every lease of the integration (it is being deleted); the caller provides the transaction. */
  deleteFor(integrationId: string): void {
    this.#db.prepare('DELETE FROM partition_leases WHERE integration_id = ?').run(integrationId);
  }

  /** One compare-and-set UPDATE in its own transaction: true when the lease was current. */
  #update(set: string, values: Array<string | number>, integrationId: string, partition: string, lease: LeaseToken): boolean {
    return this.#db.transaction(() => Number(this.#db.prepare(`UPDATE partition_leases SET ${set}, updated_at = ? WHERE ${CURRENT}`)
      .run(...values, Date.now(), integrationId, partition, lease.owner, lease.token).changes) > 0);
  }
}
