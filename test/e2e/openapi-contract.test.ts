/**
 * The OpenAPI document is the contract: a running app (an IoT Hub integration on the Azure double,
 * an MQTT one on Mosquitto) is driven through every operation's success and main failure paths,
 * and every answer's status and body are checked against the document the app serves
 * (test/support/openapi-contract.ts). The last test reports operations never exercised.
 */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { hashToken } from '../../src/app/auth.ts';
import { OpenApiContract, type OpenApiDoc } from '../support/openapi-contract.ts';
import { startAzureDouble, type AzureDouble } from '../peers/azure/index.ts';
import { freePort } from '../peers/free-port.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { iotIntegrationYaml } from '../connectors/azure-iot-hub/e2e-fixtures.ts';
import { FIXTURES } from '../import/helpers.ts';
import { TB_DECODER } from './fixtures.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

const VIEWER = 'cb_test_contract_viewer_0123456789';

/** Streams answer text/event-stream forever: their success is checked by the live-status, device-stream, event and forwarder-stream tests. */
const STREAMS = new Set(['GET /api/v1/stream/integrations', 'GET /api/v1/stream/devices/{deviceName}', 'GET /api/v1/stream/events', 'GET /api/v1/stream/forwarders']);

describe('OpenAPI contract', () => {
  let azure: AzureDouble;
  let broker: MosquittoBroker;
  let t: TestApp;
  let contract: OpenApiContract;

  /** One request; its answer must match the document. `expect` is the status the scenario needs. */
  async function call(method: string, path: string, expect: number, body?: unknown, token: string | null = TEST_TOKEN): Promise<{ body: unknown; text: string }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${t.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    assert.deepEqual(contract.checkResponse(method, path, res.status, res.headers.get('content-type'), text), [], `${method} ${path}`);
    assert.equal(res.status, expect, `${method} ${path}: ${text.slice(0, 400)}`);
    if (expect < 300 && body !== undefined) assert.equal(contract.checkRequest(method, path, body), null, `${method} ${path}: the request body fits the document`);
    let parsed: unknown = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { body: parsed, text };
  }

  before(async () => {
    azure = await startAzureDouble({ iotHub: { name: 'contract-hub', devices: ['dev1', 'twin-dev'], partitions: 1, consumerGroups: ['cloudbridge'] } });
    azure.hooks.iotHub.sendD2c('dev1', { body: { seq: 1 } });
    azure.hooks.iotHub.sendD2c('twin-dev', { body: { seq: 2 } });
    broker = await startMosquitto();
    t = await startTestApp({ yaml: iotIntegrationYaml(azure) });
    await t.app.store.addToken({ id: 'viewer-1', name: 'viewer', role: 'viewer', hash: hashToken(VIEWER), createdAt: Date.now() });
    await t.app.configService.requireIntegration('hub');
    await waitFor(async () => (await t.api.get<{ counters: { stored: number } }>('/integrations/hub/status')).counters.stored === 2, 'the first messages');
    contract = new OpenApiContract(await t.api.get<OpenApiDoc>('/openapi.json'));
  });

  after(async () => {
    await t?.close();
    await broker?.dispose();
    await azure?.stop();
  });

  it('system: health, readiness and metrics', async () => {
    await call('GET', '/health', 200, undefined, null);
    await call('GET', '/ready', 200, undefined, null);
    await call('GET', '/metrics', 200);
    await call('GET', '/metrics', 401, undefined, null);
  });

  it('session, stream tickets and tokens', async () => {
    await call('GET', '/api/v1/session', 200);
    await call('POST', '/api/v1/stream/tickets', 200, undefined, VIEWER);
    await call('POST', '/api/v1/stream/tickets', 401, undefined, null);
    for (const stream of ['/api/v1/stream/integrations', '/api/v1/stream/devices/dev1', '/api/v1/stream/events', '/api/v1/stream/forwarders']) {
      await call('GET', `${stream}?ticket=used-or-unknown`, 401, undefined, null);
    }
    await call('GET', '/api/v1/tokens', 200);
    await call('GET', '/api/v1/tokens', 403, undefined, VIEWER);
    const created = await call('POST', '/api/v1/tokens', 201, { name: 'grafana', role: 'viewer' });
    await call('POST', '/api/v1/tokens', 400, { name: 'x', role: 'owner' });
    await call('POST', '/api/v1/tokens', 403, { name: 'y', role: 'viewer' }, VIEWER);
    await call('DELETE', `/api/v1/tokens/${(created.body as { id: string }).id}`, 204);
    await call('DELETE', '/api/v1/tokens/nope', 404);
    const admins = (await t.api.get<Array<{ id: string; role: string }>>('/tokens')).filter((x) => x.role === 'admin');
    await call('DELETE', `/api/v1/tokens/${admins[0]?.id}`, 409);
  });

  it('converters: create, read, update, test, delete', async () => {
    await call('GET', '/api/v1/converters', 200);
    await call('POST', '/api/v1/converters', 201, { name: 'tb-decoder', type: 'uplink', script: TB_DECODER });
    await call('POST', '/api/v1/converters', 409, { name: 'tb-decoder', type: 'uplink', script: TB_DECODER });
    await call('POST', '/api/v1/converters', 400, { name: 'bad', type: 'uplink', script: 42 });
    await call('POST', '/api/v1/converters', 403, { name: 'v', type: 'uplink', script: 'return {}' }, VIEWER);
    const one = await call('GET', '/api/v1/converters/tb-decoder', 200);
    await call('GET', '/api/v1/converters/nope', 404);
    await call('PUT', '/api/v1/converters/tb-decoder', 200, one.body);
    await call('PUT', '/api/v1/converters/nope', 404, { name: 'nope', type: 'uplink', script: 'return {}' });
    await call('POST', '/api/v1/converters/test', 200, { script: TB_DECODER, payload: '{"temperature": 21}', metadata: { topic: 'sensors/t1' } });
    await call('POST', '/api/v1/converters/test', 200, { type: 'downlink', script: 'return { contentType: "JSON", data: JSON.stringify(msg), metadata: {} };', msg: { on: true } });
    await call('POST', '/api/v1/converters/test', 400, { payload: '{}' });
    await call('POST', '/api/v1/converters/test', 404, { converter: 'nope' });
    await call('DELETE', '/api/v1/converters/decoder', 409);
    await call('POST', '/api/v1/converters', 201, { name: 'scratch', type: 'downlink', script: 'return {}' });
    await call('DELETE', '/api/v1/converters/scratch', 204);
    await call('DELETE', '/api/v1/converters/scratch', 404);
  });

  it('integrations: create, read, update, lifecycle, checks, actions', async () => {
    await call('GET', '/api/v1/connectors', 200);
    await call('GET', '/api/v1/integrations', 200);
    const body = {
      name: 'plant', type: 'mqtt', uplinkConverter: 'tb-decoder', allowCreateDevices: true,
      config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-contract', topicFilters: [{ filter: 'sensors/#', qos: 1 }] },
    };
    await call('POST', '/api/v1/integrations/check', 200, body);
    await call('POST', '/api/v1/integrations/check', 400, { ...body, config: { ...body.config, port: 'x' } });
    await call('POST', '/api/v1/integrations', 201, body);
    await call('POST', '/api/v1/integrations', 409, body);
    await call('POST', '/api/v1/integrations', 400, { ...body, name: 'typo', config: { ...body.config, hots: 'x' } });
    const got = await call('GET', '/api/v1/integrations/plant', 200);
    await call('GET', '/api/v1/integrations/nope', 404);
    await call('PUT', '/api/v1/integrations/plant', 200, got.body);
    await call('PUT', '/api/v1/integrations/nope', 404, body);
    await waitFor(async () => (await t.api.get<{ state: string }>('/integrations/plant/status')).state === 'RUNNING', 'plant running');
    await call('GET', '/api/v1/integrations/plant/status', 200);
    await call('GET', '/api/v1/integrations/nope/status', 404);
    await call('POST', '/api/v1/integrations/plant/check', 200);
    await call('POST', '/api/v1/integrations/nope/check', 404);
    await call('POST', '/api/v1/integrations/plant/restart', 200);
    await call('POST', '/api/v1/integrations/plant/disable', 200);
    await call('GET', '/api/v1/integrations/plant/status', 200);
    await call('POST', '/api/v1/integrations/plant/restart', 409);
    await call('POST', '/api/v1/integrations/plant/actions/readTwin', 409, {});
    await call('POST', '/api/v1/integrations/plant/enable', 200);
    await call('POST', '/api/v1/integrations/nope/enable', 404);
    await call('POST', '/api/v1/integrations/nope/disable', 404);
    await call('POST', '/api/v1/integrations/nope/restart', 404);
    await call('POST', '/api/v1/integrations/hub/actions/readTwin', 200, { deviceId: 'twin-dev' });
    await call('POST', '/api/v1/integrations/hub/actions/nope', 404, {});
    await call('POST', '/api/v1/integrations/hub/disable', 403, undefined, VIEWER);
  });

  it('devices, telemetry, attributes and downlinks', async () => {
    await call('GET', '/api/v1/devices', 200);
    await call('GET', '/api/v1/devices?limit=0', 400);
    await call('GET', '/api/v1/devices/dev1', 200);
    await call('GET', '/api/v1/devices/nope', 404);
    await call('GET', '/api/v1/devices/dev1/telemetry?keys=seq', 200);
    await call('GET', '/api/v1/devices/nope/telemetry', 404);
    await call('GET', '/api/v1/devices/dev1/telemetry/latest', 200);
    await call('GET', '/api/v1/devices/nope/telemetry/latest', 404);
    await call('GET', '/api/v1/devices/twin-dev/attributes', 200);
    await call('GET', '/api/v1/devices/nope/attributes', 404);
    const queued = await call('POST', '/api/v1/devices/dev1/downlink', 202, { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { method: 'reboot', params: {} } });
    await call('POST', '/api/v1/devices/nope/downlink', 404, { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE' });
    await call('POST', '/api/v1/devices/dev1/downlink', 400, { msg: {} });
    await call('GET', '/api/v1/devices/dev1/downlinks', 200);
    await call('GET', `/api/v1/downlinks/${(queued.body as { id: string }).id}`, 200);
    await call('GET', '/api/v1/downlinks/nope', 404);
  });

  it('events and dead letters', async () => {
    await call('GET', '/api/v1/events?integration=hub', 200);
    await call('GET', '/api/v1/events?type=NOPE', 400);
    await call('GET', '/api/v1/events?integration=nope', 404);
    const client = await mqtt.connectAsync(broker.url);
    await client.publishAsync('sensors/broken', 'not json', { qos: 1 });
    await client.endAsync();
    const list = await waitFor(async () => {
      const page = await t.api.get<{ total: number; items: Array<{ id: string }> }>('/dead-letters?integration=plant');
      return page.total > 0 ? page : null;
    }, 'the dead letter');
    await call('GET', '/api/v1/dead-letters?integration=plant', 200);
    await call('GET', '/api/v1/dead-letters?integration=nope', 404);
    const id = list.items[0]?.id ?? '';
    await call('GET', `/api/v1/dead-letters/${id}`, 200);
    await call('GET', '/api/v1/dead-letters/nope', 404);
    await call('POST', `/api/v1/dead-letters/${id}/replay`, 200);
    await call('POST', '/api/v1/dead-letters/nope/replay', 404);
    await call('POST', '/api/v1/dead-letters/replay', 200, { integration: 'plant' });
    await call('POST', '/api/v1/dead-letters/replay', 400, { limit: 0 });
    await call('POST', '/api/v1/dead-letters/discard', 200, { ids: [id, 'nope'] });
    await call('POST', '/api/v1/dead-letters/discard', 404, { integration: 'nope' });
    await call('DELETE', `/api/v1/dead-letters/${id}`, 204);
    await call('DELETE', '/api/v1/dead-letters/nope', 404);
  });

  it('forwarders', async () => {
    const port = await freePort();
    const body = { name: 'tb', type: 'thingsboard-gateway', integrations: 'all', config: { host: '127.0.0.1', port, accessToken: 'contract-token' } };
    await call('GET', '/api/v1/forwarder-types', 200);
    await call('GET', '/api/v1/forwarders', 200);
    await call('POST', '/api/v1/forwarders/check', 200, body);
    const invalid = await call('POST', '/api/v1/forwarders/check', 200, { ...body, config: { host: '127.0.0.1', port: 70000, accessToken: 'contract-token' } });
    assert.match(JSON.stringify(invalid.body), /"ok":false.*config\.port/);
    await call('PUT', '/api/v1/forwarders/tb', 201, body);
    await call('PUT', '/api/v1/forwarders/tb', 200, { ...body, enabled: false });
    await call('PUT', '/api/v1/forwarders/other', 400, body);
    await call('GET', '/api/v1/forwarders/tb', 200);
    await call('GET', '/api/v1/forwarders/nope', 404);
    await call('POST', '/api/v1/forwarders/tb/check', 200);
    await call('POST', '/api/v1/forwarders/nope/check', 404);
    await call('DELETE', '/api/v1/forwarders/tb', 204);
    await call('DELETE', '/api/v1/forwarders/tb', 404);
  });

  it('ThingsBoard import (dry run)', async () => {
    const exported = JSON.parse(readFileSync(`${FIXTURES}aws-sqs.json`, 'utf8')) as unknown;
    await call('POST', '/api/v1/import/thingsboard', 200, { exports: [exported] });
    await call('POST', '/api/v1/import/thingsboard', 400, { exports: [] });
  });

  it('the audit log', async () => {
    await call('GET', '/api/v1/audit?kind=converter', 200);
    await call('GET', '/api/v1/audit?kind=nope', 400);
    await call('GET', '/api/v1/audit?before=nope', 404);
    await call('GET', '/api/v1/audit', 403, undefined, VIEWER);
  });

  it('deletes, and the routes outside the document answer 404 in the error envelope', async () => {
    await call('DELETE', '/api/v1/integrations/plant', 204);
    await call('DELETE', '/api/v1/integrations/plant', 404);
    for (const [path, token] of [['/api/v1/nope', null], ['/nope', null], ['/api/v1/nope', TEST_TOKEN], ['/api/v1/integrations/hub/nope', null]] as const) {
      const res = await fetch(`${t.url}${path}?q=1`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      assert.equal(res.status, 404, path);
      const body = await res.json() as { error: { code: string; message: string } };
      assert.equal(contract.checkComponent('Error', body), null);
      assert.equal(body.error.code, 'NOT_FOUND');
      assert.match(body.error.message, new RegExp(`GET ${path.replace(/\//g, '\\/')}\\b`));
    }
    const malformed = await fetch(`${t.url}/api/v1/converters`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: '{"name": ' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(contract.checkResponse('POST', '/api/v1/converters', 400, malformed.headers.get('content-type'), await malformed.text()), []);
    const icon = await fetch(`${t.url}/favicon.ico`);
    assert.equal(icon.status, 204);
  });

  it('every operation of the document was exercised, with a success', () => {
    const missing = contract.operations().filter((op) => {
      const seen = [...contract.seen.get(op) ?? []];
      return STREAMS.has(op) ? seen.length === 0 : !seen.some((s) => s < 300);
    });
    assert.deepEqual(missing, [], 'operations this test never reached (add them, or a stream to STREAMS)');
  });
});
