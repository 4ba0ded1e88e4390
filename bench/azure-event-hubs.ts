/**
 * Azure Event Hubs ingest benchmark on the Azure double (its CLI, in its own process): N JSON events
 * (~205 B, 100 partition keys) preloaded with the SDK's producer into a hub of P partitions, then the
 * same hub drained (reading an event hub consumes nothing) by
 *  1. a raw SDK consumer: `EventHubConsumerClient.subscribe` over every partition from the earliest
 *     event, no checkpoint store, events counted and dropped: the ceiling any consumer reaches here;
 *  2. Cloudbridge (`cloudbridge start` in its own process, `azure-event-hubs` integration, earliest,
 *     greedy balancing over its leases, JS converter in the sandbox, SQLite synchronous=FULL, each
 *     partition's checkpoint committed with its data), timed from enabling the integration to the
 *     status showing every event stored.
 * Each round starts a fresh double and alternates which of the two drains first. Both rates and the
 * ratio are printed; nothing is asserted (machines are shared and noisy).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventHubConsumerClient, EventHubProducerClient, type EventData } from '@azure/event-hubs';
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { cloudbridgeDrain, drainRounds, startDrainTimer, type DrainResult } from './source-drains.ts';

const HUB = 'bench';
const ROOT = new URL('../', import.meta.url).pathname;

interface DoubleProcess { connectionString: string; stop(): Promise<void> }

/** The Azure double's CLI with one hub of `partitions`, in a child process. */
async function startDouble(partitions: number): Promise<DoubleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-eh-'));
  const topology = join(dir, 'topology.json');
  writeFileSync(topology, JSON.stringify({ eventHubs: { hubs: [{ name: HUB, partitions }] } }));
  const proc: ChildProcess = spawn(process.execPath, [join(ROOT, 'test/peers/azure/cli.ts'), '--topology', topology], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const stdout = proc.stdout;
  if (!stdout) throw new Error('the Azure double has no stdout');
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: stdout });
    rl.once('line', (l) => { rl.close(); resolve(l); });
    proc.once('exit', (code) => reject(new Error(`the Azure double exited with ${String(code)}`)));
  });
  const info = JSON.parse(line) as { eventHubs: { hubs: Record<string, string> } };
  const connectionString = info.eventHubs.hubs[HUB];
  if (!connectionString) throw new Error(`the Azure double has no hub ${HUB}: ${line}`);
  return {
    connectionString,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => { rmSync(dir, { recursive: true, force: true }); resolve(); });
      proc.kill('SIGTERM');
    }),
  };
}

/** N events with the SDK's producer, in batches by partition key (the service's hash places them). */
async function preload(connectionString: string, n: number): Promise<void> {
  const producer = new EventHubProducerClient(connectionString);
  try {
    const byKey = new Map<string, EventData[]>();
    for (let i = 0; i < n; i++) {
      const key = `sensor-${i % 100}`;
      const list = byKey.get(key) ?? [];
      list.push({ body: Buffer.from(benchPayload(i, 1_700_000_000_000 + i)) });
      byKey.set(key, list);
    }
    for (const [partitionKey, events] of byKey) {
      for (let i = 0; i < events.length; i += 2000) await producer.sendBatch(events.slice(i, i + 2000), { partitionKey });
    }
  } finally {
    await producer.close();
  }
}

/**
 * `subscribe` over every partition from the earliest event, no store, until N events arrived; the
 * subscribe options Cloudbridge gives the SDK (batch size, wait, raw bodies, and the last enqueued
 * event's properties on every event, which its status needs for the lag).
 */
export async function rawDrain(connectionString: string, n: number): Promise<DrainResult> {
  const client = new EventHubConsumerClient('$Default', connectionString);
  let received = 0;
  const timer = startDrainTimer();
  try {
    return await new Promise<DrainResult>((resolve, reject) => {
      const sub = client.subscribe({
        processEvents: async (events) => {
          received += events.length;
          if (received >= n) {
            resolve(timer.result(n));
            void sub.close();
          }
        },
        processError: async (err) => { reject(err); },
      }, { startPosition: { offset: '-1' }, maxBatchSize: 500, maxWaitTimeInSeconds: 0.2, skipParsingBodyAsJson: true, trackLastEnqueuedEventProperties: true });
    });
  } finally {
    await client.close();
  }
}

export function eventHubsCloudbridgeDrain(connectionString: string, n: number): Promise<DrainResult> {
  return cloudbridgeDrain('azure-event-hubs', {
    connectionString, consumerGroup: '$Default', startPosition: 'earliest', loadBalancing: 'greedy', maxBatchSize: 500, maxWaitTimeMs: 200,
  }, n);
}

/** `rounds` rounds (default 3), each on a fresh double with one preload drained by both; prints each run and the medians. */
export async function benchAzureEventHubs(args: { n: number; partitions?: number; rounds?: number }): Promise<DrainPair> {
  const partitions = args.partitions ?? 4;
  const rounds = args.rounds ?? 3;
  console.log(`azure-event-hubs bench: ${args.n} preloaded events of ~${benchPayload(0, 1_700_000_000_000).length} B on ${partitions} partitions, the Azure double in a child process (fresh for each round), ${rounds} rounds`);
  return drainRounds(rounds, 'ev/s', {
    raw: 'raw SDK consumer (subscribe, every partition, no processing), median:        ',
    cb: 'Cloudbridge (JS converter + SQLite FULL, checkpoint in every commit), median: ',
  }, async (round) => {
    const double = await startDouble(partitions);
    try {
      await preload(double.connectionString, args.n);
      if (round % 2 === 1) {
        const raw = await rawDrain(double.connectionString, args.n);
        return { raw, cb: await eventHubsCloudbridgeDrain(double.connectionString, args.n) };
      }
      const cb = await eventHubsCloudbridgeDrain(double.connectionString, args.n);
      return { raw: await rawDrain(double.connectionString, args.n), cb };
    } finally {
      await double.stop();
    }
  });
}
