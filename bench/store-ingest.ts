/**
 * Store ingest cost: `commitUplinks` alone with the MQTT bench's message shape: 1000-message
 * batches, each message one device record with 3 points (with ts), 1 client attribute `model` and
 * a dedupe key (`record-only` by default). Prints msg/s for several device counts, on an empty
 * table and after the table holds `--fill` points. SQLite (default: on disk, WAL,
 * synchronous=FULL) also prints the largest WAL file seen; `--wal-pages` compares WAL checkpoint
 * sizes (pages of 4 KiB) in one run. No assertions.
 *   node bench/store-ingest.ts [--devices 10,100,1000] [--batches 100] [--fill 1000000] [--batch 1000]
 *     [--dedupe record-only|check|none] [--keys hash|sequence] [--sync FULL|NORMAL] [--ts explicit|implicit|same-ms] [--wal-pages 4096,16384]
 *     [--points 3] [--attributes 1|0] [--breakdown] [--store sqlite|postgres] [--postgres-url postgres://postgres@127.0.0.1:5432/test]
 *     [--forward 0,1]
 * `--ts implicit`: the points come without ts (the converter gave none), at the message's receive
 * time; `same-ms`: without ts and 50 messages per millisecond, so most take the next free one.
 * `--dedupe none`: no dedupe keys; instead every commit carries the checkpoint of one partition
 * whose lease the bench holds (a partitioned source, ADR 008). `--keys sequence`: dedupe keys of
 * a shard and an ascending sequence number (what a partitioned source would record without
 * checkpoints in the commit) instead of MQTT content hashes.
 * `--breakdown`: what each part of a commit costs, from commits that leave parts out, measured on
 * the same store one after the other: the dedupe keys (against `none` and a checkpoint), the
 * attribute, the points after the first (rows and latest values), the first point, and what is
 * left (entity lookup, checkpoint, transaction and COMMIT).
 * `--forward 0,1`: runs with that many forwarders on every commit (UplinkCommit.forward, ADR 017:
 * one outbox row per message and forwarder, written in the commit), each on its own store, and
 * prints each run's msg/s and CPU against the first count's (the outbox's cost).
 * `--store postgres` works in a new schema it drops at the end; besides this process's CPU it
 * prints the CPU of the database backends serving it (from /proc: the server must be local).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DedupeMode, KvValue } from '../src/core/model.ts';
import type { LeaseToken } from '../src/core/partitions.ts';
import type { UplinkCommit, UplinkCommitItem } from '../src/core/ports.ts';
import type { SqliteSynchronous, Store } from '../src/store/index.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { WAL_AUTOCHECKPOINT_PAGES } from '../src/store/sqlite/database.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { createBenchSchema } from './postgres-schema.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    devices: { type: 'string', default: '10,100,1000' },
    batches: { type: 'string', default: '100' },
    fill: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    sync: { type: 'string', default: 'FULL' },
    dedupe: { type: 'string', default: 'record-only' },
    keys: { type: 'string', default: 'hash' },
    ts: { type: 'string', default: 'explicit' },
    'wal-pages': { type: 'string', default: String(WAL_AUTOCHECKPOINT_PAGES) },
    points: { type: 'string', default: '3' },
    attributes: { type: 'string', default: '1' },
    breakdown: { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    forward: { type: 'string', default: '0' },
    'postgres-url': { type: 'string', default: process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const deviceCounts = values.devices.split(',').map(Number);
const forwardCounts = values.forward.split(',').map(Number);
/** Forwarders of the run being measured (`--forward`). */
let forwarders: string[] = [];
const measuredBatches = Number(values.batches);
const fillPoints = Number(values.fill);
const batchSize = Number(values.batch);
const synchronous = values.sync as SqliteSynchronous;
const dedupe = values.dedupe as DedupeMode;
const keyMode = values.keys as 'hash' | 'sequence';
/** A Kinesis sequence number's first digits; the message index fills the rest. */
const SEQUENCE_BASE = '4959033827149025660855969253836157109592157598913658';
const tsMode = values.ts as 'explicit' | 'implicit' | 'same-ms';
const storeKind = values.store as 'sqlite' | 'postgres';
const walPagesList = storeKind === 'sqlite' ? values['wal-pages'].split(',').map(Number) : [0];
const PARTITION = 'shard-0';
const T0 = 1_700_000_000_000;
/** Integration ids are UUIDs in the app. */
const INTEGRATION_ID = '6f1c2a9e-3b7d-4e5f-8a1b-2c3d4e5f6a7b';
const enc = new TextEncoder();

/** What each message of a batch carries. */
interface Shape {
  dedupe: DedupeMode;
  points: number;
  attribute: boolean;
}

const shape: Shape = { dedupe, points: Number(values.points), attribute: values.attributes !== '0' };
/** The breakdown's commits, each leaving out one more part than the one before. */
const BREAKDOWN: Array<{ shape: Shape; part: string }> = [
  { shape, part: `dedupe keys (${dedupe})` },
  { shape: { ...shape, dedupe: 'none' }, part: 'attribute' },
  { shape: { ...shape, dedupe: 'none', attribute: false }, part: `points 2..${shape.points} (+ latest)` },
  { shape: { dedupe: 'none', points: 1, attribute: false }, part: 'first point (+ latest)' },
  { shape: { dedupe: 'none', points: 0, attribute: false }, part: 'the rest (lookup, checkpoint, COMMIT)' },
];

/** The message's points: temperature, humidity, seq, then v3, v4, ... */
function pointsOf(n: number, i: number, ts: number, body: { temperature: number; humidity: number }): Array<{ ts: number; key: string; value: KvValue }> {
  const values: Array<{ key: string; value: KvValue }> = [
    { key: 'temperature', value: { type: 'double', value: body.temperature } },
    { key: 'humidity', value: { type: 'long', value: body.humidity } },
    { key: 'seq', value: { type: 'long', value: i } },
  ];
  for (let k = 3; k < n; k++) values.push({ key: `v${k}`, value: { type: 'long', value: (i + k) % 1000 } });
  return values.slice(0, n).map((v) => ({ ts, ...v }));
}

/** Message `i` of a run: device `i % devices`, ts increasing per message, as bench/mqtt.ts sends. */
function item(i: number, devices: number, shape: Shape): UplinkCommitItem {
  const device = `sensor-${i % devices}`;
  const ts = tsMode === 'same-ms' ? T0 + Math.floor(i / 50) : T0 + i;
  const implicitTs = tsMode === 'explicit' ? {} : { implicitTs: true as const };
  const body = { device, seq: i, ts, model: 'TH-1000 rev B', temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50) };
  return {
    // hash: as the MQTT connector derives it, sha-256 hex of topic, NUL, payload (random order);
    // sequence: a shard and a sequence number, as a partitioned source would (ascending).
    sourceKey: keyMode === 'sequence'
      ? `shardId-000000000000/${SEQUENCE_BASE}${String(i).padStart(8, '0')}`
      : createHash('sha256').update(`bench/${i % devices}\u0000${i}`).digest('hex'),
    dedupe: shape.dedupe,
    payload: enc.encode(JSON.stringify(body)),
    metadata: { topic: `bench/${i % devices}`, integrationName: 'bench' },
    receivedAt: ts,
    outcome: {
      kind: 'records',
      records: [{
        kind: 'DEVICE', name: device, type: 'thermostat',
        attributes: shape.attribute ? [{ key: 'model', value: { type: 'string', value: body.model } }] : [],
        telemetry: pointsOf(shape.points, i, ts, body).map((p) => ({ ...p, ...implicitTs })),
      }],
    },
  };
}

function makeBatch(run: Run, first: number, devices: number, shape: Shape): UplinkCommit {
  const items: UplinkCommitItem[] = [];
  for (let i = first; i < first + batchSize; i++) items.push(item(i, devices, shape));
  const commit: UplinkCommit = { integrationId: INTEGRATION_ID, allowCreateDevices: true, items };
  if (forwarders.length > 0) commit.forward = forwarders;
  // The partition's position: the sequence number of the batch's last message.
  if (run.lease !== null && shape.dedupe === 'none') commit.checkpoints = [{ partition: PARTITION, position: String(first + batchSize - 1), lease: run.lease }];
  return commit;
}

interface Run {
  next: number;
  store: Store;
  /** SQLite: the WAL file's path; null for PostgreSQL. */
  wal: string | null;
  walMax: number;
  /** The lease the commits checkpoint (`--dedupe none`). */
  lease: LeaseToken | null;
  /** PostgreSQL: the CPU ms of the database backends serving this run so far. */
  backendCpuMs: (() => Promise<number>) | null;
}

/** Size of the WAL file now (0 when absent), and the largest seen in this run. */
function sampleWal(run: Run): void {
  if (run.wal === null) return;
  let size = 0;
  try { size = statSync(run.wal).size; } catch { /* no WAL file */ }
  if (size > run.walMax) run.walMax = size;
}

/** Commits `count` batches and returns msg/s over the time spent inside commitUplinks only. */
async function measure(run: Run, devices: number, count: number, shape: Shape): Promise<{
  rate: number; p50Ms: number; maxMs: number; cpuMs: number; walMaxMb: number; backendCpuMs: number | null;
}> {
  const times: number[] = [];
  let cpuUs = 0;
  const backendBefore = await run.backendCpuMs?.();
  for (let b = 0; b < count; b++) {
    const commit = makeBatch(run, run.next, devices, shape);
    run.next += batchSize;
    const start = performance.now();
    const cpu = process.cpuUsage();
    await run.store.commitUplinks(commit);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
    sampleWal(run);
  }
  const backendAfter = await run.backendCpuMs?.();
  const total = times.reduce((a, t) => a + t, 0);
  times.sort((a, b) => a - b);
  return {
    rate: (count * batchSize * 1000) / total, p50Ms: times[Math.floor(times.length / 2)] ?? 0, maxMs: times.at(-1) ?? 0,
    cpuMs: cpuUs / 1000 / count, walMaxMb: run.walMax / 1024 / 1024,
    backendCpuMs: backendBefore === undefined || backendAfter === undefined ? null : (backendAfter - backendBefore) / count,
  };
}

async function fill(run: Run, devices: number): Promise<void> {
  while ((await run.store.countTelemetry()) < fillPoints) {
    const batches = Math.max(1, Math.ceil((fillPoints - (await run.store.countTelemetry())) / (batchSize * Math.max(1, shape.points))));
    for (let b = 0; b < batches; b++) {
      await run.store.commitUplinks(makeBatch(run, run.next, devices, shape.points > 0 ? shape : { ...shape, points: 1 }));
      run.next += batchSize;
      sampleWal(run);
    }
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);

/** Opens the store of one run; `close` also removes its files or schema. */
async function openRun(walPages: number): Promise<{ run: Run; close: () => Promise<void> }> {
  if (storeKind === 'postgres') {
    const bench = await createBenchSchema(values['postgres-url'], 'cb_bench');
    const store = new PostgresStore({ url: bench.url, schema: bench.schema, maxConnections: 2 });
    await store.migrate();
    return {
      run: { next: 0, store, wal: null, walMax: 0, lease: null, backendCpuMs: () => bench.backendCpuMs() },
      close: async () => {
        await store.close();
        await bench.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cb-store-bench-'));
  const store = new SqliteStore({ path: join(dir, 'cb.db'), synchronous, walAutocheckpointPages: walPages });
  await store.migrate();
  return {
    run: { next: 0, store, wal: join(dir, 'cb.db-wal'), walMax: 0, lease: null, backendCpuMs: null },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const dedupeLabel = dedupe === 'none' ? 'no dedupe keys, a checkpoint per commit' : `${dedupe} dedupe (${keyMode} keys)`;
console.log(`commitUplinks on ${storeKind}: ${batchSize}-message batches, ${shape.points} points${shape.attribute ? ' + 1 attribute' : ''} per message, `
  + `${dedupeLabel}${storeKind === 'sqlite' ? `, synchronous=${synchronous}` : ''}, points ${tsMode === 'explicit' ? 'with ts' : `without ts${tsMode === 'same-ms' ? ', 50 messages per ms' : ''}`}, ${measuredBatches} batches measured`);
const cpuHeader = storeKind === 'sqlite' ? 'cpu ms/batch' : 'cpu ms/batch (+ db backend)';
if (values.breakdown) console.log(`devices  table points  part                                    ${cpuHeader}`);
else {
  console.log(storeKind === 'sqlite'
    ? 'devices  WAL pages  table points   msg/s   batch p50 ms  max ms  cpu ms/batch  WAL max MiB'
    : 'devices             table points   msg/s   batch p50 ms  max ms  cpu ms/batch  db backend cpu ms/batch');
}
const cpuOf = (r: { cpuMs: number; backendCpuMs: number | null }): string => (r.backendCpuMs === null ? r.cpuMs.toFixed(1) : `${r.cpuMs.toFixed(1)} + ${r.backendCpuMs.toFixed(1)}`);
/** msg/s and CPU ms per batch of the first `--forward` count, per devices and phase: what the others compare with. */
const baseline = new Map<string, { rate: number; cpuMs: number }>();
const versus = (key: string, r: { rate: number; cpuMs: number }): string => {
  const base = baseline.get(key);
  if (base === undefined) {
    baseline.set(key, r);
    return '';
  }
  return `  vs ${forwardCounts[0]} forwarders: msg/s x${(r.rate / base.rate).toFixed(2)}, cpu x${(r.cpuMs / base.cpuMs).toFixed(2)}`;
};
for (const devices of deviceCounts) for (const walPages of walPagesList) for (const forwardCount of forwardCounts) {
  forwarders = Array.from({ length: forwardCount }, (_, i) => `forwarder-${i + 1}`);
  if (forwardCounts.length > 1) console.log(`${forwardCount} forwarder(s):`);
  const { run, close } = await openRun(walPages);
  try {
    if (dedupe === 'none' || values.breakdown) {
      const lease = await run.store.claimLease(INTEGRATION_ID, PARTITION, 'bench', 0, 24 * 3_600_000);
      if (lease === null) throw new Error('could not claim the bench partition');
      run.lease = { owner: 'bench', token: lease.token };
    }
    await measure(run, devices, 1, shape);
    const phases: Array<[string, () => Promise<void>]> = [['empty', async () => undefined], [`${fillPoints / 1e6}M`, () => fill(run, devices)]];
    for (const [label, prepare] of phases) {
      await prepare();
      if (values.breakdown) {
        const costs: Array<{ cpuMs: number; backendCpuMs: number | null }> = [];
        for (const { shape: s } of BREAKDOWN) costs.push(await measure(run, devices, measuredBatches, s));
        costs.push({ cpuMs: 0, backendCpuMs: costs[0]?.backendCpuMs === null ? null : 0 });
        BREAKDOWN.forEach(({ part }, i) => {
          const [a, b] = [costs[i], costs[i + 1]];
          if (a === undefined || b === undefined) return;
          const diff = { cpuMs: a.cpuMs - b.cpuMs, backendCpuMs: a.backendCpuMs === null || b.backendCpuMs === null ? null : a.backendCpuMs - b.backendCpuMs };
          console.log(`${String(devices).padStart(7)}  ${label.padStart(12)}  ${part.padEnd(38)}  ${cpuOf(diff).padStart(12)}`);
        });
        console.log(`${String(devices).padStart(7)}  ${label.padStart(12)}  ${'whole commit'.padEnd(38)}  ${cpuOf(costs[0] ?? { cpuMs: 0, backendCpuMs: null }).padStart(12)}`);
        continue;
      }
      run.walMax = 0;
      const r = await measure(run, devices, measuredBatches, shape);
      const last = storeKind === 'sqlite'
        ? r.walMaxMb.toFixed(1).padStart(11)
        : (r.backendCpuMs === null ? '-' : r.backendCpuMs.toFixed(1)).padStart(23);
      console.log(`${String(devices).padStart(7)}  ${storeKind === 'sqlite' ? String(walPages).padStart(9) : ''.padStart(9)}  ${label.padStart(12)} ${fmt(r.rate)}   ${r.p50Ms.toFixed(1).padStart(12)}  ${r.maxMs.toFixed(1).padStart(6)}  ${r.cpuMs.toFixed(1).padStart(12)}  ${last}${forwardCounts.length > 1 ? versus(`${devices}/${walPages}/${label}`, r) : ''}`);
    }
  } finally {
    await close();
  }
}
