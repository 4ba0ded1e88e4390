/**
 * Google Cloud Pub/Sub ingest benchmark on the emulator (a JVM in its own process group, fresh for
 * each run): N JSON messages (~205 B) preloaded into a subscription, then drained by
 *  1. a raw @google-cloud/pubsub subscriber: a streaming pull with the same flow control
 *     (maxMessages M), each message acknowledged on arrival, no processing: the ceiling any
 *     consumer can reach on this peer;
 *  2. Cloudbridge (`cloudbridge start` in its own process, `gcp-pubsub` integration, maxMessages M,
 *     JS converter in the sandbox, SQLite synchronous=FULL, ack only after commit), from a fresh
 *     identical preload.
 * Both rates and their ratio are printed; nothing is asserted (machines are shared and noisy).
 */
import { startPubSubEmulator, type PubSubEmulator } from '../test/peers/pubsub-emulator.ts';
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { cloudbridgeDrain, drainRounds, startDrainTimer, type DrainResult } from './source-drains.ts';

/** Message i of a preload, with a fixed ts so that both runs send identical bodies. */
function payload(i: number): string {
  return benchPayload(i, 1_700_000_000_000 + i);
}

async function preload(peer: PubSubEmulator, n: number): Promise<string> {
  await peer.createTopic('bench-topic');
  await peer.createSubscription('bench-topic', 'bench-sub');
  for (let from = 0; from < n; from += 5000) {
    await peer.publish('bench-topic', Array.from({ length: Math.min(5000, n - from) }, (_, i) => payload(from + i)));
  }
  return 'bench-sub';
}

/** A streaming pull acknowledging each message on arrival, timed until the nth arrived. */
export async function rawDrain(peer: PubSubEmulator, n: number, maxMessages: number): Promise<DrainResult> {
  const name = await preload(peer, n);
  const seen = new Set<string>();
  const timer = startDrainTimer();
  const subscription = peer.client.subscription(name, { flowControl: { maxMessages, allowExcessMessages: false } });
  try {
    return await new Promise<DrainResult>((resolve, reject) => {
      subscription.on('error', reject);
      subscription.on('message', (m: { id: string; ack(): void }) => {
        m.ack();
        seen.add(m.id);
        if (seen.size === n) resolve(timer.result(n));
      });
    });
  } finally {
    await subscription.close();
  }
}

export async function pubSubCloudbridgeDrain(peer: PubSubEmulator, n: number, maxMessages: number): Promise<DrainResult> {
  const subscription = await preload(peer, n);
  return cloudbridgeDrain('gcp-pubsub', { projectId: peer.project, subscription, apiEndpoint: peer.endpoint, maxMessages }, n);
}

/**
 * Alternates raw and Cloudbridge drains `rounds` times (default 3) and prints each run and the
 * medians: on a shared 2-core machine single runs vary by ±30 %.
 */
export async function benchGcpPubSub(args: { n: number; maxMessages?: number; rounds?: number }): Promise<DrainPair> {
  const maxMessages = args.maxMessages ?? 1000;
  const rounds = args.rounds ?? 3;
  // A fresh emulator for each run, so neither inherits the other's state or JIT warm-up.
  const drain = async (run: typeof rawDrain): Promise<DrainResult> => {
    const peer = await startPubSubEmulator();
    try {
      return await run(peer, args.n, maxMessages);
    } finally {
      await peer.stop();
    }
  };
  console.log(`gcp-pubsub bench: ${args.n} preloaded messages of ~${payload(0).length} B, the Pub/Sub emulator (fresh for each run), flow control maxMessages ${maxMessages}, ${rounds} rounds`);
  return drainRounds(rounds, 'msg/s', {
    raw: 'raw @google-cloud/pubsub subscriber (ack on arrival, no processing), median: ',
    cb: 'Cloudbridge (JS converter + SQLite FULL, ack after commit), median:          ',
  }, async () => {
    const raw = await drain(rawDrain);
    return { raw, cb: await drain(pubSubCloudbridgeDrain) };
  });
}
