/**
 * config.mode (docs/configuration.md, "Declarative mode"): additive (default) keeps what the file
 * no longer has; declarative stops and deletes it at reload, also what was made through the API,
 * and refuses a file whose integration uses a converter the file does not have.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/app/config-file.ts';
import { lintConfig } from '../../src/app/config-lint.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_MASTER_KEY, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };

function integration(name: string, port: number, converter = 'decoder'): string {
  return `  - name: ${name}
    type: mqtt
    uplinkConverter: ${converter}
    config: { host: 127.0.0.1, port: ${port}, clientId: cb-decl-${name}, topicFilters: [{ filter: "decl/${name}/#" }] }
`;
}

const converters = (...names: string[]): string => `converters:\n${names.map((n) => `  - { name: ${n}, type: uplink, script: "return { deviceName: 'd', telemetry: { v: 1 } };" }\n`).join('')}`;

describe('config.mode: additive and declarative', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  before(async () => {
    broker = await startMosquitto();
    const forwarder = 'forwarders:\n  - { name: tb, type: thingsboard-gateway, integrations: all, config: { host: 127.0.0.1, port: 1, accessToken: t } }\n';
    t = await startTestApp({ yaml: `${converters('decoder', 'old-decoder')}integrations:\n${integration('a', broker.port)}${integration('b', broker.port, 'old-decoder')}${forwarder}` });
  });
  after(async () => {
    await t?.close();
    await broker?.dispose();
  });

  const forwarders = async (): Promise<string[]> => (await t.api.get<Array<{ name: string }>>('/forwarders')).map((f) => f.name);
  const names = async (): Promise<string[]> => (await t.api.get<Array<{ name: string }>>('/integrations')).map((i) => i.name).sort();
  const reload = (yaml: string): Promise<void> => t.app.applyConfig(parseConfigText(`store: { sqlite: { path: x.db } }\n${yaml}`, env));

  it('additive (the default) keeps an integration removed from the file', async () => {
    await reload(`${converters('decoder')}integrations:\n${integration('a', broker.port)}`);
    assert.deepEqual(await names(), ['a', 'b']);
    assert.deepEqual(await forwarders(), ['tb']);
    assert.equal(t.app.manager.get((await t.api.get<{ id: string }>('/integrations/b')).id)?.config.name, 'b', 'b still runs');
  });

  it('declarative refuses a kept integration whose converter the file does not have, and changes nothing', async () => {
    const yaml = `config: { mode: declarative }\n${converters('decoder')}integrations:\n${integration('a', broker.port)}${integration('b', broker.port, 'old-decoder')}`;
    await assert.rejects(reload(yaml), (err: Error) => {
      assert.match(err.message, /integrations\[1\]\.uplinkConverter: converter "old-decoder" is not in the file's converters; with config\.mode declarative the file owns every converter/);
      return true;
    });
    assert.equal((await t.api.get<unknown[]>('/converters')).length, 2);
    const file = join(t.dir, 'declarative.yaml');
    writeFileSync(file, yaml);
    const lint = await lintConfig(file, env);
    assert.equal(lint.ok, false, 'config lint refuses it too');
    assert.equal(lint.problems[0]?.field, 'integrations[1].uplinkConverter');
  });

  it('declarative stops and deletes at reload what the file no longer has, also what the API made', async () => {
    await t.api.post('/integrations', { name: 'from-api', type: 'mqtt', uplinkConverter: 'decoder', config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-decl-api', topicFilters: [{ filter: 'decl/api/#' }] } });
    const b = await t.api.get<{ id: string }>('/integrations/b');
    await waitFor(() => t.app.manager.get(b.id)?.status().state === 'RUNNING', 'b running');
    await reload(`config: { mode: declarative }\n${converters('decoder')}integrations:\n${integration('a', broker.port)}`);
    assert.deepEqual(await names(), ['a']);
    assert.equal(t.app.manager.get(b.id), undefined, 'b is stopped and unloaded');
    assert.equal((await t.api.call('GET', '/integrations/b')).status, 404);
    assert.deepEqual((await t.api.get<Array<{ name: string }>>('/converters')).map((c) => c.name), ['decoder']);
    assert.deepEqual(await forwarders(), [], 'the forwarder the file no longer has is removed');
    assert.ok(t.logs.some((l) => l.includes('deleting integration \\"from-api\\"')), 'the deletion is logged');
  });
});
