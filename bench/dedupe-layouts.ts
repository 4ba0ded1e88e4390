/**
 * Dedupe record layouts side by side (ADR 011): the cost of recording and checking 1000 random
 * keys (MQTT content hashes) in one durable transaction, alone, for each candidate layout, on an
 * empty table and after `--fill` keys; and the cost of forgetting them again (prune). CPU of this
 * process per 1000-key commit (PostgreSQL: + the CPU of the database backend serving it, from
 * /proc: the server must be local). No assertions.
 *   node bench/dedupe-layouts.ts [--store sqlite|postgres] [--fill 1000000] [--batches 50] [--layouts a,b]
 *     [--postgres-url postgres://postgres@127.0.0.1:5432/test]
 */
import { parseArgs } from 'node:util';
import { DEDUPE_LAYOUTS, SQLITE_ONLY, type LayoutBench } from './dedupe-layouts/layouts.ts';
import { openPostgresBench } from './dedupe-layouts/postgres.ts';
import { openSqliteBench } from './dedupe-layouts/sqlite.ts';
import { makeKeys } from './dedupe-layouts/keys.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    store: { type: 'string', default: 'sqlite' },
    fill: { type: 'string', default: '1000000' },
    batches: { type: 'string', default: '50' },
    batch: { type: 'string', default: '1000' },
    layouts: { type: 'string', default: DEDUPE_LAYOUTS.join(',') },
    'postgres-url': { type: 'string', default: process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const fill = Number(values.fill);
const batches = Number(values.batches);
const batchSize = Number(values.batch);
const layouts = values.layouts.split(',').filter((l) => values.store === 'sqlite' || !SQLITE_ONLY.has(l));

async function open(layout: string): Promise<LayoutBench> {
  return values.store === 'postgres' ? openPostgresBench(layout, values['postgres-url']) : openSqliteBench(layout);
}

interface Cost { cpuMs: number; backendMs: number }

/** CPU per call of `fn` over `count` calls: this process, and the database backend when there is one. */
async function cost(bench: LayoutBench, count: number, fn: (i: number) => Promise<void>): Promise<Cost> {
  const backendBefore = await bench.backendCpuMs();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn(i);
  const used = process.cpuUsage(cpu);
  const backendAfter = await bench.backendCpuMs();
  return { cpuMs: (used.user + used.system) / 1000 / count, backendMs: (backendAfter - backendBefore) / count };
}

const show = (c: Cost): string => (Number.isFinite(c.cpuMs) ? showCost(c) : '-'.padStart(11));
const showCost = (c: Cost): string => (values.store === 'postgres' ? `${c.cpuMs.toFixed(1)}+${c.backendMs.toFixed(1)}` : c.cpuMs.toFixed(1)).padStart(11);

console.log(`dedupe layouts on ${values.store}: ${batchSize}-key commits (random 32-byte content hashes), ${batches} commits measured, `
  + `CPU ms per commit${values.store === 'postgres' ? ' (this process + database backend)' : ''}`);
console.log('layout            keys stored   record-only   check new   check dup   prune per 1000');
let next = 0;
const fresh = (n: number): string[] => {
  const keys = makeKeys(next, n);
  next += n;
  return keys;
};
for (const layout of layouts) {
  const bench = await open(layout);
  try {
    for (const phase of ['empty', 'filled'] as const) {
      if (phase === 'filled') {
        for (let done = 0; done < fill; done += 10_000) {
          if (done === Math.floor(fill / 20_000) * 10_000) await bench.rotate();
          await bench.record(fresh(Math.min(10_000, fill - done)), 'record-only');
        }
      }
      const stored = await bench.count();
      const recorded: string[][] = [];
      const recordOnly = await cost(bench, batches, async () => {
        const keys = fresh(batchSize);
        recorded.push(keys);
        await bench.record(keys, 'record-only');
      });
      const checkNew = await cost(bench, batches, async () => bench.record(fresh(batchSize), 'check'));
      const checkDup = await cost(bench, batches, async (i) => bench.record(recorded[i] ?? [], 'check'));
      console.log(`${layout.padEnd(16)}  ${String(stored).padStart(11)}   ${show(recordOnly)}   ${show(checkNew)}   ${show(checkDup)}`);
    }
    let pruned = 0;
    const prune = await cost(bench, 1, async () => {
      pruned = await bench.pruneAll();
    });
    const per1000 = { cpuMs: (prune.cpuMs * 1000) / pruned, backendMs: (prune.backendMs * 1000) / pruned };
    console.log(`${layout.padEnd(16)}  ${String(pruned).padStart(11)}   ${''.padStart(11)}   ${''.padStart(9)}   ${''.padStart(9)}   ${show(per1000)}`);
  } finally {
    await bench.close();
  }
}
