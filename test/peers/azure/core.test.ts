/**
 * The shared core of the Azure double: SAS conventions, the partition-key hash, the selector
 * grammar, topology validation, `$cbs` authorization (bad key → UnauthorizedError in every SDK,
 * no token → unauthorized attach), credit and drain with a raw AMQP client, server-side message
 * size, TLS connection strings, and the fault hooks (server busy, refused attach, dropped
 * connections) as the SDKs experience them.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from '@azure/event-hubs';
import { ServiceBusClient } from '@azure/service-bus';
import rhea from 'rhea';
import type { Connection, EventContext, Message, Receiver } from 'rhea';
import { isCloudbridgeError } from '../../../src/core/errors.ts';
import { partitionForKey } from './event-hubs/partition-key.ts';
import { parseSelector } from './event-hubs/selector.ts';
import { createSasToken, startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';
import { parseSasToken, signatureMatches } from './sas.ts';
import { normalizeTopology } from './topology.ts';
import { waitFor } from '../../support/wait.ts';

const requireCjs = createRequire(import.meta.url);
const sdkMapper = requireCjs(join(dirname(requireCjs.resolve('@azure/event-hubs')), 'impl', 'partitionKeyToIdMapper.js')) as {
  mapPartitionKeyToId(key: string, count: number): number;
};
const { Client: IotClient } = requireCjs('azure-iothub') as { Client: { fromConnectionString(cs: string): { open(): Promise<unknown>; close(): Promise<unknown> } } };

type CodedError = Error & { code?: string };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Azure double building blocks', () => {
  it('accepts SAS tokens signed either way and rejects a wrong key', () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const sdkStyle = parseSasToken(createSasToken('sb://localhost:5672/hub1', 'k', 'secret', exp, 'utf8-key'));
    const iotStyle = parseSasToken(createSasToken('localhost:5671', 'k', 'c2VjcmV0', exp, 'base64-key'));
    assert.ok(sdkStyle !== undefined && iotStyle !== undefined);
    assert.equal(sdkStyle.resource, 'sb://localhost:5672/hub1');
    assert.equal(signatureMatches(sdkStyle, 'secret'), true);
    assert.equal(signatureMatches(iotStyle, 'c2VjcmV0'), true);
    assert.equal(signatureMatches(sdkStyle, 'other'), false);
    assert.equal(parseSasToken('Bearer abc'), undefined);
  });

  it('maps partition keys exactly as the Event Hubs SDK does', () => {
    for (let n = 0; n < 2000; n++) {
      const key = `k-${n}-${'xyzé€'.repeat(n % 7)}`;
      for (const count of [1, 2, 3, 4, 5, 16, 32]) assert.equal(partitionForKey(key, count), sdkMapper.mapPartitionKeyToId(key, count), key);
    }
  });

  it('parses the start-position selectors the SDK sends', () => {
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset > '-1'"), { kind: 'earliest' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset > '@latest'"), { kind: 'latest' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset >= '168'"), { kind: 'offset', value: 168, inclusive: true });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-sequence-number > '2'"), { kind: 'sequence', value: 2, inclusive: false });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-enqueued-time > '1700000000000'"), { kind: 'time', value: 1700000000000, inclusive: false });
    assert.ok('error' in parseSelector('amqp.annotation.x-opt-offset < 3'));
  });

  it('rejects an invalid topology with CONFIG_INVALID naming the field', () => {
    const cases = [
      { eventHubs: { hubs: [{ name: 'a' }, { name: 'A' }] } },
      { eventHubs: { hubs: [{ name: 'a', partitions: 0 }] } },
      { serviceBus: { queues: [{ name: 'x' }], topics: [{ name: 'x' }] } },
      { serviceBus: { queues: [{ name: 'bad name' }] } },
    ];
    for (const t of cases) assert.throws(() => normalizeTopology(t), (e: unknown) => isCloudbridgeError(e) && e.code === 'CONFIG_INVALID' && typeof e.details.field === 'string');
  });
});

let double: AzureDouble;

before(async () => {
  double = await startAzureDouble({
    eventHubs: { hubs: [{ name: 'hub1', partitions: 2 }, { name: 'tiny', partitions: 1, maxMessageSizeBytes: 2048 }] },
    serviceBus: { queues: [{ name: 'q1', lockDurationMs: 10_000 }, { name: 'raw' }] },
    iotHub: { name: 'hub', devices: ['d1'] },
  });
});

after(async () => {
  await double.stop();
});

/** A raw rhea client: connects, optionally authorizes with a put-token on $cbs. */
async function rawClient(port: number, audience?: string): Promise<Connection> {
  const conn = rhea.create_container().connect({ host: 'localhost', port, reconnect: false });
  await new Promise<void>((resolve, reject) => {
    conn.once('connection_open', () => resolve());
    conn.once('disconnected', (ctx: EventContext) => reject(ctx.error ?? new Error('disconnected')));
  });
  if (audience !== undefined) {
    const token = createSasToken(audience, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 300);
    const replies = conn.open_receiver({ name: 'cbs-replies', source: { address: '$cbs' } });
    const status = new Promise<unknown>((resolve) => replies.once('message', (ctx: EventContext) => resolve(ctx.message?.application_properties?.['status-code'])));
    conn.open_sender('$cbs').send({
      message_id: 'put-1', reply_to: 'cbs-replies', body: token,
      application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    });
    assert.equal(await status, 200);
  }
  return conn;
}

function closeRaw(conn: Connection): void {
  conn.removeAllListeners('disconnected');
  conn.close();
}

function linkError(conn: Connection, kind: 'sender' | 'receiver'): Promise<{ condition?: string }> {
  return new Promise((resolve) => conn.once(`${kind}_error`, (ctx: EventContext) => resolve((ctx.sender ?? ctx.receiver)?.error as { condition?: string })));
}

describe('Azure double core over AMQP', () => {
  it('answers a bad key with 401, which every SDK raises as unauthorized', async () => {
    const eh = new EventHubProducerClient(double.eventHubs.connectionString('hub1').replace('SAS_KEY_VALUE', 'wrong'), { retryOptions: { maxRetries: 0 } });
    await assert.rejects(eh.getEventHubProperties(), (e: CodedError) => e.code === 'UnauthorizedError');
    await eh.close();
    const sb = new ServiceBusClient(double.serviceBus.connectionString().replace('SAS_KEY_VALUE', 'wrong'), { retryOptions: { maxRetries: 0 } });
    await assert.rejects(sb.createSender('q1').sendMessages({ body: 1 }), (e: CodedError) => e.code === 'UnauthorizedAccess');
    await sb.close();
    const iot = IotClient.fromConnectionString((double.iotHub?.connectionString() ?? '').replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmc='));
    await assert.rejects(iot.open(), (e: Error & { amqpError?: Error }) => e.amqpError?.name === 'UnauthorizedError');
    await iot.close();
  });

  it('refuses links on connections without a token', async () => {
    const conn = await rawClient(double.eventHubs.ports.plain);
    const refused = linkError(conn, 'sender');
    conn.open_sender('hub1');
    assert.equal((await refused).condition, 'amqp:unauthorized-access');
    closeRaw(conn);
  });

  it('grants exactly the credit a receiver gives and answers drain', async () => {
    double.hooks.serviceBus.send('raw', Array.from({ length: 6 }, (_, i) => ({ body: i })));
    const conn = await rawClient(double.serviceBus.ports.plain, `sb://localhost:${double.serviceBus.ports.plain}/raw`);
    const receiver: Receiver = conn.open_receiver({ source: { address: 'raw' }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
    const got: Message[] = [];
    receiver.on('message', (ctx: EventContext) => { if (ctx.message !== undefined) got.push(ctx.message); });
    await new Promise((r) => receiver.once('receiver_open', r));
    receiver.add_credit(3);
    await waitFor(() => got.length === 3, 'condition', 15_000);
    await sleep(200);
    assert.equal(got.length, 3);
    receiver.add_credit(2);
    const drained = new Promise((r) => receiver.once('receiver_drained', r));
    receiver.drain_credit();
    await drained;
    assert.equal(got.length, 5);
    assert.deepEqual(got.map((m) => (m.message_annotations ?? {})['x-opt-sequence-number']), [1, 2, 3, 4, 5]);
    closeRaw(conn);
  });

  it('rejects a message larger than the hub maximum on ingress', async () => {
    const conn = await rawClient(double.eventHubs.ports.plain, `sb://localhost:${double.eventHubs.ports.plain}/tiny`);
    const sender = conn.open_sender('tiny');
    await new Promise((r) => sender.once('sendable', r));
    const outcome = new Promise<{ condition?: string }>((resolve) => sender.once('rejected', (ctx: EventContext) => resolve((ctx.delivery?.remote_state as { error?: { condition?: string } } | undefined)?.error ?? {})));
    sender.send({ body: rhea.message.data_section(Buffer.alloc(4096, 1)) });
    assert.equal((await outcome).condition, 'amqp:link:message-size-exceeded');
    assert.equal(double.hooks.eventHubs.partitionInfo('tiny', '0').isEmpty, true);
    closeRaw(conn);
  });

  it('serves the SDKs over TLS as well', async () => {
    const eh = new EventHubProducerClient(double.eventHubs.connectionString('hub1', { tls: true }));
    assert.deepEqual(await eh.getPartitionIds(), ['0', '1']);
    await eh.close();
    const sb = new ServiceBusClient(double.serviceBus.connectionString({ tls: true }));
    await sb.createSender('q1').sendMessages({ body: 'over-tls' });
    await sb.close();
    assert.equal(double.hooks.serviceBus.messages('q1').at(-1)?.body, 'over-tls');
  });

  it('rejects sends with server-busy on demand', async () => {
    const sb = new ServiceBusClient(double.serviceBus.connectionString(), { retryOptions: { maxRetries: 0 } });
    const sender = sb.createSender('q1');
    await sender.sendMessages({ body: 'warm-up' });
    double.hooks.faults.serverBusy('serviceBus', 1);
    await assert.rejects(sender.sendMessages({ body: 'busy' }), (e: CodedError) => e.code === 'ServiceBusy');
    await sender.sendMessages({ body: 'after-busy' });
    await sb.close();
    assert.deepEqual(double.hooks.serviceBus.messages('q1').slice(-2).map((m) => m.body), ['warm-up', 'after-busy']);
  });

  it('refuses an attach on demand', async () => {
    double.hooks.faults.refuseAttach('eventHubs', { address: 'hub1', role: 'send' });
    const eh = new EventHubProducerClient(double.eventHubs.connectionString('hub1'), { retryOptions: { maxRetries: 0 } });
    await assert.rejects(eh.sendBatch([{ body: 'x' }]), (e: CodedError) => e.code === 'ServerBusyError');
    await eh.sendBatch([{ body: 'y' }]);
    double.hooks.faults.refuseAttach('eventHubs', { address: /^hub1\/Partitions\/0$/, condition: 'amqp:not-found', description: `The messaging entity 'hub1/Partitions/0' could not be found.` });
    await assert.rejects(eh.sendBatch([{ body: 'z' }], { partitionId: '0' }), (e: CodedError) => e.code === 'MessagingEntityNotFoundError');
    await eh.close();
  });

  it('lets SDK clients recover from dropped connections', async () => {
    const consumer = new EventHubConsumerClient('$Default', double.eventHubs.connectionString('hub1'), { retryOptions: { retryDelayInMs: 100 } });
    const producer = new EventHubProducerClient(double.eventHubs.connectionString('hub1'), { retryOptions: { retryDelayInMs: 100 } });
    const bodies: unknown[] = [];
    const sub = consumer.subscribe('1', {
      processEvents: async (events) => { bodies.push(...events.map((e) => e.body)); },
      processError: async () => undefined,
    }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
    await producer.sendBatch([{ body: 'before-drop' }], { partitionId: '1' });
    await waitFor(() => bodies.includes('before-drop'), 'condition', 15_000);
    const before = double.hooks.connections('eventHubs').map((c) => c.id);
    assert.ok(before.length >= 2);
    assert.ok(double.hooks.faults.dropConnections('eventHubs') >= 2);
    // A send racing an abrupt drop waits for the SDK's operation timeout; wait for the reconnect.
    await waitFor(() => double.hooks.connections('eventHubs').some((c) => !before.includes(c.id)), 'condition', 15_000);
    await producer.sendBatch([{ body: 'after-drop' }], { partitionId: '1' });
    await waitFor(() => bodies.includes('after-drop'), 'condition', 15_000);
    assert.equal(bodies.filter((b) => b === 'before-drop').length, 1);
    await sub.close();
    await consumer.close();
    await producer.close();
  });

  it('lists connections with the grants their tokens earned', async () => {
    const sb = new ServiceBusClient(double.serviceBus.connectionString());
    await sb.createSender('q1').sendMessages({ body: 'probe' });
    const conns = double.hooks.connections('serviceBus');
    assert.ok(conns.some((c) => c.grants.some((g) => g.scope === 'q1' && g.keyName === 'RootManageSharedAccessKey')));
    await sb.close();
  });
});

