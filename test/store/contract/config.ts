/** Contract: integrations and converters. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ConverterConfig, IntegrationConfig } from '../../../src/core/model.ts';
import type { StoreHarness } from './fixtures.ts';
import { T0, batch, dbl, failed, freshStore, record, rejectsWithCode, stored } from './fixtures.ts';

export function converter(id: string, name: string, extra: Partial<ConverterConfig> = {}): ConverterConfig {
  return {
    id, name, type: 'uplink', language: 'javascript', script: 'return { deviceName: "d" };', createdAt: T0, updatedAt: T0, ...extra,
  };
}

export function integration(id: string, name: string, extra: Partial<IntegrationConfig> = {}): IntegrationConfig {
  return {
    id, name, type: 'mqtt', enabled: true, uplinkConverterId: 'conv-up', downlinkConverterId: null, allowCreateDevices: true,
    debug: { failures: true, allUntil: 0 }, metadata: { site: 'north' },
    config: { host: 'broker.local', port: 1883, topics: [{ filter: 'sensors/#', qos: 1 }], password: { enc: 'v1:abc' } },
    createdAt: T0, updatedAt: T0, ...extra,
  };
}

export function configContract(h: StoreHarness): void {
  it('saves, finds (by id or name), lists, updates and deletes converters', async (t) => {
    const store = await freshStore(t, h);
    const up = converter('conv-up', 'Uplink B', { limits: { timeoutMs: 200 } });
    const down = converter('conv-down', 'Downlink A', { type: 'downlink', language: 'jsonata', script: '$' });
    await store.saveConverter(up);
    await store.saveConverter(down);
    assert.deepEqual(await store.getConverter('conv-up'), up);
    assert.deepEqual(await store.getConverter('Downlink A'), down);
    assert.equal(await store.getConverter('nope'), null);
    assert.deepEqual((await store.listConverters()).map((c) => c.id).sort(), ['conv-down', 'conv-up']);

    const renamed = { ...up, name: 'Uplink C', script: 'return [];', updatedAt: T0 + 1 };
    delete renamed.limits;
    await store.saveConverter(renamed);
    assert.deepEqual(await store.getConverter('conv-up'), renamed);
    assert.equal(await store.getConverter('Uplink B'), null);

    await rejectsWithCode(store.saveConverter(converter('conv-other', 'Downlink A')), 'CONFLICT', 'Downlink A');
    await store.deleteConverter('conv-down');
    assert.equal(await store.getConverter('conv-down'), null);
    await rejectsWithCode(store.deleteConverter('conv-down'), 'NOT_FOUND');
  });

  it('saves integrations with their whole config, by id, with unique names', async (t) => {
    const store = await freshStore(t, h);
    const a = integration('int-1', 'Line A');
    const b = integration('int-2', 'Line B', {
      enabled: false, downlinkConverterId: 'conv-down', allowCreateDevices: false, debug: { failures: false, allUntil: T0 + 60_000 },
      metadata: {}, config: {},
    });
    await store.saveIntegration(a);
    await store.saveIntegration(b);
    assert.deepEqual(await store.getIntegration('int-1'), a);
    assert.deepEqual(await store.getIntegration('Line B'), b);
    assert.deepEqual((await store.listIntegrations()).map((i) => i.name).sort(), ['Line A', 'Line B']);

    const updated = { ...a, name: 'Line A2', enabled: false, config: { host: 'other' }, updatedAt: T0 + 5 };
    await store.saveIntegration(updated);
    assert.deepEqual(await store.getIntegration('int-1'), updated);
    assert.equal((await store.listIntegrations()).length, 2);

    await rejectsWithCode(store.saveIntegration(integration('int-3', 'Line B')), 'CONFLICT', 'Line B');
    await rejectsWithCode(store.saveIntegration({ ...b, name: 'Line A2' }), 'CONFLICT');
    assert.deepEqual(await store.getIntegration('int-2'), b, 'a rejected save changes nothing');
    assert.equal(await store.getIntegration('missing'), null);
  });

  it('refuses to delete a converter an integration uses', async (t) => {
    const store = await freshStore(t, h);
    await store.saveConverter(converter('conv-up', 'Up'));
    await store.saveConverter(converter('conv-down', 'Down', { type: 'downlink' }));
    await store.saveIntegration(integration('int-1', 'Line A', { uplinkConverterId: 'conv-up', downlinkConverterId: 'conv-down' }));
    await rejectsWithCode(store.deleteConverter('conv-up'), 'CONFLICT', 'Line A');
    await rejectsWithCode(store.deleteConverter('conv-down'), 'CONFLICT', 'Line A');
    await store.deleteIntegration('int-1');
    await store.deleteConverter('conv-up');
    assert.equal(await store.getConverter('conv-up'), null);
  });

  it('deleting an integration removes its events, dead letters, leases with their checkpoints and downlinks but keeps its devices', async (t) => {
    const store = await freshStore(t, h);
    await store.saveIntegration(integration('int-1', 'Line A'));
    await store.saveIntegration(integration('int-2', 'Line B'));
    for (const id of ['int-1', 'int-2']) {
      await store.commitUplinks(batch([
        stored('m1', [record(`dev-${id}`, { points: [[T0, 't', dbl(1)]] })]),
        failed('m2', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'x' }),
      ], { integrationId: id, events: [{ integrationId: id, type: 'LIFECYCLE', ts: T0, body: { event: 'STARTED' } }] }));
      const lease = await store.claimLease(id, 'shard-0', 'instance-a', 0, 60_000);
      assert.ok(lease);
      assert.equal(await store.writeCheckpoint(id, 'shard-0', { owner: 'instance-a', token: lease.token }, '42'), true);
      await store.enqueueDownlink({ integrationId: id, deviceName: `dev-${id}`, msgType: 'RPC', msg: {}, metadata: {} });
    }
    await store.deleteIntegration('int-1');
    assert.equal(await store.getIntegration('int-1'), null);
    assert.deepEqual(await store.listEvents({ integrationId: 'int-1' }), []);
    assert.equal((await store.listDeadLetters({ integrationId: 'int-1' })).total, 0);
    assert.deepEqual(await store.listLeases('int-1'), []);
    assert.deepEqual(await store.listDownlinks({ integrationId: 'int-1' }), []);
    const device = await store.getEntity('DEVICE', 'dev-int-1');
    assert.ok(device, 'devices stay');
    assert.equal(device.createdByIntegrationId, null);
    assert.equal(await store.countTelemetry(device.id), 1);

    assert.equal((await store.listEvents({ integrationId: 'int-2' })).length, 1);
    assert.equal((await store.listDeadLetters({ integrationId: 'int-2' })).total, 1);
    assert.deepEqual((await store.listLeases('int-2')).map((l) => [l.partition, l.owner, l.checkpoint]), [['shard-0', 'instance-a', '42']]);
    await rejectsWithCode(store.deleteIntegration('int-1'), 'NOT_FOUND');
  });
}
