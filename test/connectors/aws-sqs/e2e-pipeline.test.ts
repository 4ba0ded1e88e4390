/**
 * End to end on fauxqs: queue → aws-sqs connector → pipeline → converter sandbox → SQLite, each
 * message deleted only after commit. Counts are read back as a user would (API, store).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { startTestApp, waitFor } from '../../e2e/harness.ts';
import { uniqueName } from './helpers.ts';
import { seqBodies, sqsIntegrationYaml } from './e2e-fixtures.ts';

interface Status { state: string; counters: { stored: number; deadLettered: number; duplicates: number }; details?: Record<string, unknown> }
interface DeadLetters { total: number; items: Array<{ stage: string; errorCode: string; error: string; metadata: Record<string, string>; payload: unknown }> }

describe('aws-sqs end to end (fauxqs)', () => {
  let peer: FauxqsPeer;
  before(async () => { peer = await startFauxqsPeer(); });
  after(() => peer.stop());

  it('10k messages are stored exactly once and all deleted from the queue', async () => {
    const name = uniqueName('e2e-10k');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, seqBodies(0, 10_000));
    const t = await startTestApp({ yaml: sqsIntegrationYaml(peer, { queueUrl: url }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/queue/status')).counters.stored >= 10_000, '10k stored', 120_000, 200);
      await waitFor(async () => {
        const s = await peer.state(name);
        return s.ready === 0 && s.inflight === 0;
      }, 'the queue to be empty', 30_000);
      assert.equal(await t.app.store.countTelemetry(), 20_000, 'one point per key (seq, receives) per message: nothing twice');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 10_000, 'one device per message: nothing lost');
      const status = await t.api.get<Status>('/integrations/queue/status');
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.counters.deadLettered, 0);
      assert.equal(status.details?.deleted, 10_000);
      assert.equal(status.details?.queueName, name);
    } finally {
      await t.close();
    }
  });

  it('a converter failure dead-letters the message with its SQS metadata and deletes it from the queue', async () => {
    const name = uniqueName('e2e-dl');
    const dlq = await peer.createQueue(uniqueName('e2e-sqs-dlq'));
    const url = await peer.createQueue(name, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${peer.region}:000000000000:${dlq.split('/').at(-1)}`, maxReceiveCount: '3' }),
    });
    await peer.sendAll(url, [JSON.stringify({ seq: 1 }), JSON.stringify({ seq: 2, bad: true }), JSON.stringify({ seq: 3 })]);
    const t = await startTestApp({ yaml: sqsIntegrationYaml(peer, { queueUrl: url }) });
    try {
      await waitFor(async () => (await t.api.get<DeadLetters>('/dead-letters?integration=queue')).total === 1, 'the dead letter', 30_000);
      await waitFor(async () => (await t.api.get<Status>('/integrations/queue/status')).counters.stored === 2, 'the good messages');
      const dl = (await t.api.get<DeadLetters>('/dead-letters?integration=queue')).items[0];
      assert.equal(dl?.stage, 'convert');
      assert.equal(dl?.errorCode, 'CONVERTER_RUNTIME');
      assert.match(dl?.error ?? '', /bad reading from [0-9a-f-]{36}/, 'the converter saw metadata.messageId');
      assert.match(dl?.metadata.messageId ?? '', /^[0-9a-f-]{36}$/);
      await waitFor(async () => {
        const s = await peer.state(name);
        return s.ready === 0 && s.inflight === 0;
      }, 'the failed message deleted from the queue too', 10_000);
      assert.equal((await peer.state(dlq.split('/').at(-1) ?? '')).ready, 0, 'nothing went to the SQS dead-letter queue');
      const status = await t.api.get<Status>('/integrations/queue/status');
      assert.deepEqual(status.details?.redrivePolicy, { maxReceiveCount: 3, deadLetterTargetArn: `arn:aws:sqs:${peer.region}:000000000000:${dlq.split('/').at(-1)}` });
    } finally {
      await t.close();
    }
  });

  it('telemetry without ts is stored at the message\'s SentTimestamp, not at the time Cloudbridge received it', async () => {
    const url = await peer.createQueue(uniqueName('e2e-sent'));
    await peer.sendAll(url, [JSON.stringify({ seq: 1 }), JSON.stringify({ seq: 2 })]);
    await new Promise((r) => setTimeout(r, 1500));
    const startedAt = Date.now();
    const decoder = "var d = decodeToJson(payload); return { deviceName: 'sent-' + d.seq, telemetry: { seq: d.seq, sent: Number(metadata.sentTimestamp) } };";
    const t = await startTestApp({ yaml: sqsIntegrationYaml(peer, { queueUrl: url, decoder }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/queue/status')).counters.stored === 2, 'both stored', 30_000);
      for (const device of ['sent-1', 'sent-2']) {
        const latest = await t.api.get<Record<string, { ts: number; value: number }>>(`/devices/${device}/telemetry/latest`);
        assert.ok(latest.sent && latest.seq, device);
        assert.equal(latest.seq.ts, latest.sent.value, `${device}: the point's time is its SentTimestamp`);
        assert.ok(latest.seq.ts < startedAt - 1000, `${device}: sent well before Cloudbridge started (and received it)`);
      }
    } finally {
      await t.close();
    }
  });

  it('a downlink requested through the API lands in the downlink queue with its attributes', async () => {
    const url = await peer.createQueue(uniqueName('e2e-up'));
    const downUrl = await peer.createQueue(uniqueName('e2e-down'));
    await peer.sendAll(url, [JSON.stringify({ seq: 42 })]);
    const t = await startTestApp({ yaml: sqsIntegrationYaml(peer, { queueUrl: url, downlinkQueueUrl: downUrl }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/queue/status')).counters.stored === 1, 'dev-42 created');
      const queued = await t.api.post<{ id: string }>('/devices/dev-42/downlink', { msgType: 'setInterval', msg: { seconds: 30 } });
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${queued.id}`)).status === 'sent', 'the downlink sent', 10_000);
      const [message] = await peer.peek(downUrl);
      assert.deepEqual(JSON.parse(message?.Body ?? '{}'), { method: 'setInterval', params: { seconds: 30 } });
      assert.equal(message?.MessageAttributes?.deviceName?.StringValue, 'dev-42');
      assert.equal(message?.MessageAttributes?.command?.StringValue, 'setInterval');
    } finally {
      await t.close();
    }
  });
});
