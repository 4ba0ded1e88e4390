/**
 * A raw SDK consumer of the scale-out bench, run as its own process (so that it can be held to the
 * same CPU quota as a Cloudbridge instance): `node bench/scale-raw-consumer.ts '<job JSON>'`.
 * It prints READY once its client is built, starts on a line on stdin, and prints
 * `RESULT {"received":…,"lastAt":…,"cpuMicros":…}` when done (lastAt: epoch ms of its last record;
 * cpuMicros: its CPU time from the start signal on). Records are counted and dropped: this is the
 * most any consumer can take from the peer.
 *  - sqs: `receivers` concurrent loops of ReceiveMessage (10, long poll 1 s) + DeleteMessageBatch,
 *    each until a receive comes back empty (the queue is drained; competing consumers share it);
 *  - kinesis: one GetRecords loop per given shard (TRIM_HORIZON, Limit 10000, ≥ 200 ms apart, as
 *    Kinesis allows) until that shard's known number of records arrived.
 */
import { createInterface } from 'node:readline';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FAUXQS_CREDENTIALS } from '../test/peers/fauxqs.ts';
import { kinesaliteClient } from '../test/peers/kinesalite.ts';
import type { RawJob, RawResult } from './scale-raw.ts';

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Drained = Omit<RawResult, 'cpuMicros'>;

function sqsDrain(job: Extract<RawJob, { kind: 'sqs' }>): () => Promise<Drained> {
  const sqs = new SQSClient({ endpoint: job.endpoint, region: job.region, credentials: FAUXQS_CREDENTIALS, useQueueUrlAsEndpoint: false });
  return async () => {
    const result = { received: 0, lastAt: 0 };
    const receiver = async (): Promise<void> => {
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: job.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) return;
        await sqs.send(new DeleteMessageBatchCommand({
          QueueUrl: job.queueUrl, Entries: messages.map((m, i) => ({ Id: `${i}`, ReceiptHandle: m.ReceiptHandle ?? '' })),
        }));
        result.received += messages.length;
        result.lastAt = now();
      }
    };
    await Promise.all(Array.from({ length: job.receivers }, receiver));
    sqs.destroy();
    return result;
  };
}

function kinesisDrain(job: Extract<RawJob, { kind: 'kinesis' }>): () => Promise<Drained> {
  const kinesis = kinesaliteClient(job.endpoint);
  return async () => {
    const result = { received: 0, lastAt: 0 };
    await Promise.all(job.shards.map(async ({ shardId, records }) => {
      let got = 0;
      let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: job.stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator && got < records) {
        const callAt = performance.now();
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        const n = out.Records?.length ?? 0;
        got += n;
        result.received += n;
        if (n > 0) result.lastAt = now();
        iterator = out.NextShardIterator;
        const wait = 200 - (performance.now() - callAt);
        if (wait > 0 && got < records) await sleep(wait);
      }
    }));
    kinesis.destroy();
    return result;
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as RawJob;
const drain = job.kind === 'sqs' ? sqsDrain(job) : kinesisDrain(job);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
process.stdout.write('READY\n');
await go;
lines.close();
const cpu = process.cpuUsage();
const result = await drain();
const used = process.cpuUsage(cpu);
process.stdout.write(`RESULT ${JSON.stringify({ ...result, cpuMicros: used.user + used.system })}\n`);
