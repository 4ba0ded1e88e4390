/**
 * An integration's commits carry its forwarders (RuntimeDeps.forwardersFor, ADR 017): real
 * Mosquitto → mqtt connector → JavaScript converter → SQLite, the outbox read back as a forwarder
 * would. A change of forwarders applies to the next batch without restarting the integration.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { IntegrationManager } from '../../src/app/integration-manager.ts';
import type { ConverterFactory } from '../../src/app/integration-runtime.ts';
import { createLogger, SecretScrubber } from '../../src/app/logger.ts';
import { SecretBox } from '../../src/app/secrets.ts';
import { findConnector } from '../../src/connectors/registry.ts';
import { createDownlinkRunner, createUplinkRunner } from '../../src/converters/index.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { IntegrationConfig } from '../../src/core/model.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { waitFor } from '../support/wait.ts';

const DECODER = `
var data = JSON.parse(String.fromCharCode.apply(String, payload));
var out = { deviceName: metadata.topic.split('/')[1], deviceType: 'meter', telemetry: { power: data.power } };
if (data.rpc !== undefined) out.rpcReply = { id: data.rpc, data: { done: true } };
return out;
`;

describe('forwarders of an integration (RuntimeDeps.forwardersFor)', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(async () => { await broker.dispose(); });

  it('every commit writes the outbox rows of the current forwarders', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-forward-'));
    const store = new SqliteStore({ path: join(dir, 'cb.db') });
    await store.migrate();
    const converters: ConverterFactory = { uplink: (cfg) => createUplinkRunner(cfg), downlink: createDownlinkRunner };
    let forwarders = ['tb'];
    const asked: string[] = [];
    const manager = new IntegrationManager({
      store, converters, findConnector, clock: systemClock, secrets: new SecretBox(randomBytes(32)),
      log: createLogger({ level: 'silent', scrubber: new SecretScrubber() }),
      pipelineLimits: { maxBatchMessages: 1 },
      forwardersFor: (integration) => {
        asked.push(integration.name);
        return forwarders;
      },
    });
    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'pub-forward' });
    t.after(async () => {
      await publisher.endAsync();
      await manager.stopAll();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.saveConverter({ id: 'dec', name: 'dec', type: 'uplink', language: 'javascript', script: DECODER, createdAt: 0, updatedAt: 0 });
    const integration: IntegrationConfig = {
      id: 'int-meters', name: 'meters', type: 'mqtt', enabled: true, uplinkConverterId: 'dec', downlinkConverterId: null, allowCreateDevices: true,
      debug: { failures: false, allUntil: 0 }, metadata: {}, createdAt: 0, updatedAt: 0,
      config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-forward', cleanSession: false, topicFilters: [{ filter: 'meters/+', qos: 1 }] },
    };
    await store.saveIntegration(integration);
    await manager.apply(integration);
    await waitFor(() => manager.get('int-meters')?.running, 'integration running');

    const publish = async (device: string, body: Record<string, unknown>): Promise<void> => {
      await publisher.publishAsync(`meters/${device}`, JSON.stringify(body), { qos: 1 });
    };
    const stored = async (n: number): Promise<void> => {
      await waitFor(async () => (await store.countTelemetry()) >= n, `${n} points stored`);
    };
    await publish('m-1', { power: 10 });
    await publish('m-2', { power: 20, rpc: 77 });
    await stored(2);
    const rows = await store.readOutbox('tb', 0, 100);
    assert.deepEqual(rows.map((r) => [r.integrationId, r.deviceName, r.deviceType, r.entry.kind]), [
      ['int-meters', 'm-1', 'meter', 'uplink'], ['int-meters', 'm-2', 'meter', 'uplink'], ['int-meters', 'm-2', 'meter', 'rpc-reply'],
    ]);
    assert.deepEqual(rows[2]?.entry, { kind: 'rpc-reply', id: 77, data: { done: true } });
    const first = rows[0]?.entry;
    assert.ok(first?.kind === 'uplink' && first.telemetry.length === 1 && first.telemetry[0]?.values.power === 10);
    assert.ok(asked.includes('meters'));

    forwarders = ['tb', 'tb-edge'];
    await publish('m-1', { power: 11 });
    await stored(3);
    assert.equal((await store.readOutbox('tb', 0, 100)).length, 4);
    assert.deepEqual((await store.readOutbox('tb-edge', 0, 100)).map((r) => r.deviceName), ['m-1'], 'the new forwarder applies without a restart');

    forwarders = [];
    await publish('m-3', { power: 30 });
    await stored(4);
    assert.equal((await store.readOutbox('tb', 0, 100)).length, 4, 'no forwarders: no rows');
    assert.equal((await store.outboxStats('tb-edge')).depth, 1);
  });
});
