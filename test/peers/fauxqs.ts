/**
 * fauxqs 2.4.1 (docs/testing.md, "SQS: fauxqs"), the SQS stand-in, on a free loopback port: in this
 * process, or in a child process (benchmarks, so it gets its own CPU; and tests that need the
 * queue to outlive a Cloudbridge process are fine with in-process, since Cloudbridge is the child).
 *
 *   const sqs = await startFauxqsPeer();
 *   after(() => sqs.stop());
 *   const url = await sqs.createQueue('telemetry', { VisibilityTimeout: '5' });
 *
 * fauxqs's own `startFauxqs` listens on 0.0.0.0; this launcher builds its app and listens on
 * 127.0.0.1 only. Endpoint-resolution gotcha: queue URLs look like
 * http://sqs.us-east-1.localhost:PORT/000000000000/q, which does not resolve here; every client
 * must get `endpoint` explicitly (the `endpoint` field), as Cloudbridge's `endpoint` config does.
 * fauxqs accepts any credentials (see sigv4-gate.ts in the aws-sqs tests for a checking front).
 */
import {
  CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message, type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { startNodeChild, type NodeChildPeer } from './node-child.ts';

export const FAUXQS_REGION = 'us-east-1';
export const FAUXQS_CREDENTIALS = { accessKeyId: 'AKIAFAUXQSTEST000001', secretAccessKey: 'fauxqs-test-secret' };

export interface QueueState {
  ready: number;
  inflight: number;
  delayed: number;
}

export interface FauxqsPeer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** A test client (explicit endpoint). */
  readonly sqs: SQSClient;
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  /** Sends bodies (or full entries) in batches of 10, `concurrency` batches at a time. */
  sendAll(queueUrl: string, messages: Array<string | Omit<SendMessageBatchRequestEntry, 'Id'>>, concurrency?: number): Promise<void>;
  /** Receives up to `max` (≤ 10) visible messages with a 1 s visibility timeout, deleting none (inspection). */
  peek(queueUrl: string, max?: number): Promise<Message[]>;
  /** Counts from fauxqs's inspection endpoint (never changes the queue). */
  state(queueName: string): Promise<QueueState>;
  stop(): Promise<void>;
}

function testClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: FAUXQS_REGION, credentials: FAUXQS_CREDENTIALS, useQueueUrlAsEndpoint: false });
}

function startChild(): Promise<NodeChildPeer> {
  const script = `import { buildApp } from 'fauxqs';
const app = buildApp({ logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
console.log('FAUXQS_PORT=' + app.server.address().port);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));`;
  return startNodeChild('fauxqs', 'FAUXQS_PORT', ['--input-type=module', '-e', script], { cwd: new URL('../../', import.meta.url).pathname });
}

async function startInProcess(): Promise<{ port: number; stop: () => Promise<void> }> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, stop: () => app.close() };
}

export async function startFauxqsPeer(opts: { childProcess?: boolean } = {}): Promise<FauxqsPeer> {
  const started = opts.childProcess ? await startChild() : await startInProcess();
  const endpoint = `http://127.0.0.1:${started.port}`;
  const sqs = testClient(endpoint);
  return {
    endpoint,
    port: started.port,
    region: FAUXQS_REGION,
    sqs,
    async createQueue(name, attributes = {}) {
      const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true' } : {};
      const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...fifo, ...attributes } }));
      if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
      return out.QueueUrl;
    },
    async sendAll(queueUrl, messages, concurrency = 8) {
      const batches: SendMessageBatchRequestEntry[][] = [];
      for (let i = 0; i < messages.length; i += 10) {
        batches.push(messages.slice(i, i + 10).map((m, j) => ({ Id: `${j}`, ...(typeof m === 'string' ? { MessageBody: m } : m) }) as SendMessageBatchRequestEntry));
      }
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches.length) {
          const entries = batches[next++];
          if (!entries) return;
          const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
          if (out.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
    async peek(queueUrl, max = 10) {
      const out = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, max), WaitTimeSeconds: 1, VisibilityTimeout: 1,
        MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
      }));
      return out.Messages ?? [];
    },
    async state(queueName) {
      const res = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
      if (!res.ok) throw new Error(`fauxqs: queue ${queueName}: HTTP ${res.status}`);
      const body = await res.json() as { messages: { ready: unknown[]; inflight: unknown[]; delayed: unknown[] } };
      return { ready: body.messages.ready.length, inflight: body.messages.inflight.length, delayed: body.messages.delayed.length };
    },
    async stop() {
      sqs.destroy();
      await started.stop();
    },
  };
}
