/**
 * SQLite ingest cost: `commitUplinks` alone (on disk, WAL, synchronous=FULL) with the MQTT bench's
 * message shape: 1000-message batches, each message one device record with 3 points (with ts),
 * 1 client attribute `model` and a dedupe key (`record-only` by default). Prints msg/s for several
 * device counts, on an empty table and after the table holds `--fill` points, and the largest WAL
 * file seen. `--wal-pages` compares WAL checkpoint sizes (pages of 4 KiB) in one run. No assertions.
 *   node bench/store-ingest.ts [--devices 10,100,1000] [--batches 100] [--fill 1000000] [--batch 1000]
 *     [--dedupe record-only|check] [--sync FULL|NORMAL] [--ts explicit|implicit|same-ms] [--wal-pages 4096,16384]
 * `--ts implicit`: the points come without ts (the converter gave none), at the message's receive
 * time; `same-ms`: without ts and 50 messages per millisecond, so most take the next free one.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DedupeMode } from '../src/core/model.ts';
import type { UplinkCommit, UplinkCommitItem } from '../src/core/ports.ts';
import type { SqliteSynchronous, Store } from '../src/store/index.ts';
import { WAL_AUTOCHECKPOINT_PAGES } from '../src/store/sqlite/database.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    devices: { type: 'string', default: '10,100,1000' },
    batches: { type: 'string', default: '100' },
    fill: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    sync: { type: 'string', default: 'FULL' },
    dedupe: { type: 'string', default: 'record-only' },
    ts: { type: 'string', default: 'explicit' },
    'wal-pages': { type: 'string', default: String(WAL_AUTOCHECKPOINT_PAGES) },
  },
});
const deviceCounts = values.devices.split(',').map(Number);
const measuredBatches = Number(values.batches);
const fillPoints = Number(values.fill);
const batchSize = Number(values.batch);
const synchronous = values.sync as SqliteSynchronous;
const dedupe = values.dedupe as DedupeMode;
const tsMode = values.ts as 'explicit' | 'implicit' | 'same-ms';
const walPagesList = values['wal-pages'].split(',').map(Number);
const POINTS_PER_MESSAGE = 3;
const T0 = 1_700_000_000_000;
/** Integration ids are UUIDs in the app. */
const INTEGRATION_ID = '6f1c2a9e-3b7d-4e5f-8a1b-2c3d4e5f6a7b';
const enc = new TextEncoder();

/** Message `i` of a run: device `i % devices`, ts increasing per message, as bench/mqtt.ts sends. */
function item(i: number, devices: number): UplinkCommitItem {
  const device = `sensor-${i % devices}`;
  const ts = tsMode === 'same-ms' ? T0 + Math.floor(i / 50) : T0 + i;
  const implicitTs = tsMode === 'explicit' ? {} : { implicitTs: true as const };
  const body = { device, seq: i, ts, model: 'TH-1000 rev B', temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50) };
  return {
    // As the MQTT connector derives it: sha-256 hex of topic, NUL, payload.
    sourceKey: createHash('sha256').update(`bench/${i % devices}\u0000${i}`).digest('hex'),
    dedupe,
    payload: enc.encode(JSON.stringify(body)),
    metadata: { topic: `bench/${i % devices}`, integrationName: 'bench' },
    receivedAt: ts,
    outcome: {
      kind: 'records',
      records: [{
        kind: 'DEVICE', name: device, type: 'thermostat',
        attributes: [{ key: 'model', value: { type: 'string', value: body.model } }],
        telemetry: [
          { ts, key: 'temperature', value: { type: 'double', value: body.temperature }, ...implicitTs },
          { ts, key: 'humidity', value: { type: 'long', value: body.humidity }, ...implicitTs },
          { ts, key: 'seq', value: { type: 'long', value: i }, ...implicitTs },
        ],
      }],
    },
  };
}

function makeBatch(first: number, devices: number): UplinkCommit {
  const items: UplinkCommitItem[] = [];
  for (let i = first; i < first + batchSize; i++) items.push(item(i, devices));
  return { integrationId: INTEGRATION_ID, allowCreateDevices: true, items };
}

interface Run { next: number; store: Store; wal: string; walMax: number }

/** Size of the WAL file now (0 when absent), and the largest seen in this run. */
function sampleWal(run: Run): void {
  let size = 0;
  try { size = statSync(run.wal).size; } catch { /* no WAL file */ }
  if (size > run.walMax) run.walMax = size;
}

/** Commits `count` batches and returns msg/s over the time spent inside commitUplinks only. */
async function measure(run: Run, devices: number, count: number): Promise<{ rate: number; p50Ms: number; maxMs: number; cpuMs: number; walMaxMb: number }> {
  const times: number[] = [];
  let cpuUs = 0;
  for (let b = 0; b < count; b++) {
    const commit = makeBatch(run.next, devices);
    run.next += batchSize;
    const start = performance.now();
    const cpu = process.cpuUsage();
    await run.store.commitUplinks(commit);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
    sampleWal(run);
  }
  const total = times.reduce((a, t) => a + t, 0);
  times.sort((a, b) => a - b);
  return {
    rate: (count * batchSize * 1000) / total, p50Ms: times[Math.floor(times.length / 2)] ?? 0, maxMs: times.at(-1) ?? 0,
    cpuMs: cpuUs / 1000 / count, walMaxMb: run.walMax / 1024 / 1024,
  };
}

async function fill(run: Run, devices: number): Promise<void> {
  while ((await run.store.countTelemetry()) < fillPoints) {
    const batches = Math.max(1, Math.ceil((fillPoints - (await run.store.countTelemetry())) / (batchSize * POINTS_PER_MESSAGE)));
    for (let b = 0; b < batches; b++) {
      await run.store.commitUplinks(makeBatch(run.next, devices));
      run.next += batchSize;
      sampleWal(run);
    }
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);

console.log(`commitUplinks: ${batchSize}-message batches, ${POINTS_PER_MESSAGE} points + 1 attribute per message, `
  + `${dedupe} dedupe, synchronous=${synchronous}, points ${tsMode === 'explicit' ? 'with ts' : `without ts${tsMode === 'same-ms' ? ', 50 messages per ms' : ''}`}, ${measuredBatches} batches measured`);
console.log('devices  WAL pages  table points   msg/s   batch p50 ms  max ms  cpu ms/batch  WAL max MiB');
for (const devices of deviceCounts) for (const walPages of walPagesList) {
  const dir = mkdtempSync(join(tmpdir(), 'cb-store-bench-'));
  const store = new SqliteStore({ path: join(dir, 'cb.db'), synchronous, walAutocheckpointPages: walPages });
  await store.migrate();
  try {
    const run: Run = { next: 0, store, wal: join(dir, 'cb.db-wal'), walMax: 0 };
    await measure(run, devices, 1);
    const phases: Array<[string, () => Promise<void>]> = [['empty', async () => undefined], [`${fillPoints / 1e6}M`, () => fill(run, devices)]];
    for (const [label, prepare] of phases) {
      await prepare();
      run.walMax = 0;
      const r = await measure(run, devices, measuredBatches);
      console.log(`${String(devices).padStart(7)}  ${String(walPages).padStart(9)}  ${label.padStart(12)} ${fmt(r.rate)}   ${r.p50Ms.toFixed(1).padStart(12)}  ${r.maxMs.toFixed(1).padStart(6)}  ${r.cpuMs.toFixed(1).padStart(12)}  ${r.walMaxMb.toFixed(1).padStart(11)}`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
