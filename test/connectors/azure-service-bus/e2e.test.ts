/**
 * End to end on the Azure double: queue → azure-service-bus → pipeline → converter sandbox →
 * SQLite, each message completed only after its commit. 10k messages stored exactly once; the
 * double dropping the connection mid-stream loses nothing and stores nothing twice; a downlink
 * requested through the API lands in the downlink queue with its properties.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, waitFor } from '../../e2e/harness.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { integrationYaml } from '../aws-common/fixtures.ts';
import { seqBodies } from './fixtures.ts';

interface Status { state: string; counters: { stored: number; deadLettered: number; duplicates: number }; details?: Record<string, unknown> }

const DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { seq: data.seq } };
`;
const ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName, command: msgType, sessionId: 'dev-session', messageId: 'cmd-1' } };
`;

function yaml(double: AzureDouble, config: Record<string, unknown>): string {
  return integrationYaml({ type: 'azure-service-bus', name: 'bus', decoder: DECODER, encoder: ENCODER, config: { connectionString: double.serviceBus.connectionString(), ...config } });
}

function sendAll(double: AzureDouble, queue: string, bodies: string[]): void {
  for (let i = 0; i < bodies.length; i += 500) double.hooks.serviceBus.send(queue, bodies.slice(i, i + 500).map((body, j) => ({ body, messageId: `m-${i + j}` })));
}

describe('azure-service-bus end to end (Azure double)', () => {
  let double: AzureDouble;
  before(async () => {
    double = await startAzureDouble({
      serviceBus: {
        queues: [
          { name: 'bulk', lockDurationMs: 30_000 },
          { name: 'dropped', lockDurationMs: 30_000 },
          { name: 'up', lockDurationMs: 30_000 },
          { name: 'commands', requiresSession: true },
        ],
      },
    });
  });
  after(() => double.stop());

  it('10k messages are stored exactly once and all completed', async () => {
    sendAll(double, 'bulk', seqBodies(0, 10_000));
    const t = await startTestApp({ yaml: yaml(double, { queueName: 'bulk' }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/bus/status')).counters.stored >= 10_000, '10k stored', 180_000, 200);
      await waitFor(() => double.hooks.serviceBus.messages('bulk').length === 0, 'the queue to be empty', 30_000);
      assert.equal(await t.app.store.countTelemetry(), 10_000, 'one point per message: nothing twice');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 10_000, 'one device per message: nothing lost');
      const status = await t.api.get<Status>('/integrations/bus/status');
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.details?.completed, 10_000);
      assert.equal(status.details?.entity, 'bulk');
    } finally {
      await t.close();
    }
  });

  it('the double dropping the connection mid-stream: nothing lost, nothing stored twice', async () => {
    const total = 4000;
    sendAll(double, 'dropped', seqBodies(0, total));
    const t = await startTestApp({ yaml: yaml(double, { queueName: 'dropped' }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/bus/status')).counters.stored >= 500, 'the first 500 stored', 60_000, 20);
      assert.ok(double.hooks.faults.dropConnections('serviceBus', 'close') > 0);
      // The messages in flight when the connection dropped still commit: wait for a new connection too.
      await waitFor(async () => (await t.api.get<Status>('/integrations/bus/status')).counters.stored >= 1500 && double.hooks.connections('serviceBus').length > 0, 'more stored after the reconnect', 60_000, 50);
      assert.ok(double.hooks.faults.dropConnections('serviceBus', 'destroy') > 0);
      await waitFor(() => double.hooks.serviceBus.messages('dropped').length === 0, 'the queue to be empty', 180_000, 200);
      assert.equal(await t.app.store.countTelemetry(), total, 'nothing stored twice');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, total, 'nothing lost');
      const status = await t.api.get<Status>('/integrations/bus/status');
      assert.ok(Number(status.details?.completed) + Number(status.details?.lockLost) >= total, JSON.stringify(status.details));
    } finally {
      await t.close();
    }
  });

  it('a downlink requested through the API lands in the downlink queue with its properties, message id and session id', async () => {
    double.hooks.serviceBus.send('up', [{ body: JSON.stringify({ seq: 42 }) }]);
    const t = await startTestApp({ yaml: yaml(double, { queueName: 'up', downlinkQueueOrTopic: 'commands' }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/bus/status')).counters.stored === 1, 'dev-42 created');
      const queued = await t.api.post<{ id: string }>('/devices/dev-42/downlink', { msgType: 'setInterval', msg: { seconds: 30 } });
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${queued.id}`)).status === 'sent', 'the downlink sent', 15_000);
      const [m] = double.hooks.serviceBus.messages('commands');
      assert.deepEqual(m?.body, { method: 'setInterval', params: { seconds: 30 } }, 'the JSON body as sent');
      assert.deepEqual([m?.messageId, m?.sessionId, m?.properties?.['deviceName'], m?.properties?.['command']], ['cmd-1', 'dev-session', 'dev-42', 'setInterval']);
    } finally {
      await t.close();
    }
  });
});
