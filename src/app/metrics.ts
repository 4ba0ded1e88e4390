/** Prometheus metrics, read from the integrations' status at scrape time. */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IntegrationStatus } from '../core/model.ts';
import type { PartitionStatus } from '../core/partitions.ts';
import type { StoreFiles } from '../store/types.ts';
import { registerConnectionMetrics } from './connection-metrics.ts';
import type { DiskMonitor } from './disk-space.ts';
import type { IntegrationManager } from './integration-manager.ts';
import { registerScrapedCounter, registerScrapedGauge, type MetricSample } from './scraped-metrics.ts';
import type { StoreHealth } from './store-health.ts';

/**
 * prom-client's default gauges that are named like counters (`_total`) but hold a current count
 * (prom-client issue #283); `sum()` of their per-type gauge (same name without `_total`) is the same.
 */
const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createRegistry(): Registry {
  const registry = new Registry();
  const prefix = 'cloudbridge_process_';
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(prefix + name);
  return registry;
}

/** Receive → commit latency per integration (what "ack after commit" costs). */
export function createLatencyHistogram(registry: Registry): Histogram<'integration'> {
  return new Histogram({
    name: 'cloudbridge_ingest_latency_seconds',
    help: 'Time from receiving a message to committing its results (or dead letter).',
    labelNames: ['integration'], registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
}

/**
 * Per-integration counters (`*_total`) and gauges read from the runtimes' status at scrape time. One
 * scrape reads each status once (a snapshot shared by every metric for 100 ms), not once per metric.
 */
export function registerIntegrationMetrics(registry: Registry, manager: IntegrationManager, now: () => number): void {
  const labelNames = ['integration', 'type'] as const;
  type Row = { labels: { integration: string; type: string }; status: IntegrationStatus };
  let snapshot: { at: number; rows: Row[] } | null = null;
  const rows = (): Row[] => {
    const t = now();
    if (!snapshot || t - snapshot.at > 100) {
      snapshot = { at: t, rows: manager.all().map((r) => ({ labels: { integration: r.config.name, type: r.config.type }, status: r.status() })) };
    }
    return snapshot.rows;
  };
  const samples = (pick: (s: IntegrationStatus) => number | undefined) => function* (): Generator<MetricSample<typeof labelNames[number]>> {
    for (const row of rows()) {
      const v = pick(row.status);
      if (v !== undefined) yield [row.labels, v];
    }
  };
  const gauge = (name: string, help: string, pick: (s: IntegrationStatus) => number | undefined): void => {
    registerScrapedGauge(registry, { name, help, labelNames }, samples(pick));
  };
  const counter = (name: string, help: string, pick: (s: IntegrationStatus) => number | undefined): void => {
    registerScrapedCounter(registry, { name, help, labelNames }, samples(pick));
  };
  counter('cloudbridge_messages_received_total', 'Messages received from the source (since start).', (s) => s.counters.received);
  counter('cloudbridge_messages_stored_total', 'Messages whose results were committed.', (s) => s.counters.stored);
  counter('cloudbridge_messages_dead_lettered_total', 'Messages committed to the dead-letter store.', (s) => s.counters.deadLettered);
  counter('cloudbridge_messages_duplicate_total', 'Redelivered messages recognised as already committed.', (s) => s.counters.duplicates);
  counter('cloudbridge_points_overwritten_total', 'Stored telemetry points replaced by a different value from another message (same device, key and explicit ts).', (s) => s.counters.overwritten);
  counter('cloudbridge_errors_total', 'Errors (connection, store) of the integration.', (s) => s.counters.errors);
  gauge('cloudbridge_in_flight_messages', 'Messages accepted but not yet committed.', (s) => s.inFlight.messages);
  gauge('cloudbridge_in_flight_bytes', 'Payload bytes accepted but not yet committed.', (s) => s.inFlight.bytes);
  gauge('cloudbridge_integration_up', '1 when the integration is running and connected.', (s) => (s.state === 'RUNNING' ? 1 : 0));
  gauge('cloudbridge_certificate_expiry_seconds', 'Seconds until the client certificate of the integration expires (connectors that use one).', (s) => {
    const expiresAt = s.details?.certificateExpiresAt;
    return typeof expiresAt === 'number' ? (expiresAt - now()) / 1000 : undefined;
  });
  gauge('cloudbridge_last_message_age_seconds', 'Seconds since the last message (-1: none yet).', (s) => (s.lastMessageAt === null ? -1 : (now() - s.lastMessageAt) / 1000));
  registerPartitionMetrics(registry, rows);
  registerConnectionMetrics(registry, rows);
}

/** The rows a partitioned connector (Kinesis, Event Hubs) reports in `details.partitions`. */
function partitionRows(status: IntegrationStatus): PartitionStatus[] {
  const rows = status.details?.partitions;
  return Array.isArray(rows) ? rows.filter((r): r is PartitionStatus => typeof (r as Partial<PartitionStatus> | null)?.partition === 'string') : [];
}

/**
 * Per-partition gauges and counters (shards of a Kinesis stream…): who reads each partition, how far
 * behind it is read and what this instance committed of it. Read from the status rows at scrape time.
 */
function registerPartitionMetrics(registry: Registry, rows: () => Array<{ labels: { integration: string; type: string }; status: IntegrationStatus }>): void {
  type Extra = (p: PartitionStatus) => Record<string, string>;
  const samples = (pick: (p: PartitionStatus) => number | null | undefined, extra: Extra) => function* (): Generator<MetricSample<string>> {
    for (const row of rows()) {
      for (const p of partitionRows(row.status)) {
        const v = pick(p);
        if (v !== null && v !== undefined) yield [{ ...row.labels, partition: p.partition, ...extra(p) }, v];
      }
    }
  };
  const perPartition = (name: string, help: string, pick: (p: PartitionStatus) => number | null | undefined, extra: Extra = () => ({})): void => {
    const extraNames = Object.keys(extra({ partition: '', state: 'unowned', owner: null, ownedHere: false, checkpoint: null, lagMs: null, committed: 0, throttled: 0 }));
    registerScrapedGauge(registry, { name, help, labelNames: ['integration', 'type', 'partition', ...extraNames] }, samples(pick, extra));
  };
  const perPartitionCounter = (name: string, help: string, pick: (p: PartitionStatus) => number | null): void => {
    registerScrapedCounter(registry, { name, help, labelNames: ['integration', 'type', 'partition'] }, samples(pick, () => ({})));
  };
  perPartition('cloudbridge_partition_info', 'One per partition of a partitioned source (Kinesis shard…): its lease owner (empty when nobody holds it) and state (reading, elsewhere, waiting, unowned, finished).', () => 1,
    (p) => ({ owner: p.owner ?? '', state: p.state }));
  perPartition('cloudbridge_partition_read_here', '1 when this instance reads the partition (holds its lease), else 0.', (p) => (p.ownedHere ? 1 : 0));
  perPartition('cloudbridge_partition_lag_seconds', 'How far behind the newest record the partition is read (Kinesis MillisBehindLatest), for partitions read here.', (p) => (p.lagMs === null ? null : p.lagMs / 1000));
  perPartitionCounter('cloudbridge_partition_committed_total', 'Messages of the partition this instance committed since it started reading it.', (p) => (p.ownedHere ? p.committed : null));
  perPartitionCounter('cloudbridge_partition_throttled_total', 'Reads of the partition the source refused for its throughput limit (Kinesis ProvisionedThroughputExceeded), since this instance started reading it.', (p) => (p.ownedHere ? p.throttled : null));
}

/**
 * The store's health at scrape time: writable (the last commit or write probe succeeded) and, for
 * SQLite, the free space where the database is and the size of its write-ahead log.
 */
export function registerStoreMetrics(registry: Registry, deps: { health: StoreHealth; disk?: DiskMonitor; files?: StoreFiles }): void {
  new Gauge({
    name: 'cloudbridge_store_writable', help: '1 when the last store commit (or write probe) succeeded, 0 while commits fail.', registers: [registry],
    collect() { this.set(deps.health.writable ? 1 : 0); },
  });
  const disk = deps.disk;
  if (disk) {
    let pending: Promise<unknown> | null = null;
    const fresh = async (): Promise<ReturnType<DiskMonitor['check']>> => {
      pending ??= disk.check().finally(() => { pending = null; });
      await pending;
      return disk.last;
    };
    new Gauge({
      name: 'cloudbridge_store_disk_free_bytes', help: 'Bytes free on the file system that holds the SQLite database.', registers: [registry],
      async collect() { const s = await fresh(); if (s) this.set(s.freeBytes); },
    });
    new Gauge({
      name: 'cloudbridge_store_disk_size_bytes', help: 'Size of the file system that holds the SQLite database.', registers: [registry],
      async collect() { const s = await fresh(); if (s) this.set(s.sizeBytes); },
    });
    new Gauge({
      name: 'cloudbridge_store_disk_free_warning_bytes', help: 'Free-space warning threshold (store.sqlite.diskFreeWarning) in bytes.', registers: [registry],
      async collect() { const s = await fresh(); if (s) this.set(s.warnBelowBytes); },
    });
  }
  const files = deps.files;
  if (files) {
    new Gauge({
      name: 'cloudbridge_store_wal_bytes', help: 'Size of the SQLite write-ahead log file.', registers: [registry],
      collect() { this.set(files.wal().bytes); },
    });
  }
}

/** What the sandbox pool tells the metrics (src/converters/sandbox/host/sandbox-pool.ts). */
export interface SandboxPoolGauges {
  deaths(): number;
  running(): number;
}

/** Sandbox processes running now, and how many were replaced after a crash, a hang or a memory kill. */
export function registerSandboxMetrics(registry: Registry, pool: SandboxPoolGauges): void {
  new Gauge({
    name: 'cloudbridge_sandbox_processes', help: 'Converter sandbox processes running now (general and isolation).', registers: [registry],
    collect() { this.set(pool.running()); },
  });
  registerScrapedCounter(registry, {
    name: 'cloudbridge_sandbox_process_restarts_total',
    help: 'Converter sandbox processes that died (crash, hang, memory watchdog) and were replaced since start; each death is attributed to a message (CONVERTER_CRASHED or CONVERTER_MEMORY) or re-run.',
  }, () => [[{}, pool.deaths()]]);
}
