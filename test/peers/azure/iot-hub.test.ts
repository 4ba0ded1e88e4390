/**
 * The IoT Hub part of the Azure double: azure-iothub `Client.send` to known and unknown devices,
 * the per-device queue limit, the feedback receiver with IoT Hub's JSON feedback format,
 * device-to-cloud events through the Event Hub-compatible endpoint with the IoT annotations and
 * device-id partitioning, and the `amqp:link:redirect` from the IoT Hub host to that endpoint.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { ReceivedEventData } from '@azure/event-hubs';
import { EventHubConsumerClient, earliestEventPosition } from '@azure/event-hubs';
import rhea from 'rhea';
import type { EventContext } from 'rhea';
import { createSasToken, startAzureDouble } from './index.ts';
import type { AzureDouble, FeedbackRecord } from './index.ts';
import { waitFor } from '../../support/wait.ts';

interface IotMessage { ack?: string; messageId?: string; data: Buffer; properties: { add(k: string, v: string): void } }
interface FeedbackReceiver { on(ev: 'message', fn: (m: IotMessage) => void): void; complete(m: IotMessage, done: (err?: Error) => void): void }
interface IotClient {
  open(): Promise<unknown>;
  close(): Promise<unknown>;
  send(deviceId: string, message: IotMessage): Promise<unknown>;
  getFeedbackReceiver(done: (err: Error | undefined, receiver: FeedbackReceiver) => void): void;
}

const requireCjs = createRequire(import.meta.url);
const { Client } = requireCjs('azure-iothub') as { Client: { fromConnectionString(cs: string): IotClient } };
const { Message } = requireCjs('azure-iothub/dist/common-core/message') as { Message: new (data: string) => IotMessage };

let double: AzureDouble;
let client: IotClient;

before(async () => {
  double = await startAzureDouble({ iotHub: { name: 'myiothub', devices: ['dev1', 'dev2', 'full-dev'], partitions: 4, c2dMaxQueueDepth: 50 } });
  client = Client.fromConnectionString(double.iotHub?.connectionString() ?? '');
  await client.open();
});

after(async () => {
  await client.close();
  await double.stop();
});

function message(text: string, ack?: string, messageId?: string): IotMessage {
  const m = new Message(text);
  if (ack !== undefined) m.ack = ack;
  if (messageId !== undefined) m.messageId = messageId;
  return m;
}

describe('IoT Hub double', () => {
  it('queues cloud-to-device messages for known devices and rejects unknown ones', async () => {
    const m = message('{"cmd":"reboot"}', 'full', 'c2d-1');
    m.properties.add('priority', 'high');
    await client.send('dev1', m);
    const queued = double.hooks.iotHub.c2dQueue('dev1');
    assert.deepEqual(queued.map((q) => [q.messageId, q.ack, q.body, q.properties?.['priority']]), [['c2d-1', 'full', { cmd: 'reboot' }, 'high']]);
    await assert.rejects(client.send('ghost', message('x')), (e: Error) => e.name === 'DeviceNotFoundError');
  });

  it('enforces the per-device queue depth of 50', async () => {
    for (let i = 0; i < 50; i++) await client.send('full-dev', message(`n${i}`));
    await assert.rejects(client.send('full-dev', message('one too many')), (e: Error) => e.name === 'DeviceMaximumQueueDepthExceededError');
    assert.equal(double.hooks.iotHub.c2dQueue('full-dev').length, 50);
  });

  it('delivers feedback records as JSON to the feedback receiver', async () => {
    await client.send('dev2', message('a', 'positive', 'fb-ok'));
    await client.send('dev2', message('b', 'negative', 'fb-bad'));
    const receiver = await new Promise<FeedbackReceiver>((resolve, reject) => client.getFeedbackReceiver((err, r) => (err ? reject(err) : resolve(r))));
    const batches: FeedbackRecord[][] = [];
    receiver.on('message', (msg) => {
      batches.push(JSON.parse(msg.data.toString('utf8')) as FeedbackRecord[]);
      receiver.complete(msg, () => undefined);
    });
    double.hooks.iotHub.completeC2d('dev2', 'Success', { messageId: 'fb-ok' });
    double.hooks.iotHub.completeC2d('dev2', 'Rejected', { messageId: 'fb-bad' });
    double.hooks.iotHub.completeC2d('dev1', 'Success');
    await waitFor(() => batches.length === 3);
    const records = batches.flat();
    assert.deepEqual(records.map((r) => [r.originalMessageId, r.deviceId, r.statusCode]), [['fb-ok', 'dev2', 'Success'], ['fb-bad', 'dev2', 'Rejected'], ['c2d-1', 'dev1', 'Success']]);
    for (const r of records) {
      assert.equal(typeof r.deviceGenerationId, 'string');
      assert.ok(!Number.isNaN(Date.parse(r.enqueuedTimeUtc)));
      assert.equal(typeof r.description, 'string');
    }
  });

  it('publishes device-to-cloud events to the Event Hub-compatible endpoint, partitioned by device', async () => {
    for (const device of ['dev1', 'dev2']) {
      for (let i = 0; i < 3; i++) double.hooks.iotHub.sendD2c(device, { body: { device, i }, properties: { unit: 'C' } });
    }
    const consumer = new EventHubConsumerClient('$Default', double.iotHub?.eventHubCompatibleConnectionString() ?? '');
    const events: { event: ReceivedEventData; partitionId: string }[] = [];
    const sub = consumer.subscribe({
      processEvents: async (batch, ctx) => { for (const event of batch) events.push({ event, partitionId: ctx.partitionId }); },
      processError: async () => undefined,
    }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
    await waitFor(() => events.length === 6);
    await sub.close();
    await consumer.close();
    for (const device of ['dev1', 'dev2']) {
      const mine = events.filter((e) => e.event.systemProperties?.['iothub-connection-device-id'] === device);
      assert.deepEqual(mine.map((e) => e.event.body), [0, 1, 2].map((i) => ({ device, i })));
      assert.equal(new Set(mine.map((e) => e.partitionId)).size, 1);
      const sys = mine[0]?.event.systemProperties ?? {};
      assert.equal(typeof sys['iothub-enqueuedtime'], 'number');
      assert.equal(sys['iothub-message-source'], 'Telemetry');
      assert.equal(typeof sys['iothub-connection-auth-generation-id'], 'string');
      assert.equal(mine[0]?.event.properties?.['unit'], 'C');
    }
    assert.throws(() => double.hooks.iotHub.sendD2c('ghost', { body: 1 }), RangeError);
  });

  it('redirects a messages/events receiver to the built-in endpoint on its own host, with the port in the redirect info', async () => {
    const iot = double.iotHub;
    assert.ok(iot !== undefined);
    const host = /HostName=([^;]+)/.exec(iot.connectionString())?.[1] ?? '';
    const key = double.topology.iotHub?.keys[1];
    assert.ok(key !== undefined);
    const token = createSasToken(`${host}/messages/events`, key.name, key.key, Math.floor(Date.now() / 1000) + 300, 'base64-key');
    const container = rhea.create_container();
    const conn = container.connect({
      host: host.split(':')[0], port: iot.port, transport: 'tls', reconnect: false,
      username: `${key.name}@sas.root.${iot.name}`, password: token,
    });
    const error = await new Promise<{ condition?: string; info?: Record<string, unknown> }>((resolve, reject) => {
      conn.on('receiver_error', (ctx: EventContext) => resolve(ctx.receiver?.error as { condition?: string; info?: Record<string, unknown> }));
      conn.on('connection_error', (ctx: EventContext) => reject(ctx.connection.error ?? new Error('connection error')));
      conn.on('disconnected', (ctx: EventContext) => reject(ctx.error ?? new Error('disconnected')));
      conn.open_receiver({ source: { address: `amqps://${host}/messages/events/$management` } });
    });
    conn.removeAllListeners('disconnected');
    conn.close();
    assert.equal(error.condition, 'amqp:link:redirect');
    // As Azure: `hostname` is the endpoint's namespace host (not the IoT Hub's), without a port;
    // the port is in `port` and in `address` (amqps://<host>:<port>/<hub>/$management).
    const hostname = String(error.info?.['hostname']);
    assert.notEqual(hostname, host.split(':')[0]);
    assert.ok(!hostname.includes(':'));
    const port = Number(error.info?.['port']);
    const match = /^amqps:\/\/([^/:]+):(\d+)\/(.*)\/\$management$/i.exec(String(error.info?.['address']));
    assert.deepEqual([match?.[1], Number(match?.[2]), match?.[3]], [hostname, port, iot.name]);
    const converted = `Endpoint=sb://${hostname}:${port}/;EntityPath=${match?.[3] ?? ''};SharedAccessKeyName=${key.name};SharedAccessKey=${key.key}`;
    double.hooks.iotHub.sendD2c('dev1', { body: 'via-redirect' });
    const consumer = new EventHubConsumerClient('$Default', converted);
    try {
      assert.deepEqual(await consumer.getPartitionIds(), ['0', '1', '2', '3']);
      const body = await new Promise<unknown>((resolve) => {
        const sub = consumer.subscribe({
          processEvents: async (batch) => {
            const hit = batch.find((e) => e.body === 'via-redirect');
            if (hit !== undefined) { await sub.close(); resolve(hit.body); }
          },
          processError: async () => undefined,
        }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
      });
      assert.equal(body, 'via-redirect');
    } finally {
      await consumer.close();
    }
  });
});
