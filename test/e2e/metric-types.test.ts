/**
 * The metric types of /metrics as Prometheus reads them, on an app where every family appears: an
 * MQTT integration with 2 connections (Mosquitto), a Kinesis integration with 2 shards
 * (kinesalite) and a ThingsBoard forwarder (the double). Every `*_total` family is a counter (none
 * is a gauge), and its values are the totals of the status API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKinesalite, type KinesalitePeer } from '../peers/kinesalite.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { peerConfig } from '../connectors/aws-kinesis/helpers.ts';
import { seqRecords } from '../connectors/aws-kinesis/e2e-fixtures.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';
import { convertersYaml, publishSeq } from './fixtures.ts';

const MESSAGES = 20;

/** Both sources' payloads: MQTT `{seq, ts, …}`, Kinesis `{k, seq}`; one device and one point per message. */
const DECODER = `
var d = decodeToJson(payload);
return { deviceName: (d.k === undefined ? 'mqtt-' : 'kinesis-') + d.seq, deviceType: 'probe', telemetry: { seq: d.seq } };
`;

const COUNTERS = [
  'cloudbridge_messages_received_total', 'cloudbridge_messages_stored_total', 'cloudbridge_messages_dead_lettered_total',
  'cloudbridge_messages_duplicate_total', 'cloudbridge_points_overwritten_total', 'cloudbridge_errors_total',
  'cloudbridge_partition_committed_total', 'cloudbridge_partition_throttled_total', 'cloudbridge_source_connection_received_total',
  'cloudbridge_sandbox_process_restarts_total', 'cloudbridge_retention_pruned_rows_total',
  'cloudbridge_forwarder_delivered_total', 'cloudbridge_forwarder_rejected_total',
];

interface Exposition { types: Map<string, string>; samples: Array<{ name: string; labels: string; value: number }> }

/** The Prometheus text format: `# TYPE name type` lines and `name{labels} value` samples. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Exposition['samples'] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] ?? '', type[2] ?? '');
    const sample = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
    if (sample) samples.push({ name: sample[1] ?? '', labels: sample[2] ?? '', value: Number(sample[3]) });
  }
  return { types, samples };
}

interface Status {
  counters: { received: number; stored: number; deadLettered: number; duplicates: number; overwritten: number; errors: number };
  details: { partitions?: Array<{ partition: string; committed: number; throttled: number }>; connections?: Array<{ connection: number; clientId: string; received: number }> };
}
interface ForwarderStatus { outbox: { depth: number }; counters: { deliveredPoints: number; rejected: number } }

describe('metric types in /metrics', () => {
  let broker: MosquittoBroker;
  let kinesis: KinesalitePeer;
  let tb: ThingsBoardDouble;
  let t: TestApp;
  before(async () => {
    [broker, kinesis, tb] = await Promise.all([startMosquitto(), startKinesalite(), startThingsBoardDouble()]);
    await kinesis.createStream('metrics', 2);
    const kinesisConfig = { ...peerConfig(kinesis, 'metrics'), leaseDurationSeconds: 4, shardSyncIntervalSeconds: 2 };
    t = await startTestApp({
      yaml: `${convertersYaml(DECODER)}integrations:
  - name: plant
    type: mqtt
    uplinkConverter: decoder
    allowCreateDevices: true
    config: { host: 127.0.0.1, port: ${broker.port}, clientId: cb-metric-types, cleanSession: false, connections: 2, topicFilters: [{ filter: "types/+", qos: 1 }] }
  - name: stream
    type: aws-kinesis
    uplinkConverter: decoder
    allowCreateDevices: true
    config: ${JSON.stringify(kinesisConfig)}
forwarders:
  - name: tb
    type: thingsboard-gateway
    integrations: all
    config: { host: 127.0.0.1, port: ${tb.port}, accessToken: "${tb.gateway.token}" }
`,
    });
  });
  after(async () => {
    await t.close();
    await Promise.all([tb.dispose(), kinesis.stop(), broker.dispose()]);
  });

  it('every *_total family is a counter, none is a gauge, and its values are the status totals', async () => {
    const pub = await publishSeq(broker.url, (i) => `types/${i}`, 0, MESSAGES);
    await pub.endAsync();
    await kinesis.putAll('metrics', seqRecords(0, MESSAGES));
    const status = (name: string): Promise<Status> => t.api.get<Status>(`/integrations/${name}/status`);
    await waitFor(async () => (await status('plant')).counters.stored >= MESSAGES && (await status('stream')).counters.stored >= MESSAGES, 'both integrations stored', 60_000);
    const forwarder = (): Promise<ForwarderStatus> => t.api.get<{ status: ForwarderStatus }>('/forwarders/tb').then((v) => v.status);
    await waitFor(async () => {
      const f = await forwarder();
      return f.counters.deliveredPoints >= 2 * MESSAGES && f.outbox.depth === 0;
    }, 'every point delivered to ThingsBoard', 60_000);

    const text = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    const { types, samples } = parseExposition(text);
    const [plant, stream, tbStatus] = await Promise.all([status('plant'), status('stream'), forwarder()]);

    for (const name of COUNTERS) {
      assert.equal(types.get(name), 'counter', `# TYPE ${name}`);
      assert.ok(samples.some((s) => s.name === name), `${name} has a series`);
    }
    const gaugesNamedTotal = [...types].filter(([name, type]) => name.endsWith('_total') && type !== 'counter');
    assert.deepEqual(gaugesNamedTotal, [], 'no *_total family of another type');
    assert.equal(types.get('cloudbridge_in_flight_messages'), 'gauge');
    assert.equal(types.get('cloudbridge_forwarder_outbox_depth'), 'gauge');
    assert.equal(types.get('cloudbridge_partition_lag_seconds'), 'gauge');
    assert.equal(types.get('cloudbridge_process_nodejs_active_handles'), 'gauge', 'the per-type gauge of the dropped nodejs_active_handles_total');
    assert.equal(types.get('cloudbridge_process_process_cpu_seconds_total'), 'counter');

    const value = (name: string, labels: string): number | undefined => samples.find((s) => s.name === name && s.labels === (labels ? `{${labels}}` : ''))?.value;
    for (const [name, s, type] of [['plant', plant, 'mqtt'], ['stream', stream, 'aws-kinesis']] as const) {
      const labels = `integration="${name}",type="${type}"`;
      assert.equal(value('cloudbridge_messages_received_total', labels), s.counters.received, `${name} received`);
      assert.equal(value('cloudbridge_messages_stored_total', labels), MESSAGES, `${name} stored`);
      assert.equal(value('cloudbridge_messages_dead_lettered_total', labels), 0, `${name} dead-lettered: the series at 0 is exposed`);
      assert.equal(value('cloudbridge_messages_duplicate_total', labels), s.counters.duplicates);
      assert.equal(value('cloudbridge_points_overwritten_total', labels), 0);
      assert.equal(value('cloudbridge_errors_total', labels), s.counters.errors);
    }
    const shards = stream.details.partitions ?? [];
    assert.equal(shards.length, 2);
    for (const p of shards) {
      const labels = `integration="stream",type="aws-kinesis",partition="${p.partition}"`;
      assert.equal(value('cloudbridge_partition_committed_total', labels), p.committed, `${p.partition} committed`);
      assert.equal(value('cloudbridge_partition_throttled_total', labels), 0);
    }
    assert.equal(shards.reduce((n, p) => n + p.committed, 0), MESSAGES);
    const connections = plant.details.connections ?? [];
    assert.equal(connections.length, 2);
    for (const c of connections) {
      assert.equal(value('cloudbridge_source_connection_received_total', `integration="plant",type="mqtt",connection="${c.connection}",client_id="${c.clientId}"`), c.received);
    }
    assert.equal(connections.reduce((n, c) => n + c.received, 0), MESSAGES);
    assert.equal(value('cloudbridge_forwarder_delivered_total', 'forwarder="tb",type="thingsboard-gateway"'), tbStatus.counters.deliveredPoints);
    assert.equal(tbStatus.counters.deliveredPoints, 2 * MESSAGES);
    assert.equal(value('cloudbridge_forwarder_rejected_total', 'forwarder="tb",type="thingsboard-gateway"'), 0);
    assert.equal(value('cloudbridge_sandbox_process_restarts_total', ''), 0);
    assert.equal(value('cloudbridge_retention_pruned_rows_total', 'kind="telemetry"'), 0);
  });
});
