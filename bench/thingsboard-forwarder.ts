/**
 * `npm run bench -- thingsboard-forwarder [--n N]`: how fast the thingsboard-gateway forwarder
 * carries the outbox into ThingsBoard (the gateway-API double), in points per second, on the
 * real SQLite store (synchronous FULL) with the default forwarder settings (batches of 500 rows,
 * 4 publishes in flight, MQTT 5):
 *
 * - drain: N outbox rows (one stored message of 2 telemetry points each, over 100 devices) written
 *   first, then the forwarder started; timed from its start to the last PUBACKed row deleted.
 * - live: the forwarder running while the N rows are written (in commits of 100 rows, as
 *   intake writes them); timed from the first write to the last row delivered.
 * - catch-up: the double stopped, N rows accumulated, the double started again; timed from the
 *   start to the outbox empty (reconnect backoff included: at most 1 s here).
 *
 * The double runs in the bench's process (its parsing costs CPU beside the forwarder's), on the
 * shared 2-vCPU machine: read the figures as orders of magnitude, not as targets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwarderContext } from '../src/app/forwarder-context.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { thingsboardGatewayForwarder } from '../src/forwarders/thingsboard-gateway/index.ts';
import { openStore } from '../src/store/index.ts';
import type { NewOutboxRow, Store } from '../src/store/types.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../test/peers/thingsboard/index.ts';

const DEVICES = 100;
const POINTS_PER_ROW = 2;
const COMMIT_ROWS = 100;

interface Figure { phase: string; rows: number; points: number; ms: number; pointsPerSecond: number }

function rows(from: number, count: number): NewOutboxRow[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      forwarder: 'tb', integrationId: 'bench', deviceName: `bench-${i % DEVICES}`, deviceType: 'bench',
      entry: { kind: 'uplink', telemetry: [{ ts: 1_700_000_000_000 + i, values: { temperature: 20 + (i % 10), seq: i } }], attributes: {} },
    };
  });
}

async function write(store: Store, from: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += COMMIT_ROWS) await store.appendOutbox(rows(from + i, Math.min(COMMIT_ROWS, count - i)));
}

async function untilEmpty(store: Store): Promise<void> {
  while ((await store.outboxStats('tb')).depth > 0) await new Promise((r) => setTimeout(r, 5));
}

function forwarder(store: Store, tb: ThingsBoardDouble) {
  const entry = { name: 'tb', type: 'thingsboard-gateway', integrations: 'all' as const, enabled: true, config: {} };
  const ctx = forwarderContext({
    entry, store, log: silentLogger, clock: systemClock, warn: () => undefined,
    downlinks: () => { throw new Error('no downlinks in the bench'); },
  });
  return thingsboardGatewayForwarder.create({ host: tb.host, port: tb.port, accessToken: tb.gateway.token, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } }, { ...ctx, devices: async () => [] });
}

function figure(phase: string, n: number, ms: number): Figure {
  return { phase, rows: n, points: n * POINTS_PER_ROW, ms: Math.round(ms), pointsPerSecond: Math.round((n * POINTS_PER_ROW * 1000) / ms) };
}

export async function benchThingsboardForwarder(opts: { n: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-tb-'));
  const store = await openStore({ sqlite: { path: join(dir, 'cloudbridge.db') } });
  const tb = await startThingsBoardDouble();
  const figures: Figure[] = [];
  try {
    await write(store, 0, opts.n);
    const f = forwarder(store, tb);
    let t0 = performance.now();
    await f.start();
    await untilEmpty(store);
    figures.push(figure('drain (preloaded outbox)', opts.n, performance.now() - t0));

    t0 = performance.now();
    await write(store, opts.n, opts.n);
    await untilEmpty(store);
    figures.push(figure(`live (commits of ${COMMIT_ROWS} rows)`, opts.n, performance.now() - t0));

    await tb.stop();
    await write(store, 2 * opts.n, opts.n);
    t0 = performance.now();
    await tb.start();
    await untilEmpty(store);
    figures.push(figure('catch-up after an outage', opts.n, performance.now() - t0));
    await f.stop();
    const expected = 3 * opts.n / DEVICES;
    const short = Array.from({ length: DEVICES }, (_, d) => tb.timeseries(`bench-${d}`).filter((p) => p.key === 'seq').length).filter((c) => c !== expected);
    if (short.length > 0) throw new Error(`${short.length} devices do not have all ${expected} points at the double`);
  } finally {
    await tb.dispose();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`thingsboard-forwarder: ${opts.n} rows × ${POINTS_PER_ROW} points per phase, ${DEVICES} devices, SQLite FULL, the double in-process`);
  console.log('| Phase | Rows | Points | Time (ms) | Points/s |\n|---|---|---|---|---|');
  for (const x of figures) console.log(`| ${x.phase} | ${x.rows} | ${x.points} | ${x.ms} | ${x.pointsPerSecond} |`);
  return figures;
}
