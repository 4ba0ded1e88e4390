/**
 * Azure Service Bus ingest benchmark on the Azure double (its CLI in a child process, so it does
 * not share a core with what is measured): N JSON messages preloaded into a queue (sent in
 * batches with the SDK), then drained by
 *  1. a raw SDK consumer: ServiceBusReceiver.subscribe in peek-lock, maxConcurrentCalls 1000,
 *     completing each message (no processing), the ceiling any consumer can reach on this peer;
 *  2. Cloudbridge (`cloudbridge start` in its own process, `azure-service-bus` integration, JS
 *     converter in the sandbox, SQLite synchronous=FULL, complete only after commit), from a
 *     fresh double with an identical preload.
 * Both rates and their ratio are printed; nothing is asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ServiceBusClient } from '@azure/service-bus';
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { cloudbridgeDrain, drainRounds, startDrainTimer, type DrainResult } from './source-drains.ts';

const CLI = new URL('../test/peers/azure/cli.ts', import.meta.url).pathname;
const QUEUE = 'bench';

interface DoublePeer { connectionString: string; stop(): Promise<void> }

async function startDoubleProcess(): Promise<DoublePeer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sb-'));
  const topology = join(dir, 'topology.json');
  writeFileSync(topology, JSON.stringify({ serviceBus: { queues: [{ name: QUEUE, lockDurationMs: 60_000 }] } }));
  const child: ChildProcess = spawn(process.execPath, [CLI, '--topology', topology], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the Azure double exited with ${String(code)}`)));
    createInterface({ input: child.stdout ?? process.stdin }).once('line', resolve);
  });
  const info = JSON.parse(line) as { serviceBus: { connectionString: string } };
  return {
    connectionString: info.serviceBus.connectionString,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function payload(i: number): string {
  return benchPayload(i, 1_700_000_000_000 + i);
}

async function preload(peer: DoublePeer, n: number): Promise<void> {
  const client = new ServiceBusClient(peer.connectionString);
  const sender = client.createSender(QUEUE);
  try {
    for (let i = 0; i < n;) {
      const batch = await sender.createMessageBatch();
      while (i < n && batch.tryAddMessage({ body: payload(i), messageId: `m-${i}` })) i++;
      await sender.sendMessages(batch);
    }
  } finally {
    await sender.close();
    await client.close();
  }
}

export async function rawDrain(peer: DoublePeer, n: number): Promise<DrainResult> {
  await preload(peer, n);
  const client = new ServiceBusClient(peer.connectionString);
  const receiver = client.createReceiver(QUEUE, { maxAutoLockRenewalDurationInMs: 0 });
  let completed = 0;
  const timer = startDrainTimer();
  try {
    return await new Promise<DrainResult>((resolve, reject) => {
      receiver.subscribe({
        processMessage: async (m) => {
          await receiver.completeMessage(m);
          if (++completed === n) resolve(timer.result(n));
        },
        processError: async (args) => reject(args.error),
      }, { autoCompleteMessages: false, maxConcurrentCalls: 1000 });
    });
  } finally {
    await receiver.close();
    await client.close();
  }
}

export async function sbCloudbridgeDrain(peer: DoublePeer, n: number): Promise<DrainResult> {
  await preload(peer, n);
  return cloudbridgeDrain('azure-service-bus', { connectionString: peer.connectionString, queueName: QUEUE, maxInFlight: 1000 }, n);
}

export async function benchAzureServiceBus(args: { n: number; rounds?: number }): Promise<DrainPair> {
  const rounds = args.rounds ?? 3;
  const drain = async (run: typeof rawDrain): Promise<DrainResult> => {
    const peer = await startDoubleProcess();
    try {
      return await run(peer, args.n);
    } finally {
      await peer.stop();
    }
  };
  console.log(`azure-service-bus bench: ${args.n} preloaded messages of ~${payload(0).length} B, the Azure double in a child process (fresh for each run), ${rounds} rounds`);
  return drainRounds(rounds, 'msg/s', {
    raw: 'raw SDK consumer (subscribe, peek-lock, complete each, no processing), median: ',
    cb: 'Cloudbridge (JS converter + SQLite FULL, complete after commit), median:      ',
  }, async () => {
    const raw = await drain(rawDrain);
    return { raw, cb: await drain(sbCloudbridgeDrain) };
  });
}
