/** What a user sees in the imported YAML, per ThingsBoard type: mapped fields, env vars, unmapped reasons. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { importFiles, TYPE_FILES } from './helpers.ts';
import type { ImportResult } from '../../src/import/thingsboard/types.ts';

interface YamlIntegration { name: string; type: string; enabled: boolean; uplinkConverter: string; downlinkConverter?: string; allowCreateDevices: boolean; debug: { failures: boolean }; metadata: Record<string, string>; config: Record<string, unknown> }
interface YamlConverter { name: string; type: string; language: string; script: string }

function imported(type: string): { r: ImportResult; yaml: { converters: YamlConverter[]; integrations: YamlIntegration[] }; integ: YamlIntegration } {
  const r = importFiles(TYPE_FILES[type] ?? []);
  const yaml = parse(r.yaml) as { converters: YamlConverter[]; integrations: YamlIntegration[] };
  const integ = yaml.integrations[0];
  assert.ok(integ, `${type}: no integration imported: ${JSON.stringify(r.skipped)}`);
  return { r, yaml, integ };
}

const reasonOf = (r: ImportResult, field: string): string => r.unmapped.find((u) => u.field === field)?.reason ?? '';

describe('import-thingsboard mapping per type', () => {
  it('AWS_IOT → aws-iot-core: endpoint, client id, certificate, key as env, filters, pattern, seconds → ms', () => {
    const { r, integ } = imported('AWS_IOT');
    assert.equal(integ.type, 'aws-iot-core');
    assert.equal(integ.enabled, false);
    assert.equal(integ.downlinkConverter, 'AWS IoT downlink');
    assert.deepEqual(integ.metadata, { site: 'plant-1' });
    assert.deepEqual(integ.debug, { failures: true });
    const c = integ.config as { endpoint: string; clientId: string; credentials: Record<string, string>; topicFilters: unknown; downlinkTopicPattern: string; protocolVersion: number; connectTimeoutMs: number };
    assert.equal(c.endpoint, 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com');
    assert.equal(c.clientId, 'tb-plant-1');
    assert.match(c.credentials.cert ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.equal(c.credentials.key, '${CB_AWS_IOT_PLANT_KEY}');
    assert.equal(c.credentials.ca, undefined, 'Amazon Root CA 1 is the default and not written');
    assert.deepEqual(c.topicFilters, [{ filter: 'plant/+/telemetry', qos: 1 }, { filter: 'plant/+/status', qos: 0 }]);
    assert.equal(c.downlinkTopicPattern, '${topic}');
    assert.equal(c.protocolVersion, 4);
    assert.equal(c.connectTimeoutMs, 10_000);
    assert.deepEqual(r.env.map((e) => [e.name, e.field]), [['CB_AWS_IOT_PLANT_KEY', 'config.credentials.key']]);
    assert.match(reasonOf(r, 'configuration.clientConfiguration.maxBytesInMessage'), /no per-message size setting/);
    assert.match(reasonOf(r, 'configuration.updateOnlyKeys'), /send only if changed.*stores every value/);
    assert.match(reasonOf(r, 'debugSettings.allEnabled'), /time-boxed window/);
    assert.match(reasonOf(r, 'secret'), /remote integrations/);
  });

  it('AWS_KINESIS → aws-kinesis: stream, region, position, keys as env; remote and KCL fields reported', () => {
    const { r, integ } = imported('AWS_KINESIS');
    assert.equal(integ.type, 'aws-kinesis');
    assert.deepEqual(integ.config, {
      streamName: 'fleet-telemetry', region: 'eu-west-1', initialPosition: 'TRIM_HORIZON', maxRecords: 5000,
      accessKeyId: '${CB_AWS_KINESIS_KINESIS_FLEET_ACCESS_KEY_ID}', secretAccessKey: '${CB_AWS_KINESIS_KINESIS_FLEET_SECRET_ACCESS_KEY}',
    });
    assert.match(reasonOf(r, 'remote'), /runs every integration itself/);
    assert.match(reasonOf(r, 'configuration.clientConfiguration.requestTimeout'), /SDK's timeouts/);
    assert.ok(r.warnings.some((w) => /KCL checkpoints \(DynamoDB\) are not carried over/.test(w)));
  });

  it('AWS_SQS → aws-sqs: queue, region, keys as CB_AWS_SQS_ORDERS_*, device creation off; polling period reported', () => {
    const { r, integ } = imported('AWS_SQS');
    assert.equal(integ.type, 'aws-sqs');
    assert.equal(integ.allowCreateDevices, false);
    assert.deepEqual(integ.metadata, { source: 'orders-queue' });
    assert.deepEqual(integ.config, {
      queueUrl: 'https://sqs.us-west-2.amazonaws.com/123456789012/tb-orders', region: 'us-west-2',
      accessKeyId: '${CB_AWS_SQS_ORDERS_ACCESS_KEY_ID}', secretAccessKey: '${CB_AWS_SQS_ORDERS_SECRET_ACCESS_KEY}',
    });
    assert.deepEqual(r.env.map((e) => [e.name, e.field, e.inExport]), [
      ['CB_AWS_SQS_ORDERS_ACCESS_KEY_ID', 'config.accessKeyId', true], ['CB_AWS_SQS_ORDERS_SECRET_ACCESS_KEY', 'config.secretAccessKey', true],
    ]);
    assert.match(reasonOf(r, 'configuration.sqsConfiguration.pollingPeriodSeconds'), /long-polls/);
  });

  it('AZURE_IOT_HUB → azure-iot-hub: a service connection string to supply; the device key is not imported', () => {
    const { r, integ } = imported('AZURE_IOT_HUB');
    assert.equal(integ.type, 'azure-iot-hub');
    assert.deepEqual(integ.config, { connectionString: '${CB_AZURE_IOT_HUB_IOT_HUB_DEVICE_CONNECTION_STRING}' });
    const env = r.env[0];
    assert.equal(env?.inExport, false);
    assert.match(env?.description ?? '', /HostName=tb-hub\.azure-devices\.net;SharedAccessKeyName=/);
    assert.match(reasonOf(r, 'configuration.clientConfiguration.credentials.sasKey'), /key of device "tb-bridge-device"/);
    assert.match(reasonOf(r, 'configuration.topicFilters'), /built-in endpoint/);
  });

  it('AZURE_EVENT_HUB → azure-event-hubs: hub from EntityPath, consumer group; blob checkpoints and IoT Hub downlink reported', () => {
    const { r, integ } = imported('AZURE_EVENT_HUB');
    assert.equal(integ.type, 'azure-event-hubs');
    assert.equal(integ.downlinkConverter, undefined);
    assert.deepEqual(integ.metadata, { region: 'westeurope' });
    assert.deepEqual(integ.config, { connectionString: '${CB_AZURE_EVENT_HUB_EVENT_HUB_TELEMETRY_CONNECTION_STRING}', eventHubName: 'telemetry', consumerGroup: 'thingsboard' });
    assert.match(reasonOf(r, 'configuration.clientConfiguration.storageConnectionString'), /checkpoints in its own database/);
    assert.match(reasonOf(r, 'downlinkConverterId'), /azure-iot-hub integration/);
    assert.ok(r.warnings.some((w) => /sysProp:<name>.*iothub-connection-device-id/.test(w)));
  });

  it('AZURE_SERVICE_BUS → azure-service-bus: topic, subscription, downlink topic; TBEL with no TBEL-only line kept as JavaScript', () => {
    const { r, yaml, integ } = imported('AZURE_SERVICE_BUS');
    assert.equal(integ.type, 'azure-service-bus');
    assert.equal(integ.downlinkConverter, 'Service Bus downlink');
    assert.deepEqual(integ.config, { connectionString: '${CB_AZURE_SERVICE_BUS_SERVICE_BUS_METERS_CONNECTION_STRING}', topicName: 'meters', subscriptionName: 'thingsboard', downlinkQueueOrTopic: 'meter-commands' });
    assert.match(reasonOf(r, 'configuration.clientConfiguration.downlinkConnectionString'), /Send right/);
    assert.deepEqual(r.tbel, [{ converter: 'Service Bus uplink', outcome: 'ported-as-is', lines: [] }]);
    assert.match(yaml.converters.find((c) => c.name === 'Service Bus uplink')?.script ?? '', /^var data = decodeToJson\(payload\);/);
    assert.match(reasonOf(r, 'configuration.decoder'), /ThingsBoard ran tbelDecoder/);
  });

  it('PUB_SUB → gcp-pubsub: project, subscription, key as env; names without slashes', () => {
    const { r, integ } = imported('PUB_SUB');
    assert.equal(integ.type, 'gcp-pubsub');
    assert.equal(integ.name, 'Pub-Sub gateways');
    assert.equal(integ.uplinkConverter, 'Pub-Sub uplink');
    assert.deepEqual(integ.config, { projectId: 'tb-iot-project', subscription: 'tb-gateways-sub', credentials: '${CB_PUB_SUB_GATEWAYS_CREDENTIALS}' });
    assert.match(r.env[0]?.description ?? '', /tb-iot-project-f1x7ure\.json/);
  });

  it('IBM_WATSON_IOT → ibm-watson-iot: org from the API key, token as env, filters → event subscriptions; PE 4.2 removal noted', () => {
    const { r, integ } = imported('IBM_WATSON_IOT');
    assert.equal(integ.type, 'ibm-watson-iot');
    assert.deepEqual(integ.config, {
      orgId: 'abc123', apiKey: 'a-abc123-x7y8z9w0v1', authToken: '${CB_IBM_WATSON_IOT_WATSON_PUMPS_AUTH_TOKEN}', appId: 'cloudbridge-watson-pumps',
      events: [{ deviceType: 'pump', eventId: 'status', format: 'json', qos: 1 }, { qos: 0 }], connectTimeoutMs: 15_000,
    });
    assert.ok(r.warnings.some((w) => /removed the IBM Watson IoT integration in PE 4\.2; Cloudbridge supports it/.test(w)));
  });

  it('MQTT → mqtt (basic credentials): broker, TLS, user, password as env, session, filters, pattern; retain and size reported', () => {
    const { r, integ } = imported('MQTT');
    assert.equal(integ.type, 'mqtt');
    assert.equal(integ.uplinkConverter, 'MQTT line 1 uplink');
    assert.equal(integ.downlinkConverter, 'MQTT line 1 downlink');
    assert.deepEqual(integ.metadata, { line: '1' });
    assert.deepEqual(integ.config, {
      host: 'broker.factory.example.com', port: 8883, tls: { enabled: true }, username: 'thingsboard', password: '${CB_MQTT_FACTORY_LINE_1_PASSWORD}',
      cleanSession: false, clientId: 'tb-factory-line-1', protocolVersion: 5, connectTimeoutMs: 15_000,
      topicFilters: [{ filter: 'factory/line1/+/telemetry', qos: 1 }, { filter: 'factory/line1/+/alarms', qos: 1 }],
      downlinkTopicPattern: 'factory/line1/${deviceName}/commands',
    });
    assert.deepEqual(r.env.map((e) => [e.name, e.field, e.inExport]), [['CB_MQTT_FACTORY_LINE_1_PASSWORD', 'config.password', true]]);
    assert.match(reasonOf(r, 'configuration.clientConfiguration.retainedMessage'), /with the retain flag; Cloudbridge publishes them without it/);
    assert.match(reasonOf(r, 'configuration.clientConfiguration.maxBytesInMessage'), /no per-message size setting/);
    assert.ok(r.warnings.some((w) => /"factory\/line1\/\+\/alarms" used QoS 2; Cloudbridge subscribes with QoS 1/.test(w)));
    assert.ok(r.warnings.some((w) => /acknowledged each QoS 1 message before its data was stored.*after the data is committed/.test(w)));
    assert.ok(r.warnings.some((w) => /DOWNLINK_FAILED naming the key/.test(w)));
  });

  it('MQTT → mqtt (cert.PEM): CA and certificate written, encrypted key and its passphrase as env; the clean session noted', () => {
    const { r, integ } = imported('MQTT_CERT_PEM');
    const c = integ.config as { host: string; port: number; tls: Record<string, unknown>; cleanSession: boolean; clientId?: string; protocolVersion: number; topicFilters: unknown };
    assert.equal(c.host, '10.20.0.5');
    assert.equal(c.port, 8884);
    assert.match(String(c.tls.ca), /^-----BEGIN CERTIFICATE-----/);
    assert.match(String(c.tls.cert), /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual({ ...c.tls, ca: undefined, cert: undefined }, { enabled: true, ca: undefined, cert: undefined, key: '${CB_MQTT_FACTORY_LINE_2_KEY}', passphrase: '${CB_MQTT_FACTORY_LINE_2_PASSPHRASE}' });
    assert.equal(c.cleanSession, true);
    assert.equal(c.clientId, undefined, 'a clean session keeps a random client id, as in ThingsBoard');
    assert.equal(c.protocolVersion, 4);
    assert.deepEqual(c.topicFilters, [{ filter: 'line2/#', qos: 0 }]);
    assert.deepEqual(r.env.map((e) => [e.name, e.field]), [['CB_MQTT_FACTORY_LINE_2_KEY', 'config.tls.key'], ['CB_MQTT_FACTORY_LINE_2_PASSPHRASE', 'config.tls.passphrase']]);
    assert.match(r.env[0]?.description ?? '', /\(tb-line-2\.key\)/);
    assert.ok(r.warnings.some((w) => /cleanSession is true \(ThingsBoard's default\).*Set cleanSession: false and a fixed clientId/.test(w)));
    assert.equal(reasonOf(r, 'configuration.clientConfiguration.retainedMessage'), '', 'retain off is not reported');
  });

  it('MQTT variants: a certificate forces TLS, a persistent session gets a fixed client id, a 0 s timeout keeps the default', async () => {
    const { importThingsBoard } = await import('../../src/import/thingsboard/import.ts');
    const conv = { id: { id: 'c1' }, name: 'up', type: 'UPLINK', configuration: { decoder: 'return {deviceName: "d"};' } };
    const mqtt = (clientConfiguration: Record<string, unknown>): ImportResult => importThingsBoard([{ source: 'x', value: [conv, { id: { id: 'i1' }, name: 'Line 3', type: 'MQTT', defaultConverterId: { id: 'c1' }, configuration: { clientConfiguration, topicFilters: [{ filter: 'a/#', qos: 1 }] } }] }]);
    const cert = mqtt({ host: 'h', port: 8883, ssl: false, cleanSession: false, connectTimeoutSec: 0, customHost: false, credentials: { type: 'cert.PEM', cert: 'C', privateKey: 'K' } });
    const c = cert.config.integrations[0]?.config as Record<string, unknown>;
    assert.deepEqual(c.tls, { enabled: true, cert: 'C', key: '${CB_MQTT_LINE_3_KEY}' });
    assert.equal(c.clientId, 'cloudbridge-line-3');
    assert.equal(c.connectTimeoutMs, undefined);
    assert.ok(cert.warnings.some((w) => /ssl was off, but ThingsBoard connected over TLS/.test(w)));
    assert.ok(cert.warnings.some((w) => /no CA certificate/.test(w)));
    assert.ok(cert.warnings.some((w) => /random client id.*"cloudbridge-line-3" was chosen/.test(w)));
    assert.deepEqual(cert.unmapped.map((u) => u.field), []);
    const anon = mqtt({ host: 'h', port: 1883, cleanSession: true, credentials: { type: 'anonymous' } });
    assert.deepEqual(anon.config.integrations[0]?.config, { host: 'h', port: 1883, cleanSession: true, topicFilters: [{ filter: 'a/#', qos: 1 }] });
    assert.deepEqual(anon.env, []);
    const other = mqtt({ host: 'h', credentials: { type: 'sas', sasKey: 'k' } });
    assert.match(reasonOf(other, 'configuration.clientConfiguration.credentials.type'), /"sas": Cloudbridge's mqtt connector takes anonymous/);
  });

  it('a converter text with ${UPPER_CASE} loads as written; secret references stay references', async () => {
    const { importThingsBoard } = await import('../../src/import/thingsboard/import.ts');
    const { parseConfigText } = await import('../../src/app/config-file.ts');
    const conv = { id: { id: 'c1' }, name: 'up', type: 'UPLINK', configuration: { decoder: 'var t = "${DEVICE}/$${x}/${lower}"; return {deviceName: t};' } };
    const integ = { id: { id: 'i1' }, name: 'q', type: 'AWS_SQS', enabled: false, defaultConverterId: { id: 'c1' }, configuration: { sqsConfiguration: { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', accessKeyId: 'AKIAX', secretAccessKey: 's' } } };
    const r = importThingsBoard([{ source: 'x', value: [conv, integ] }]);
    const loaded = parseConfigText(r.yaml, { CB_AWS_SQS_Q_ACCESS_KEY_ID: 'AKIAEXAMPLE000000000', CB_AWS_SQS_Q_SECRET_ACCESS_KEY: 'secret' });
    assert.equal(loaded.converters[0]?.script, conv.configuration.decoder);
    assert.equal((loaded.integrations[0]?.config as Record<string, unknown>).secretAccessKey, 'secret');
  });
});
