/** SIGHUP re-reads the config file: changed objects are applied (and audited as config-file), an invalid file changes nothing. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from './harness.ts';
import { TB_DECODER, mqttIntegrationYaml } from './fixtures.ts';

describe('config reload (SIGHUP)', () => {
  let broker: MosquittoBroker;
  let dir: string;
  let child: ChildApp;
  before(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'cb-reload-'));
    child = await spawnCloudbridge(dir, parse(mqttIntegrationYaml({ port: broker.port, clientId: 'cb-reload', filter: 'reload/#', decoder: TB_DECODER })) as Record<string, unknown>);
  });
  after(async () => {
    await child.kill('SIGTERM');
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a changed integration on SIGHUP and refuses an invalid file', async () => {
    const file = join(dir, 'cloudbridge.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('clientId: cb-reload', 'clientId: cb-reload-2'));
    child.proc.kill('SIGHUP');
    await waitFor(async () => {
      const events = await child.api.get<Array<{ body: { event?: string } }>>('/events?integration=plant&type=LIFECYCLE');
      return events.some((e) => e.body.event === 'UPDATED');
    }, 'an UPDATED event');
    const view = await child.api.get<{ config: { clientId: string }; status: { state: string } }>('/integrations/plant');
    assert.equal(view.config.clientId, 'cb-reload-2');
    const audit = await child.api.get<Array<{ source: string; actor: string; action: string; before: { config: { clientId: string } }; after: { config: { clientId: string } } }>>('/audit?kind=integration&entity=plant');
    assert.deepEqual(audit.map((e) => [e.source, e.actor, e.action, e.before?.config.clientId ?? null, e.after.config.clientId]),
      [['config-file', 'config-file', 'update', 'cb-reload', 'cb-reload-2'], ['config-file', 'config-file', 'create', null, 'cb-reload']], 'the reload and the start are in the audit log');
    writeFileSync(file, original.replace('port: ', 'port: not-a-port #'));
    child.proc.kill('SIGHUP');
    await waitFor(() => /config reload refused/.test(child.output()), 'the refusal in the log');
    assert.equal((await child.api.get<{ config: { clientId: string } }>('/integrations/plant')).config.clientId, 'cb-reload-2');
    assert.equal(child.proc.exitCode, null, 'still running');
  });
});
