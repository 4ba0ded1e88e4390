/**
 * AWS SQS ingest benchmark on fauxqs (in its own process, so it does not share a CPU core with
 * what is measured): N JSON messages (~205 B) preloaded into a standard queue, then drained by
 *  1. a raw SDK loop: R concurrent long-poll receivers (ReceiveMessage 10 + DeleteMessageBatch,
 *     no processing), the ceiling any consumer can reach on this peer;
 *  2. Cloudbridge (`cloudbridge start` in its own process, `aws-sqs` integration, maxReceivers R,
 *     JS converter in the sandbox, SQLite synchronous=FULL, delete only after commit), from a fresh
 *     identical preload.
 * Both rates and their ratio are printed; nothing is asserted (machines are shared and noisy).
 * Measured profile of the Cloudbridge run: the connector's own code is about 1 % of the CPU,
 * the AWS SDK and HTTP about half, the SQLite commit (with fsync) and the converter the rest.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../test/peers/fauxqs.ts';
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { cloudbridgeDrain, drainRounds, startDrainTimer, type DrainResult } from './source-drains.ts';

/** Message i of a preload, with a fixed ts so that both runs send identical bodies. */
function payload(i: number): string {
  return benchPayload(i, 1_700_000_000_000 + i);
}

async function preload(peer: FauxqsPeer, name: string, n: number): Promise<string> {
  const url = await peer.createQueue(name);
  await peer.sendAll(url, Array.from({ length: n }, (_, i) => payload(i)), 16);
  return url;
}

/** R receivers, each: receive 10 (long poll) → delete them → again, until N were received. */
export async function rawDrain(peer: FauxqsPeer, n: number, receivers: number): Promise<DrainResult> {
  const url = await preload(peer, 'bench-raw', n);
  let received = 0;
  let result: DrainResult | null = null;
  const timer = startDrainTimer();
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
      if (received >= n && !result) result = timer.result(n);
    }
  };
  await Promise.all(Array.from({ length: receivers }, receiver));
  if (!result) throw new Error('raw drain ended early');
  return result;
}

export async function sqsCloudbridgeDrain(peer: FauxqsPeer, n: number, receivers: number): Promise<DrainResult> {
  const url = await preload(peer, 'bench-cb', n);
  return cloudbridgeDrain('aws-sqs', {
    queueUrl: url, endpoint: peer.endpoint, accessKeyId: FAUXQS_CREDENTIALS.accessKeyId, secretAccessKey: FAUXQS_CREDENTIALS.secretAccessKey,
    waitTimeSeconds: 1, maxReceivers: receivers, maxInFlight: 4000,
  }, n);
}

/**
 * Alternates raw and Cloudbridge drains `rounds` times (default 3) and prints each run and the
 * medians: on a shared 2-core machine single runs vary by ±30 %.
 */
export async function benchAwsSqs(args: { n: number; receivers?: number; rounds?: number }): Promise<DrainPair> {
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
  console.log(`aws-sqs bench: ${args.n} preloaded messages of ~${payload(0).length} B, fauxqs in a child process (fresh for each run), ${receivers} receivers, ${rounds} rounds`);
  return drainRounds(rounds, 'msg/s', {
    raw: 'raw SDK loop (receive 10 + DeleteMessageBatch, no processing), median:  ',
    cb: 'Cloudbridge (JS converter + SQLite FULL, delete after commit), median:   ',
  }, async () => {
    const raw = await drain(rawDrain);
    return { raw, cb: await drain(sqsCloudbridgeDrain) };
  });
}
