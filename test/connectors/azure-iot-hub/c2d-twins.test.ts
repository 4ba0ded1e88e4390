/**
 * azure-iot-hub end to end on the Azure double (unmodified azure-iothub and @azure/event-hubs):
 * device-to-cloud through the redirect to the built-in endpoint, cloud-to-device downlinks whose
 * final outcome comes from the hub's feedback (each status), the 51st queued message refused as
 * IoT Hub refuses it, a twin's desired properties patched by an ATTRIBUTES_UPDATED downlink and its
 * reported properties stored as client attributes. Read back as a user would (API, store).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzureDouble, type AzureDouble, type FeedbackStatus } from '../../peers/azure/index.ts';
import { startTestApp, waitFor, type TestApp } from '../../e2e/harness.ts';
import { iotIntegrationYaml } from './e2e-fixtures.ts';

interface Downlink { id: string; status: string; error: string | null; outcome: string | null; outcomeDetail: string | null }
interface Status { state: string; counters: { stored: number }; details?: Record<string, unknown> }
interface Attribute { key: string; value: unknown }

const DEVICES = ['dev1', 'dev2', 'full-dev', 'twin-dev'];
let azure: AzureDouble;
let t: TestApp;

before(async () => {
  azure = await startAzureDouble({ iotHub: { name: 'e2e-hub', devices: DEVICES, partitions: 2, consumerGroups: ['cloudbridge'] } });
  // One message per device so that Cloudbridge knows them (downlinks go to devices it created).
  DEVICES.forEach((d, i) => azure.hooks.iotHub.sendD2c(d, { body: { seq: i } }));
  t = await startTestApp({ yaml: iotIntegrationYaml(azure) });
  await waitFor(async () => (await t.api.get<Status>('/integrations/hub/status')).counters.stored === DEVICES.length, 'the first messages');
});

after(async () => {
  await t?.close();
  await azure?.stop();
});

async function downlink(device: string, body: Record<string, unknown>): Promise<Downlink> {
  const queued = await t.api.post<Downlink>(`/devices/${device}/downlink`, body);
  return waitFor(async () => {
    const d = await t.api.get<Downlink>(`/downlinks/${queued.id}`);
    return d.status === 'queued' ? null : d;
  }, `downlink ${queued.id} sent`);
}

describe('azure-iot-hub end to end (Azure double)', () => {
  it('stores device-to-cloud messages under the sending device, found through the hub\'s redirect', async () => {
    const status = await t.api.get<Status>('/integrations/hub/status');
    assert.equal(status.state, 'RUNNING');
    assert.match(String(status.details?.['builtInEndpoint']), /^localhost:\d+$/, 'the endpoint\'s own host, from the redirect');
    assert.notEqual(status.details?.['builtInEndpoint'], status.details?.['iotHub']);
    for (const [i, d] of DEVICES.entries()) {
      const latest = await t.api.get<Record<string, { value: unknown }>>(`/devices/${d}/telemetry/latest`);
      assert.equal(latest['seq']?.value, i);
    }
  });

  const cases: Array<[FeedbackStatus, string, string]> = [
    ['Success', 'delivered', 'Success'],
    ['Expired', 'expired', 'Message expired'],
    ['Rejected', 'rejected', 'Message rejected'],
    ['Purged', 'purged', 'Message purged'],
    ['DeliveryCountExceeded', 'deliveryCountExceeded', 'Delivery count exceeded'],
  ];
  for (const [status, outcome, detail] of cases) {
    it(`a cloud-to-device downlink completed with ${status} gets the outcome ${outcome}`, async () => {
      const d = await downlink('dev1', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { method: 'reboot', params: { status } } });
      assert.equal(d.status, 'sent', d.error ?? '');
      const queued = azure.hooks.iotHub.c2dQueue('dev1');
      assert.deepEqual(queued.map((q) => [q.messageId, q.ack, q.body, q.properties?.['command']]), [[d.id, 'full', { method: 'reboot', params: { status } }, 'reboot']]);
      const inAnHour = Date.now() + 3600_000;
      assert.ok(Math.abs((queued[0]?.expiresAt.getTime() ?? 0) - inAnHour) < 60_000, 'expirySeconds (default 1 hour) set as epoch ms');
      azure.hooks.iotHub.completeC2d('dev1', status, { messageId: d.id });
      const done = await waitFor(async () => {
        const got = await t.api.get<Downlink>(`/downlinks/${d.id}`);
        return got.outcome === null ? null : got;
      }, `the ${status} feedback`);
      assert.deepEqual([done.status, done.outcome, done.outcomeDetail], ['sent', outcome, detail]);
    });
  }

  it('the 51st message queued for a device fails with the hub\'s queue-depth error; the other 50 stay queued', async () => {
    for (let i = 0; i < 50; i++) {
      const d = await downlink('full-dev', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { method: 'ping', params: { i } } });
      assert.equal(d.status, 'sent', d.error ?? '');
    }
    const refused = await downlink('full-dev', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { method: 'ping', params: { i: 50 } } });
    assert.equal(refused.status, 'failed');
    assert.match(refused.error ?? '', /^DOWNLINK_FAILED: The cloud-to-device queue of device "full-dev" is full \(IoT Hub keeps at most 50/);
    assert.equal(azure.hooks.iotHub.c2dQueue('full-dev').length, 50);
  });

  it('a downlink to a device the hub does not know fails naming the fix', async () => {
    azure.hooks.iotHub.removeDevice('dev2');
    const d = await downlink('dev2', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { method: 'x', params: {} } });
    azure.hooks.iotHub.addDevice('dev2');
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /has no device "dev2" registered .*metadata\.deviceId/);
  });

  it('an ATTRIBUTES_UPDATED downlink patches the twin\'s desired properties; readTwin stores the reported ones as client attributes', async () => {
    const d = await downlink('twin-dev', { msgType: 'ATTRIBUTES_UPDATED', msg: { targetTemperature: 21.5, mode: 'eco' } });
    assert.equal(d.status, 'sent', d.error ?? '');
    const desired = (azure.hooks.iotHub.twin('twin-dev')?.['properties'] as { desired: Record<string, unknown> }).desired;
    assert.deepEqual([desired['targetTemperature'], desired['mode'], desired['$version']], [21.5, 'eco', 2]);
    assert.deepEqual(azure.hooks.iotHub.c2dQueue('twin-dev'), [], 'a twin patch is no cloud-to-device message');

    azure.hooks.iotHub.reportTwin('twin-dev', { firmware: '1.2.3', battery: 87, online: true, location: { lat: 1, lon: 2 } });
    const first = await t.api.post<{ result: { stored: boolean; reportedVersion: number } }>('/integrations/hub/actions/readTwin', { deviceId: 'twin-dev' });
    assert.deepEqual([first.result.stored, first.result.reportedVersion], [true, 2]);
    const attrs = await t.api.get<Attribute[]>('/devices/twin-dev/attributes?scope=client');
    const byKey = Object.fromEntries(attrs.map((a) => [a.key, a.value]));
    assert.deepEqual([byKey['firmware'], byKey['battery'], byKey['online'], byKey['location']], ['1.2.3', 87, true, { lat: 1, lon: 2 }]);
    const again = await t.api.post<{ result: { stored: boolean } }>('/integrations/hub/actions/readTwin', { deviceId: 'twin-dev' });
    assert.equal(again.result.stored, false, 'the same reported version is stored once');
  });

  it('syncTwins (what twinSyncIntervalSeconds runs) stores the reported properties that changed, of every twin', async () => {
    azure.hooks.iotHub.reportTwin('dev1', { firmware: '9.9' });
    const first = await t.api.post<{ result: { stored: number; syncs: number } }>('/integrations/hub/actions/syncTwins', {});
    const attrs = await t.api.get<Attribute[]>('/devices/dev1/attributes?scope=client');
    assert.equal(attrs.find((a) => a.key === 'firmware')?.value, '9.9');
    const second = await t.api.post<{ result: { stored: number; syncs: number } }>('/integrations/hub/actions/syncTwins', {});
    assert.equal(second.result.stored, first.result.stored, 'nothing changed: nothing stored again');
    assert.equal(second.result.syncs, first.result.syncs + 1);
    await assert.rejects(t.api.post('/integrations/hub/actions/nope', {}), /NOT_FOUND|404/);
  });
});
