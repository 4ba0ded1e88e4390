/** Plain mqtt.js clients for tests: a publisher, a collecting subscriber, and the connector under test. */
import { connect, connectAsync, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { mqttConnector } from '../../../src/connectors/mqtt/index.ts';
import type { MqttConfig } from '../../../src/connectors/mqtt/index.ts';
import type { MqttSource } from '../../../src/connectors/mqtt/mqtt-source.ts';
import type { MosquittoBroker } from '../../peers/mosquitto.ts';
import { createTestContext, type TestConnectorContext } from '../../support/connector-context.ts';

let counter = 0;

export function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A connected helper client (no auto-reconnect unless asked). */
export async function testClient(broker: { url: string }, opts: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(broker.url, { clientId: uniqueId('helper'), reconnectPeriod: 0, ...opts });
  client.on('error', () => undefined);
  return client;
}

/** Publishes each payload with QoS 1 (waiting for every PUBACK). */
export async function publishAll(client: MqttClient, topic: string, payloads: Array<string | Buffer>, opts: { qos?: 0 | 1; properties?: IPublishPacket['properties'] } = {}): Promise<void> {
  await Promise.all(payloads.map((p) => client.publishAsync(topic, p, { qos: opts.qos ?? 1, ...(opts.properties ? { properties: opts.properties } : {}) })));
}

/**
 * Publishes `{"seq": i}` for i in [from, to) to `topic` with QoS 1, at most `window` un-acknowledged,
 * pausing `pauseMs` after each window (so a stream can span a crash or a restart).
 */
export async function publishSeq(client: MqttClient, topic: string, from: number, to: number, window: number, pauseMs = 0): Promise<void> {
  let pending: Array<Promise<unknown>> = [];
  for (let i = from; i < to; i++) {
    pending.push(client.publishAsync(topic, JSON.stringify({ seq: i }), { qos: 1 }));
    if (pending.length >= window) {
      await Promise.all(pending);
      pending = [];
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  await Promise.all(pending);
}

/** The distinct payloads (UTF-8) of the deliveries that resolved: what was stored. */
export function storedTexts(ctx: TestConnectorContext): Set<string> {
  return new Set(ctx.calls.filter((c) => c.settled === 'resolved').map((c) => Buffer.from(c.batch[0]?.payload ?? []).toString()));
}

/**
 * Publishes `total` QoS 1 messages (`<prefix><i>` to `topic(i)`) at a steady pace and restarts the
 * broker half-way; resolves once the restart is over and every message was acknowledged (give the
 * publisher a reconnectPeriod and a persistent session).
 */
export async function publishAcrossRestart(publisher: MqttClient, broker: MosquittoBroker, total: number, topic: (i: number) => string, prefix: string): Promise<void> {
  const published: Array<Promise<unknown>> = [];
  let restart: Promise<void> | null = null;
  for (let i = 0; i < total; i++) {
    published.push(publisher.publishAsync(topic(i), `${prefix}${i}`, { qos: 1 }));
    if (i === total / 2) restart = broker.restart();
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  await restart;
  await Promise.all(published);
}

export interface Collector {
  client: MqttClient;
  messages: Array<{ topic: string; payload: string }>;
  close(): Promise<void>;
}

/** Subscribes and collects what arrives. */
export async function collect(broker: { url: string }, filter: string, opts: IClientOptions = {}): Promise<Collector> {
  const client = await testClient(broker, opts);
  const messages: Collector['messages'] = [];
  client.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString('utf8') }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages, close: () => client.endAsync(true) };
}

export interface ConnectorUnderTest {
  source: MqttSource;
  ctx: TestConnectorContext;
  config: MqttConfig;
}

/** Creates (not starts) the `mqtt` connector against `broker` with fast reconnects. */
export function createConnector(broker: MosquittoBroker | { host: string; port: number }, config: Partial<MqttConfig> = {}, ctx = createTestContext()): ConnectorUnderTest {
  const full: MqttConfig = {
    host: broker.host,
    port: broker.port,
    clientId: uniqueId('cb'),
    topicFilters: [{ filter: 'test/#', qos: 1 }],
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    connectTimeoutMs: 3000,
    ...config,
  };
  const source = mqttConnector.create(full, ctx) as MqttSource;
  return { source, ctx, config: full };
}

/**
 * Resumes the persistent session of `clientId` (the connector must be stopped) and counts the
 * messages the broker hands out, waiting until none came for `quietMs`. Acknowledges them: use
 * it last.
 */
export async function countSessionMessages(broker: { url: string }, opts: IClientOptions & { clientId: string }, quietMs = 700): Promise<number> {
  // Listening before the CONNACK: the broker sends the session's messages right after it.
  const client = connect(broker.url, { reconnectPeriod: 0, clean: false, ...opts });
  client.on('error', () => undefined);
  let count = 0;
  let lastAt = Date.now();
  client.on('message', () => {
    count++;
    lastAt = Date.now();
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('close', () => reject(new Error(`could not resume the session of ${opts.clientId}`)));
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() - lastAt < quietMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await client.endAsync(true);
  return count;
}
