/**
 * The IoT Hub double's registry REST API through azure-iothub's own `Registry` (getTwin, updateTwin
 * with the etag, get, createQuery), on the hub's TLS port shared with AMQP: twin documents with
 * desired and reported properties, `$version` and etag; reported properties set as a device would;
 * 404 DeviceNotFound, 412 on an etag mismatch, 401 for a bad signature.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import type * as IotHubModule from 'azure-iothub';
import type { Registry as IotRegistry } from 'azure-iothub';
import restModule from 'azure-iothub/dist/common-http/rest_api_client.js';
import { HostPortAgent } from '../../../src/connectors/azure-iot-hub/host-port-agent.ts';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';

const requireCjs = createRequire(import.meta.url);
const iothub = requireCjs('azure-iothub') as typeof IotHubModule;

let double: AzureDouble;

/** A Registry on a HostName with a port: the SDK's own client, given an agent that honours the port. */
function registry(connectionString: string): IotRegistry {
  const cn = iothub.ConnectionString.parse(connectionString);
  const config = { host: cn.HostName ?? '', sharedAccessSignature: iothub.SharedAccessSignature.create(cn.HostName ?? '', cn.SharedAccessKeyName ?? '', cn.SharedAccessKey ?? '', Date.now()) };
  const rest = new restModule.RestApiClient(config, 'test');
  const r = new iothub.Registry(config, rest);
  rest.setOptions({ http: { agent: new HostPortAgent({ keepAlive: false }) } });
  return r;
}

before(async () => {
  double = await startAzureDouble({ iotHub: { name: 'twin-hub', devices: ['t1', 't2', 't3'] } });
});
after(() => double.stop());

describe('IoT Hub double: registry REST API', () => {
  it('serves twins: desired patched with the etag, reported set as the device would, versions and etags moving', async () => {
    const r = registry(double.iotHub?.connectionString() ?? '');
    const first = (await r.getTwin('t1')).responseBody;
    assert.equal(first.deviceId, 't1');
    assert.equal(first.properties.desired['$version'], 1);
    const updated = (await r.updateTwin('t1', { properties: { desired: { interval: 30, nested: { a: 1 } } } }, first.etag)).responseBody;
    assert.deepEqual([updated.properties.desired['interval'], updated.properties.desired['nested'], updated.properties.desired['$version']], [30, { a: 1 }, 2]);
    assert.notEqual(updated.etag, first.etag);
    const removed = (await r.updateTwin('t1', { properties: { desired: { nested: null } } }, '*')).responseBody;
    assert.equal(removed.properties.desired['nested'], undefined, 'null removes a key (merge patch)');
    double.hooks.iotHub.reportTwin('t1', { fw: '2.0' });
    const read = (await r.getTwin('t1')).responseBody;
    assert.deepEqual([read.properties.reported['fw'], read.properties.reported['$version']], ['2.0', 2]);
    const device = (await r.get('t1')).responseBody;
    assert.equal(device.deviceId, 't1');
  });

  it('412 on a stale etag, 404 for an unknown device, 401 for a bad signature', async () => {
    const r = registry(double.iotHub?.connectionString() ?? '');
    const stale = (await r.getTwin('t2')).responseBody.etag;
    await r.updateTwin('t2', { properties: { desired: { x: 1 } } }, stale);
    await assert.rejects(r.updateTwin('t2', { properties: { desired: { x: 2 } } }, stale), (e: Error) => e.name === 'InvalidEtagError');
    await assert.rejects(r.getTwin('ghost'), (e: Error) => e.name === 'DeviceNotFoundError');
    const wrongKey = (double.iotHub?.connectionString() ?? '').replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.from('wrong').toString('base64')}`);
    await assert.rejects(registry(wrongKey).getTwin('t2'), (e: Error) => e.name === 'UnauthorizedError');
  });

  it('answers SELECT * FROM devices page by page with a continuation', async () => {
    const r = registry(double.iotHub?.connectionString() ?? '');
    const q = r.createQuery('SELECT * FROM devices', 2);
    const first = await q.next();
    assert.deepEqual((first.result as Array<{ deviceId: string }>).map((t) => t.deviceId), ['t1', 't2']);
    assert.equal(q.hasMoreResults, true);
    const second = await q.next(q.continuationToken);
    assert.deepEqual((second.result as Array<{ deviceId: string }>).map((t) => t.deviceId), ['t3']);
    assert.equal(q.hasMoreResults, false);
  });
});
