/**
 * Partition leases and checkpoints (ADR 008) shared by every instance on the database. Every
 * write but ensure and remove is one UPDATE (or INSERT ... ON CONFLICT DO UPDATE) whose WHERE
 * holds the expected token: under READ COMMITTED a second writer of the row waits for the first
 * to commit, then re-evaluates its WHERE on the row the first left, so of two instances presenting
 * the same token exactly one wins and no update is lost.
 *
 * Expiry is the database's clock (`statement_timestamp()`), so instances need no synchronised
 * clocks: `expiresAt` is reported in the caller's clock as local now + what the database says is
 * left. A claim or renew reports local time before the request + ttl (at most the round trip
 * early: an owner renews no later than the database expires it).
 */
import type { CommitCheckpoint, LeaseToken, PartitionLease } from '../../core/partitions.ts';
import {
  byPartition, checkLeaseToken, checkOwner, checkPartition, checkPosition, checkToken, checkTtl, ensureList, leaseLost,
  LEASE_COLUMNS, metaJson, toLease, type LeaseRow,
} from '../leases.ts';
import type { PostgresDatabase, Sql } from './database.ts';

/** The database's time as epoch ms, fixed for the statement. */
const DB_NOW = '(extract(epoch from statement_timestamp()) * 1000)::bigint';
const CURRENT = 'integration_id = $1 AND partition = $2 AND owner = $3 AND token = $4';

export class PostgresLeases {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async listLeases(integrationId: string): Promise<PartitionLease[]> {
    const rows = await this.#db.sql.rows<LeaseRow & { left_ms: number }>(
      `SELECT ${LEASE_COLUMNS}, expires_at - ${DB_NOW} AS left_ms FROM partition_leases WHERE integration_id = $1`, [integrationId]);
    const local = Date.now();
    return byPartition(rows.map((r) => toLease(r, Number(r.expires_at) === 0 ? 0 : local + Number(r.left_ms))));
  }

  async ensureLeases(integrationId: string, partitions: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void> {
    const list = ensureList(partitions);
    if (list.length === 0) return;
    // In partition order: instances ensuring the same partitions at once lock them in one order.
    await this.#db.sql.run(`INSERT INTO partition_leases (integration_id, partition, owner, token, expires_at, checkpoint, meta_json, updated_at)
      SELECT $1, p, NULL, 0, 0, NULL, m, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u (p, m, ord) ORDER BY ord
      ON CONFLICT (integration_id, partition) DO UPDATE
        SET meta_json = (partition_leases.meta_json::jsonb || excluded.meta_json::jsonb)::text, updated_at = excluded.updated_at
        WHERE excluded.meta_json <> '{}'`,
    [integrationId, list.map((p) => p.partition), list.map((p) => p.metaJson), Date.now()]);
  }

  async claimLease(integrationId: string, partition: string, owner: string, expectedToken: number, ttlMs: number): Promise<PartitionLease | null> {
    checkPartition(partition);
    checkOwner(owner);
    checkToken(expectedToken);
    checkTtl(ttlMs);
    const local = Date.now();
    const ttl = Math.ceil(ttlMs);
    const row = expectedToken === 0
      // Token 0: never claimed, or not created yet (then the claim creates it).
      ? await this.#db.sql.one<LeaseRow>(`INSERT INTO partition_leases (integration_id, partition, owner, token, expires_at, checkpoint, meta_json, updated_at)
          VALUES ($1, $2, $3, 1, ${DB_NOW} + $4, NULL, '{}', $5)
          ON CONFLICT (integration_id, partition) DO UPDATE SET owner = excluded.owner, token = partition_leases.token + 1,
            expires_at = excluded.expires_at, updated_at = excluded.updated_at
          WHERE partition_leases.token = 0
          RETURNING ${LEASE_COLUMNS}`, [integrationId, partition, owner, ttl, local])
      : await this.#db.sql.one<LeaseRow>(`UPDATE partition_leases SET owner = $3, token = token + 1, expires_at = ${DB_NOW} + $5, updated_at = $6
          WHERE integration_id = $1 AND partition = $2 AND token = $4
          RETURNING ${LEASE_COLUMNS}`, [integrationId, partition, owner, expectedToken, ttl, local]);
    return row === undefined ? null : toLease(row, local + ttl);
  }

  async renewLease(integrationId: string, partition: string, lease: LeaseToken, ttlMs: number): Promise<PartitionLease | null> {
    checkPartition(partition);
    checkLeaseToken(lease);
    checkTtl(ttlMs);
    const local = Date.now();
    const ttl = Math.ceil(ttlMs);
    const row = await this.#db.sql.one<LeaseRow>(`UPDATE partition_leases SET expires_at = ${DB_NOW} + $5, updated_at = $6 WHERE ${CURRENT}
      RETURNING ${LEASE_COLUMNS}`, [integrationId, partition, lease.owner, lease.token, ttl, local]);
    return row === undefined ? null : toLease(row, local + ttl);
  }

  async releaseLease(integrationId: string, partition: string, lease: LeaseToken): Promise<boolean> {
    checkPartition(partition);
    checkLeaseToken(lease);
    return this.#update(this.#db.sql, 'owner = NULL, expires_at = 0', [], integrationId, partition, lease);
  }

  async writeCheckpoint(integrationId: string, partition: string, lease: LeaseToken, position: string): Promise<boolean> {
    checkPartition(partition);
    checkLeaseToken(lease);
    checkPosition(position);
    return this.#update(this.#db.sql, 'checkpoint = $5', [position], integrationId, partition, lease);
  }

  async setLeaseMeta(integrationId: string, partition: string, lease: LeaseToken, meta: Record<string, string>): Promise<boolean> {
    checkPartition(partition);
    checkLeaseToken(lease);
    return this.#update(this.#db.sql, 'meta_json = (meta_json::jsonb || $5::jsonb)::text', [metaJson(meta)], integrationId, partition, lease);
  }

  async removeLeases(integrationId: string, partitions: string[]): Promise<void> {
    if (partitions.length === 0) return;
    for (const p of partitions) checkPartition(p);
    await this.#db.sql.run('DELETE FROM partition_leases WHERE integration_id = $1 AND partition = ANY ($2::text[])', [integrationId, partitions]);
  }

  /**
   * Writes a commit's checkpoints inside its transaction (the caller's), in partition order, so
   * two commits lock lease rows in one order; throws LEASE_LOST at the first whose lease is not
   * current, which rolls the commit back. The row stays locked until COMMIT: a claim racing the
   * commit waits for it and then returns the checkpoint it wrote.
   */
  async commitCheckpoints(sql: Sql, integrationId: string, checkpoints: readonly CommitCheckpoint[], now: number): Promise<void> {
    for (const c of checkpoints) {
      if (await this.#update(sql, 'checkpoint = $5', [c.position], integrationId, c.partition, c.lease, now)) continue;
      const current = await sql.one<{ owner: string | null; token: number }>(
        'SELECT owner, token FROM partition_leases WHERE integration_id = $1 AND partition = $2', [integrationId, c.partition]);
      throw leaseLost(integrationId, c, current);
    }
  }

  /** Forgets every lease of the integration (it is being deleted); the caller provides the transaction. */
  async deleteFor(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM partition_leases WHERE integration_id = $1', [integrationId]);
  }

  /** One compare-and-set UPDATE: true when the lease was current. `set` uses $5 onwards for `values`. */
  async #update(sql: Sql, set: string, values: unknown[], integrationId: string, partition: string, lease: LeaseToken, now = Date.now()): Promise<boolean> {
    const updatedAt = `$${5 + values.length}`;
    const changed = await sql.run(`UPDATE partition_leases SET ${set}, updated_at = ${updatedAt} WHERE ${CURRENT}`,
      [integrationId, partition, lease.owner, lease.token, ...values, now]);
    return changed > 0;
  }
}
