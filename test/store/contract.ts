/**
 * The store contract: every Store implementation (SQLite and PostgreSQL) runs this suite.
 *
 *   storeContract('sqlite', () => openFreshStore(), (closed) => reopenSameDatabase(closed));
 *
 * `open` must return a migrated store on a new, empty database for every call; `reopen` a new
 * store on the database of a store the suite has closed (durability).
 */
import { describe } from 'node:test';
import type { Store } from '../../src/store/types.ts';
import { auditContract } from './contract/audit.ts';
import { configContract } from './contract/config.ts';
import { eventsContract } from './contract/events.ts';
import type { StoreHarness } from './contract/fixtures.ts';
import { ingestDataContract } from './contract/ingest-data.ts';
import { ingestCheckpointsContract } from './contract/ingest-checkpoints.ts';
import { dedupeContract } from './contract/ingest-dedupe.ts';
import { provisioningContract } from './contract/ingest-provisioning.ts';
import { ingestTimestampsContract } from './contract/ingest-timestamps.ts';
import { leasesContract } from './contract/leases.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { outboxContract } from './contract/outbox.ts';
import { queriesContract } from './contract/queries.ts';
import { queuesContract } from './contract/queues.ts';
import { retentionContract } from './contract/retention.ts';

export type { StoreHarness } from './contract/fixtures.ts';

export function storeContract(label: string, open: () => Promise<Store>, reopen: (closed: Store) => Promise<Store>): void {
  const h: StoreHarness = { open, reopen };
  describe(`${label} store contract`, () => {
    describe('ingest: deduplication', () => dedupeContract(h));
    describe('ingest: stored data', () => ingestDataContract(h));
    describe('ingest: timestamps and overwrites (no point vanishes silently)', () => ingestTimestampsContract(h));
    describe('ingest: provisioning, dead letters, atomicity', () => provisioningContract(h));
    describe('ingest: checkpoints committed with the data, fenced by the lease', () => ingestCheckpointsContract(h));
    describe('queries', () => queriesContract(h));
    describe('events', () => eventsContract(h));
    describe('dead letters, downlinks, conversion journal, settings', () => queuesContract(h));
    describe('forwarders\' outbox', () => outboxContract(h));
    describe('retention', () => retentionContract(h));
    describe('partition leases', () => leasesContract(h));
    describe('config', () => configContract(h));
    describe('audit log', () => auditContract(h));
    describe('lifecycle', () => lifecycleContract(h));
  });
}
