/**
 * GET-modify-PUT as a user does it: what GET returns for an integration (or a converter) goes back
 * to PUT unchanged but for one field. Secrets come back as "***" and keep their stored value: the
 * integration restarts with the change and still authenticates. PUT of GET unchanged restarts nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decryptConfig } from '../../src/app/integration-secrets.ts';
import { SecretBox } from '../../src/app/secrets.ts';
import { connectorDefinitions, findConnector } from '../../src/connectors/registry.ts';
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../peers/fauxqs.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../peers/aws-iot-broker.ts';
import { startSigV4Gate, type SigV4Gate } from '../connectors/aws-sqs/sigv4-gate.ts';
import { startTestApp, TEST_MASTER_KEY, waitFor, type TestApp } from './harness.ts';
import mqtt from 'mqtt';

const DECODER = `
var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: 'probe', telemetry: { v: d.v } };
`;
const MQTT_PASSWORD = 'Round-Trip-Pa55word';
const KEY_PASSPHRASE = 'round-trip-passphrase';

interface View {
  id: string; name: string; type: string; enabled: boolean; updatedAt: number;
  uplinkConverter: { id: string; name: string };
  debug: { failures: boolean; allUntil: number };
  metadata: Record<string, string>;
  config: Record<string, unknown>;
  status: { state: string; since: number } | null;
}
interface Status { state: string; since: number; lastError: { message: string } | null }
interface Event { body: { event?: string } }

describe('GET-modify-PUT round trip', () => {
  let t: TestApp;
  let broker: MosquittoBroker;
  let iot: AwsIotBroker;
  let sqs: FauxqsPeer;
  let gate: SigV4Gate;
  const box = SecretBox.fromEnvOrFile({ CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY }, '/nonexistent/master.key');

  before(async () => {
    [broker, iot, sqs] = await Promise.all([startMosquitto({ users: { cloudbridge: MQTT_PASSWORD } }), startAwsIotBroker(), startFauxqsPeer()]);
    gate = await startSigV4Gate({ target: sqs.endpoint, region: sqs.region, keys: { [FAUXQS_CREDENTIALS.accessKeyId]: FAUXQS_CREDENTIALS.secretAccessKey } });
    t = await startTestApp();
    const r = await t.api.call('POST', '/converters', { name: 'rt-decoder', type: 'uplink', script: DECODER });
    assert.equal(r.status, 201, r.text);
  });
  after(async () => {
    await t?.close();
    await gate?.close();
    await Promise.all([broker?.dispose(), iot?.dispose(), sqs?.stop()]);
  });

  const status = (name: string): Promise<Status> => t.api.get<Status>(`/integrations/${name}/status`);
  const running = async (name: string, after = 0): Promise<Status> => waitFor(async () => {
    const s = await status(name);
    return s.state === 'RUNNING' && s.since > after ? s : null;
  }, `${name} RUNNING`, 30_000);
  const storedSecrets = async (name: string): Promise<Record<string, unknown>> => {
    const cfg = await t.app.store.getIntegration(name);
    assert.ok(cfg);
    const def = findConnector(cfg.type);
    assert.ok(def);
    return decryptConfig(def.configSpec, cfg.config, box);
  };
  const updatedEvents = async (name: string): Promise<number> =>
    (await t.api.get<Event[]>(`/events?integration=${name}&type=LIFECYCLE`)).filter((e) => e.body.event === 'UPDATED').length;

  /**
   * Creates the integration, waits until it runs, then GETs it, applies `change` to the GET body
   * and PUTs it back. Returns the views before and after and the status after the restart.
   */
  async function roundTrip(body: Record<string, unknown>, change: (view: View) => void): Promise<{ before: View; after: View }> {
    const name = String(body.name);
    const created = await t.api.call('POST', '/integrations', { ...body, uplinkConverter: 'rt-decoder', allowCreateDevices: true });
    assert.equal(created.status, 201, created.text);
    const first = await running(name);
    const got = await t.api.get<View>(`/integrations/${name}`);
    const edited = structuredClone(got);
    change(edited);
    const put = await t.api.call('PUT', `/integrations/${name}`, edited);
    assert.equal(put.status, 200, put.text);
    await running(name, first.since);
    const after = await t.api.get<View>(`/integrations/${name}`);
    assert.ok(after.updatedAt > got.updatedAt, 'saved');
    assert.equal(await updatedEvents(name), 1, 'restarted once with the change');

    // GET → PUT unchanged: 200, nothing saved, no restart.
    const runningSince = (await status(name)).since;
    const again = await t.api.call('PUT', `/integrations/${name}`, after);
    assert.equal(again.status, 200, again.text);
    assert.equal((again.body as View).updatedAt, after.updatedAt, 'nothing saved');
    assert.equal(await updatedEvents(name), 1, 'no restart');
    assert.equal((await status(name)).since, runningSince, 'the same run goes on');
    return { before: got, after };
  }

  async function delivered(device: string): Promise<void> {
    await waitFor(async () => (await t.api.call('GET', `/devices/${device}`)).status === 200, `device ${device} stored`, 30_000);
  }

  it('mqtt: password comes back as *** and is kept; the change is applied and the broker still accepts the login', async () => {
    const { before: got, after } = await roundTrip({
      name: 'rt-mqtt', type: 'mqtt',
      config: { host: '127.0.0.1', port: broker.port, username: 'cloudbridge', password: MQTT_PASSWORD, clientId: 'cb-rt-mqtt', topicFilters: [{ filter: 'rt/#', qos: 1 }] },
    }, (v) => { v.config.keepaliveSeconds = 30; });
    assert.equal(got.config.password, '***');
    assert.deepEqual(got.uplinkConverter, { id: got.uplinkConverter.id, name: 'rt-decoder' });
    assert.equal(after.config.keepaliveSeconds, 30);
    assert.equal(after.config.password, '***');
    assert.equal((await storedSecrets('rt-mqtt')).password, MQTT_PASSWORD, 'the stored secret is unchanged');
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: 'cloudbridge', password: MQTT_PASSWORD });
    await pub.publishAsync('rt/1', JSON.stringify({ device: 'rt-mqtt-dev', v: 1 }), { qos: 1 });
    await pub.endAsync();
    await delivered('rt-mqtt-dev');
  });

  it('aws-iot-core: private key and passphrase come back as *** and are kept; the change is applied and the mTLS login still works', async () => {
    const identity = await iot.identity(SERVICE_IDENTITY);
    const encryptedKey = await iot.pki.encryptKey(identity.key, KEY_PASSPHRASE);
    const { before: got, after } = await roundTrip({
      name: 'rt-iot', type: 'aws-iot-core',
      config: {
        endpoint: iot.host, port: iot.port, clientId: 'cb-rt-iot', credentials: { ca: iot.ca, cert: identity.cert, key: encryptedKey, passphrase: KEY_PASSPHRASE },
        topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }], reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      },
    }, (v) => { v.metadata = { site: 'plant-2' }; });
    const creds = got.config.credentials as Record<string, string>;
    assert.equal(creds.key, '***');
    assert.equal(creds.passphrase, '***');
    assert.deepEqual(after.metadata, { site: 'plant-2' });
    const stored = (await storedSecrets('rt-iot')).credentials as Record<string, string>;
    assert.equal(stored.key, encryptedKey, 'the stored key is unchanged');
    assert.equal(stored.passphrase, KEY_PASSPHRASE, 'the stored passphrase is unchanged');
    const device = await iot.connect('device-rt');
    await device.publishAsync('devices/device-rt/telemetry', JSON.stringify({ device: 'rt-iot-dev', v: 1 }), { qos: 1 });
    await device.endAsync();
    await delivered('rt-iot-dev');
  });

  it('aws-sqs: secretAccessKey comes back as *** and is kept; the change is applied and SigV4 still verifies', async () => {
    const queueUrl = await sqs.createQueue(`rt-${process.pid}-${Date.now()}`);
    const { before: got, after } = await roundTrip({
      name: 'rt-sqs', type: 'aws-sqs',
      config: { queueUrl, endpoint: gate.endpoint, region: sqs.region, accessKeyId: FAUXQS_CREDENTIALS.accessKeyId, secretAccessKey: FAUXQS_CREDENTIALS.secretAccessKey, waitTimeSeconds: 2 },
    }, (v) => { v.config.waitTimeSeconds = 1; });
    assert.equal(got.config.secretAccessKey, '***');
    assert.equal(after.config.waitTimeSeconds, 1);
    assert.equal((await storedSecrets('rt-sqs')).secretAccessKey, FAUXQS_CREDENTIALS.secretAccessKey, 'the stored secret is unchanged');
    await sqs.sendAll(queueUrl, [JSON.stringify({ device: 'rt-sqs-dev', v: 1 })]);
    await delivered('rt-sqs-dev');
    assert.equal((await status('rt-sqs')).lastError, null, 'no authentication error');
  });

  it('debug: allUntil from GET is read-only, allMinutes sets it; a converter given as {id, name} is accepted', async () => {
    const got = await t.api.get<View>('/integrations/rt-mqtt');
    const put = await t.api.call('PUT', '/integrations/rt-mqtt', { ...got, debug: { ...got.debug, allMinutes: 5 } });
    assert.equal(put.status, 200, put.text);
    const allUntil = (put.body as View).debug.allUntil;
    assert.ok(allUntil > Date.now() + 4 * 60_000 && allUntil <= Date.now() + 5 * 60_000, String(allUntil));
    const kept = await t.api.call('PUT', '/integrations/rt-mqtt', { ...(put.body as View), debug: { failures: true, allUntil: 1 } });
    assert.equal(kept.status, 200, kept.text);
    assert.equal((kept.body as View).debug.allUntil, allUntil, 'allUntil sent back is ignored');
  });

  it('keeps the API strict: an id of another object, an unknown field and a *** without a stored secret are refused', async () => {
    const mqttView = await t.api.get<View>('/integrations/rt-mqtt');
    const other = await t.api.get<View>('/integrations/rt-sqs');
    const wrongId = await t.api.call('PUT', '/integrations/rt-mqtt', { ...mqttView, id: other.id });
    assert.equal(wrongId.status, 400, wrongId.text);
    assert.match(wrongId.text, /"field":"id"/);
    assert.match(wrongId.text, /is read-only/);
    const unknown = await t.api.call('PUT', '/integrations/rt-mqtt', { ...mqttView, colour: 'blue' });
    assert.equal(unknown.status, 400, unknown.text);
    assert.match(unknown.text, /colour: unknown property/);
    const clone = await t.api.call('POST', '/integrations', { ...mqttView, name: 'rt-mqtt-clone', enabled: false });
    assert.equal(clone.status, 400, clone.text);
    assert.match((clone.body as { error: { message: string } }).error.message, /config\.password: "\*\*\*" means "keep the stored value", but none is stored for this field: send the real value/);
    const cloned = await t.api.call('POST', '/integrations', { ...mqttView, name: 'rt-mqtt-clone', enabled: false, config: { ...mqttView.config, password: MQTT_PASSWORD } });
    assert.equal(cloned.status, 201, `a GET body with a new name and the real secret creates a copy: ${cloned.text}`);
  });

  it('converters: GET-modify-PUT applies the change; PUT of GET unchanged saves nothing and restarts no integration', async () => {
    const conv = await t.api.get<{ id: string; script: string; updatedAt: number }>('/converters/rt-decoder');
    const since = (await status('rt-mqtt')).since;
    const same = await t.api.call('PUT', '/converters/rt-decoder', conv);
    assert.equal(same.status, 200, same.text);
    assert.equal((same.body as { updatedAt: number }).updatedAt, conv.updatedAt, 'nothing saved');
    assert.equal((await status('rt-mqtt')).since, since, 'no integration restarted');
    const changed = await t.api.call('PUT', '/converters/rt-decoder', { ...conv, script: `${conv.script}\n// v2`, limits: { timeoutMs: 2000 } });
    assert.equal(changed.status, 200, changed.text);
    const after = await t.api.get<{ script: string; limits?: { timeoutMs: number } }>('/converters/rt-decoder');
    assert.match(after.script, /\/\/ v2$/);
    assert.equal(after.limits?.timeoutMs, 2000);
    await running('rt-mqtt', since);
    const wrongId = await t.api.call('PUT', '/converters/rt-decoder', { ...after, id: '00000000-0000-0000-0000-000000000000' });
    assert.equal(wrongId.status, 400, wrongId.text);
    assert.match(wrongId.text, /"field":"id"/);
  });

  it('the OpenAPI document describes the GET shape and the read-only fields PUT accepts', async () => {
    type Schema = { properties: Record<string, { readOnly?: boolean; properties?: Record<string, { readOnly?: boolean }>; anyOf?: unknown[] }>; required?: string[] };
    type Ref = { $ref?: string; oneOf?: Ref[] };
    const doc = await t.api.get<{ components: { schemas: Record<string, Schema> }; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Ref }> }; responses: Record<string, { content?: Record<string, { schema: Ref }> }> }>> }>('/openapi.json');
    const deref = (s: Ref | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s as Schema | undefined);
    const item = doc.paths['/api/v1/integrations/{id}'];
    assert.ok(item?.put && item.get);
    // The body is one variant per connector type (oneOf on type): the mqtt one here.
    const variants = (deref(item.put.requestBody?.content['application/json']?.schema) as Ref | undefined)?.oneOf ?? [];
    assert.equal(variants.length, connectorDefinitions.length, 'one variant per connector type');
    const input = deref(variants.find((v) => v.$ref?.endsWith('IntegrationInput-mqtt')));
    const view = deref(item.get.responses['200']?.content?.['application/json']?.schema);
    assert.ok(input && view);
    assert.ok(input.properties.config && 'properties' in input.properties.config, 'the mqtt variant describes the mqtt config');
    for (const f of ['id', 'createdAt', 'updatedAt', 'status', 'warnings']) assert.equal(input.properties[f]?.readOnly, true, f);
    assert.equal(input.properties.debug?.properties?.allUntil?.readOnly, true);
    assert.equal(input.properties.uplinkConverter?.anyOf?.length, 2, 'a name/id or the {id, name} object');
    for (const f of Object.keys(view.properties)) assert.ok(f in input.properties, `GET field ${f} is accepted by PUT`);
    assert.deepEqual(input.required, ['name', 'type', 'uplinkConverter', 'config']);
    const conv = doc.paths['/api/v1/converters/{id}'];
    const convIn = deref(conv?.put?.requestBody?.content['application/json']?.schema);
    const convView = deref(conv?.get?.responses['200']?.content?.['application/json']?.schema);
    assert.ok(convIn && convView);
    for (const f of Object.keys(convView.properties)) assert.ok(f in convIn.properties, `converter GET field ${f} is accepted by PUT`);
  });
});
