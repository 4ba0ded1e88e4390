/**
 * What both SQL stores share for partition leases (ADR 008): the row mapping, argument checks,
 * the LEASE_LOST error of a fenced-out commit, and the `LeaseStore` a connector's context gets,
 * bound to its integration.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { CommitCheckpoint, LeaseStore, LeaseToken, PartitionLease } from '../core/partitions.ts';
import { decodeJson, encodeJson } from './kv-columns.ts';
import type { LeaseStoreRole } from './types.ts';

/** The lease store of one integration: what `ConnectorContext.leases` is. */
export function bindLeaseStore(store: LeaseStoreRole, integrationId: string): LeaseStore {
  return {
    list: () => store.listLeases(integrationId),
    ensure: (partitions) => store.ensureLeases(integrationId, partitions),
    claim: (partition, owner, expectedToken, ttlMs) => store.claimLease(integrationId, partition, owner, expectedToken, ttlMs),
    renew: (partition, lease, ttlMs) => store.renewLease(integrationId, partition, lease, ttlMs),
    release: (partition, lease) => store.releaseLease(integrationId, partition, lease),
    checkpoint: (partition, lease, position) => store.writeCheckpoint(integrationId, partition, lease, position),
    setMeta: (partition, lease, meta) => store.setLeaseMeta(integrationId, partition, lease, meta),
    remove: (partitions) => store.removeLeases(integrationId, partitions),
  };
}

export const LEASE_COLUMNS = 'partition, owner, token, expires_at, checkpoint, meta_json';

export interface LeaseRow {
  partition: string;
  owner: string | null;
  token: number;
  expires_at: number;
  checkpoint: string | null;
  meta_json: string;
}

/** `expiresAt` in the caller's clock (PostgreSQL translates the database's). */
export function toLease(r: LeaseRow, expiresAt: number = r.expires_at): PartitionLease {
  return {
    partition: r.partition, owner: r.owner, token: Number(r.token), expiresAt, checkpoint: r.checkpoint,
    meta: decodeJson<Record<string, string>>(r.meta_json),
  };
}

/** Leases sorted by partition (code unit order, the same in both stores). */
export function byPartition(leases: PartitionLease[]): PartitionLease[] {
  return leases.sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
}

function invalid(message: string): CloudbridgeError {
  return new CloudbridgeError('INTERNAL', `invalid lease request: ${message}`);
}

export function checkPartition(partition: string): void {
  if (typeof partition !== 'string' || partition === '') throw invalid(`partition must be a non-empty string, not ${JSON.stringify(partition)}`);
}

export function checkOwner(owner: string): void {
  if (typeof owner !== 'string' || owner === '') throw invalid(`owner must be a non-empty string, not ${JSON.stringify(owner)}`);
}

export function checkToken(token: number): void {
  if (!Number.isSafeInteger(token) || token < 0) throw invalid(`token must be an integer >= 0, not ${String(token)}`);
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw invalid(`ttlMs must be a finite number >= 0, not ${String(ttlMs)}`);
}

export function checkLeaseToken(lease: LeaseToken): void {
  checkOwner(lease.owner);
  checkToken(lease.token);
}

export function checkPosition(position: string): void {
  if (typeof position !== 'string') throw invalid(`checkpoint position must be a string, not ${typeof position}`);
}

/** Meta as stored (JSON text of string values). */
export function metaJson(meta: Record<string, string> | undefined): string {
  const m = meta ?? {};
  for (const [key, value] of Object.entries(m)) {
    if (typeof value !== 'string') throw invalid(`meta "${key}" must be a string, not ${typeof value}`);
  }
  return encodeJson(m);
}

/**
 * The partitions to ensure, once each (meta of repeated partitions merged, the later wins), in
 * partition order: concurrent writers lock rows in one order.
 */
export function ensureList(partitions: Array<{ partition: string; meta?: Record<string, string> }>): Array<{ partition: string; metaJson: string }> {
  const merged = new Map<string, Record<string, string>>();
  for (const p of partitions) {
    checkPartition(p.partition);
    merged.set(p.partition, { ...merged.get(p.partition), ...p.meta });
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([partition, meta]) => ({ partition, metaJson: metaJson(meta) }));
}

/**
 * A commit's checkpoints, checked, in partition order (the order their rows are locked in; for a
 * partition named twice, the later position is written last).
 */
export function checkedCheckpoints(checkpoints: readonly CommitCheckpoint[] | undefined): CommitCheckpoint[] {
  if (checkpoints === undefined || checkpoints.length === 0) return [];
  for (const c of checkpoints) {
    checkPartition(c.partition);
    checkLeaseToken(c.lease);
    checkPosition(c.position);
  }
  return [...checkpoints].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
}

/** The error that rolls back a commit whose checkpoint's lease is no longer current. */
export function leaseLost(integrationId: string, c: CommitCheckpoint, current: { owner: string | null; token: number } | undefined): CloudbridgeError {
  const now = current === undefined
    ? 'it does not exist'
    : current.owner === null ? `it is released (token ${current.token})` : `it is held by "${current.owner}" with token ${current.token}`;
  return new CloudbridgeError('LEASE_LOST',
    `lease of partition "${c.partition}" lost: the commit presented owner "${c.lease.owner}" with token ${c.lease.token}, but ${now}; nothing of the batch was stored`,
    {
      integrationId, partition: c.partition, owner: c.lease.owner, token: c.lease.token,
      currentOwner: current?.owner ?? null, currentToken: current?.token ?? null,
    });
}
