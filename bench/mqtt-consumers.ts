/**
 * Drives the MQTT baselines, each in its own process: the hand-written reference pipeline and the
 * plain subscriber (bench/reference-pipeline.ts), fed by a preload or by a publisher process
 * (bench/mqtt-publisher.ts) while they run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { MosquittoBroker } from '../test/peers/mosquitto.ts';
import { forkBenchChild, type ConsumerDone, type PublisherDone } from './child-process.ts';
import { preloadMqtt, type PayloadTs } from './messages.ts';

export type ConsumerMode = 'reference' | 'raw';

/** A persistent session subscribed to `${prefix}/#`, so that what is published before the consumer connects waits for it. */
export async function createSession(broker: MosquittoBroker, clientId: string, prefix: string): Promise<void> {
  const client = await mqtt.connectAsync(broker.url, { clientId, clean: false });
  await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
  await client.endAsync();
}

/** Publishes messages 0..n-1 to `${prefix}/<device>` and waits for the broker's PUBACKs. */
export async function preload(broker: MosquittoBroker, prefix: string, n: number): Promise<void> {
  const pub = await mqtt.connectAsync(broker.url, { clientId: `bench-preload-${prefix.replace(/\W/g, '-')}` });
  await preloadMqtt(pub, prefix, n);
  await pub.endAsync();
}

function startConsumer(broker: MosquittoBroker, mode: ConsumerMode, run: string, n: number, latency: boolean): { child: ReturnType<typeof forkBenchChild>; prefix: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-ref-'));
  const prefix = `bench/${mode}-${run}`;
  const child = forkBenchChild('./reference-pipeline.ts', [
    '--url', broker.url, '--client-id', `bench-${mode}-${run}`, '--filter', `${prefix}/#`, '--n', String(n),
    '--mode', mode, '--db', join(dir, 'reference.db'), ...(latency ? ['--latency'] : []),
  ]);
  return { child, prefix, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Preloads n messages, then lets the consumer drain them; its own timing, CPU and peak RSS. */
export async function consumerDrain(broker: MosquittoBroker, mode: ConsumerMode, n: number): Promise<ConsumerDone> {
  const run = 'drain';
  await createSession(broker, `bench-${mode}-${run}`, `bench/${mode}-${run}`);
  await preload(broker, `bench/${mode}-${run}`, n);
  const { child, cleanup } = startConsumer(broker, mode, run, n, false);
  try {
    const done = await child.next<ConsumerDone>('done');
    await child.stop();
    return done;
  } finally {
    await child.stop(1000);
    cleanup();
  }
}

export interface PublishPlan {
  /** Messages to publish. */
  n: number;
  /** msg/s; 0 = as fast as the broker takes them. */
  rate: number;
  ts: PayloadTs;
  /** Index of the first message (default 0). */
  first?: number;
}

/**
 * Starts a publisher process for `plan` on `prefix`; `go()` starts it and returns the
 * performance.now() of that moment, `finished` resolves when the broker acknowledged everything.
 */
export async function startPublisher(broker: MosquittoBroker, prefix: string, plan: PublishPlan): Promise<{ go: () => number; finished: () => Promise<void> }> {
  const pub = forkBenchChild('./mqtt-publisher.ts', [
    '--url', broker.url, '--prefix', prefix, '--n', String(plan.n), '--first', String(plan.first ?? 0), '--rate', String(plan.rate), '--ts', plan.ts,
  ]);
  await pub.next('ready');
  return {
    go: () => {
      pub.send({ t: 'go' });
      return performance.now();
    },
    finished: async () => {
      await pub.next<PublisherDone>('done');
      await pub.stop();
    },
  };
}

/**
 * The consumer connected first, then a publisher process publishes `plan` while it consumes.
 * `rate`: messages / (publisher start → the consumer's last commit), as seen by this process.
 */
export async function consumerLive(broker: MosquittoBroker, mode: ConsumerMode, run: string, plan: PublishPlan, latency = false): Promise<{ rate: number; done: ConsumerDone }> {
  const { child, prefix, cleanup } = startConsumer(broker, mode, run, plan.n, latency);
  try {
    await child.next('ready');
    const publisher = await startPublisher(broker, prefix, plan);
    const start = publisher.go();
    const done = await child.next<ConsumerDone>('done');
    const rate = (plan.n / (performance.now() - start)) * 1000;
    await publisher.finished();
    await child.stop();
    return { rate, done };
  } finally {
    await child.stop(1000);
    cleanup();
  }
}
