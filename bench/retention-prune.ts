/**
 * Retention cost: fills the store with `--points` old telemetry points (1000 devices, one key,
 * 1000 messages of 10 points per commit), then prunes them all the way housekeeping does
 * (src/app/retention.ts: DELETEs of at most `--batch` rows, yielding between them) while a
 * 100-message commit of new data runs every 20 ms. Prints the prune time and rows/s, and the
 * commit latency during the prune against before it (p50, p99, max). No assertions.
 *   npm run bench -- retention [--store sqlite|postgres]
 *   node bench/retention-prune.ts [--store sqlite|postgres] [--points 1000000] [--batch 5000]
 *     [--postgres-url postgres://postgres@127.0.0.1:5432/test]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { UplinkCommit } from '../src/core/ports.ts';
import { Retention } from '../src/app/retention.ts';
import type { Store } from '../src/store/index.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { createBenchSchema } from './postgres-schema.ts';

const { values } = parseArgs({
  args: process.argv.slice(2), allowPositionals: true,
  options: {
    store: { type: 'string', default: 'sqlite' },
    points: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    'postgres-url': { type: 'string', default: process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});

const DAY = 86_400_000;
const now = Date.now();
let seq = 0;

/** `messages` messages of one device each, `points` points each at `ts0` + 1 s steps. */
function commit(messages: number, points: number, ts0: number): UplinkCommit {
  return {
    integrationId: 'bench', allowCreateDevices: true,
    items: Array.from({ length: messages }, (_, m) => {
      const n = seq++;
      return {
        sourceKey: `k-${n}`, payload: new Uint8Array(8), metadata: {}, receivedAt: now,
        outcome: { kind: 'records' as const, records: [{ kind: 'DEVICE' as const, name: `dev-${m % 1000}`, type: 'probe', attributes: [],
          telemetry: Array.from({ length: points }, (_, p) => ({ ts: ts0 + (Math.floor(n / 1000) * points + p) * 1000, key: 'temp', value: { type: 'double' as const, value: p } })) }] },
      };
    }),
  };
}

function percentiles(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): string => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${(s.at(-1) ?? 0).toFixed(1)} ms (${s.length} commits)`;
}

async function run(store: Store): Promise<void> {
  const total = Number(values.points);
  const t0 = performance.now();
  for (let filled = 0; filled < total; filled += 10_000) await store.commitUplinks(commit(1000, 10, now - 30 * DAY));
  console.log(`${values.store}: filled ${total} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const latencies: number[] = [];
  let ingesting = true;
  const ingest = (async () => {
    while (ingesting) {
      const s = performance.now();
      await store.commitUplinks(commit(100, 1, now));
      latencies.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 2000));
  const before = latencies.splice(0);
  const retention = new Retention({ store, clock: { now: () => now } as never, global: { telemetry: '7d' }, batchRows: Number(values.batch) });
  const p0 = performance.now();
  const deleted = await retention.run();
  const seconds = (performance.now() - p0) / 1000;
  const during = latencies.splice(0);
  ingesting = false;
  await ingest;
  await nextTurn();
  console.log(`${values.store}: pruned ${deleted.telemetry} points in ${seconds.toFixed(1)} s (${Math.round(deleted.telemetry / seconds)} rows/s, batches of ${values.batch})`);
  console.log(`  commit latency before: ${percentiles(before)}`);
  console.log(`  commit latency during: ${percentiles(during)}`);
}

if (values.store === 'postgres') {
  const bench = await createBenchSchema(values['postgres-url'], 'cb_bench_retention');
  const store = new PostgresStore({ url: bench.url, schema: bench.schema, maxConnections: 2 });
  try {
    await store.migrate();
    await run(store);
  } finally {
    await store.close();
    await bench.drop();
  }
} else {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-retention-'));
  const store = new SqliteStore({ path: join(dir, 'cb.db') });
  try {
    await store.migrate();
    await run(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
