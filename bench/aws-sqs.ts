/**
 * AWS SQS ingest benchmark on fauxqs (in its own process, so it does not share a CPU core with
 * what is measured): N JSON messages (~250 B) preloaded into a standard queue, then drained by
 *  1. a raw SDK loop: R concurrent long-poll receivers (ReceiveMessage 10 + DeleteMessageBatch,
 *     no processing), the ceiling any consumer can reach on this peer;
 *  2. Cloudbridge (`aws-sqs` integration, maxReceivers R, JS converter in the sandbox, SQLite
 *     synchronous=FULL, delete only after commit), from a fresh identical preload.
 * Both rates and their ratio are printed; nothing is asserted (machines are shared and noisy).
 * Measured profile of the Cloudbridge run: the connector's own code is about 1 % of the CPU,
 * the AWS SDK and HTTP about half, the SQLite commit (with fsync) and the converter the rest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startApp } from '../src/app/app.ts';
import { parseConfigText } from '../src/app/config-file.ts';
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../test/peers/fauxqs.ts';

const DECODER = `var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: 'thermostat',
  attributes: { model: d.model },
  telemetry: { ts: d.ts, values: { temperature: d.temperature, humidity: d.humidity, seq: d.seq } } };`;

function payload(i: number): string {
  return JSON.stringify({
    device: `sensor-${i % 100}`, seq: i, ts: 1_700_000_000_000 + i, model: 'TH-1000 rev B', firmware: '1.2.3-build.4567',
    temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50), battery: 97, location: 'Building 7, floor 3, room 12',
  });
}

async function preload(peer: FauxqsPeer, name: string, n: number): Promise<string> {
  const url = await peer.createQueue(name);
  await peer.sendAll(url, Array.from({ length: n }, (_, i) => payload(i)), 16);
  return url;
}

export interface DrainResult {
  /** Messages per second. */
  rate: number;
  /** CPU time of this process during the drain, in % of one core. */
  cpuPercent: number;
}

function cpuPercent(since: NodeJS.CpuUsage, startMs: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 10 / (performance.now() - startMs);
}

/** R receivers, each: receive 10 (long poll) → delete them → again, until N were received. */
export async function rawDrain(peer: FauxqsPeer, n: number, receivers: number): Promise<DrainResult> {
  const url = await preload(peer, 'bench-raw', n);
  let received = 0;
  let result: DrainResult | null = null;
  const start = performance.now();
  const c0 = process.cpuUsage();
  const receiver = async (): Promise<void> => {
    while (received < n) {
      const out = await peer.sqs.send(new ReceiveMessageCommand({
        QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
      }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) continue;
      received += messages.length;
      await peer.sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: url, Entries: messages.map((m, i) => ({ Id: `${i}`, ReceiptHandle: m.ReceiptHandle ?? '' })),
      }));
      // Timed when the last message is in: receivers still in an (empty) long poll do not count.
      if (received >= n && !result) result = { rate: (n / (performance.now() - start)) * 1000, cpuPercent: cpuPercent(c0, start) };
    }
  };
  await Promise.all(Array.from({ length: receivers }, receiver));
  if (!result) throw new Error('raw drain ended early');
  return result;
}

export async function cloudbridgeDrain(peer: FauxqsPeer, n: number, receivers: number): Promise<DrainResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-sqs-'));
  let committed = 0;
  let target = Infinity;
  let onTarget: (() => void) | null = null;
  const url = await preload(peer, 'bench-cb', n);
  const sqsConfig = {
    queueUrl: url, endpoint: peer.endpoint, accessKeyId: FAUXQS_CREDENTIALS.accessKeyId, secretAccessKey: FAUXQS_CREDENTIALS.secretAccessKey,
    waitTimeSeconds: 1, maxReceivers: receivers, maxInFlight: 4000,
  };
  const yaml = `
converters: [{ name: dec, type: uplink, script: ${JSON.stringify(DECODER)} }]
integrations:
  - name: bench
    type: aws-sqs
    enabled: false
    uplinkConverter: dec
    config: ${JSON.stringify(sqsConfig)}
`;
  const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: 'bench-token', CLOUDBRIDGE_MASTER_KEY: 'bench' };
  const config = parseConfigText(yaml, env);
  config.store.sqlite = { path: join(dir, 'cb.db'), ...(process.env.BENCH_SYNC ? { synchronous: process.env.BENCH_SYNC as 'NORMAL' } : {}) };
  config.logging.level = 'warn';
  const app = await startApp({
    config, env, listen: false, logWrite: () => undefined,
    onCommitted: (_i, messages) => {
      committed += messages.length;
      if (committed >= target && onTarget) onTarget();
    },
  });
  try {
    const drained = new Promise<void>((resolve) => {
      target = n;
      onTarget = () => { onTarget = null; resolve(); };
    });
    const start = performance.now();
    const c0 = process.cpuUsage();
    await app.configService.setEnabled('bench', true);
    await drained;
    const rate = (n / (performance.now() - start)) * 1000;
    const cpu = cpuPercent(c0, start);
    const stored = await app.store.countTelemetry();
    if (stored !== n * 3) throw new Error(`expected ${n * 3} telemetry points, found ${stored}`);
    return { rate, cpuPercent: cpu };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Alternates raw and Cloudbridge drains `rounds` times (default 3) and prints each run and the
 * medians: on a shared 2-core machine single runs vary by ±30 %.
 */
export async function benchAwsSqs(args: { n: number; receivers?: number; rounds?: number }): Promise<void> {
  const receivers = args.receivers ?? 8;
  const rounds = args.rounds ?? 3;
  // A fresh fauxqs for each run, so neither inherits the other's queue state.
  const drain = async (run: typeof rawDrain): Promise<DrainResult> => {
    const peer = await startFauxqsPeer({ childProcess: true });
    try {
      return await run(peer, args.n, receivers);
    } finally {
      await peer.stop();
    }
  };
  const line = (r: DrainResult): string => `${r.rate.toFixed(0).padStart(6)} msg/s (bench process at ${r.cpuPercent.toFixed(0)} % CPU)`;
  console.log(`aws-sqs bench: ${args.n} preloaded messages of ~${payload(0).length} B, fauxqs in a child process (fresh for each run), ${receivers} receivers, ${rounds} rounds`);
  const raws: number[] = [];
  const cbs: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const raw = await drain(rawDrain);
    const cb = await drain(cloudbridgeDrain);
    raws.push(raw.rate);
    cbs.push(cb.rate);
    console.log(`  round ${round}: raw SDK loop ${line(raw)}, Cloudbridge ${line(cb)}, ratio ${(cb.rate / raw.rate).toFixed(2)}`);
  }
  const raw = median(raws);
  const cb = median(cbs);
  console.log(`  raw SDK loop (receive 10 + DeleteMessageBatch, no processing), median:  ${raw.toFixed(0)} msg/s`);
  console.log(`  Cloudbridge (JS converter + SQLite FULL, delete after commit), median:   ${cb.toFixed(0)} msg/s`);
  console.log(`  ratio Cloudbridge / raw SDK loop (medians): ${(cb / raw).toFixed(2)}`);
}
