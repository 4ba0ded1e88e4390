/**
 * SIGHUP re-reads the config file: changed objects are applied (and audited as config-file), an
 * invalid file changes nothing, a changed server.port is logged as needing a restart.
 */
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
  let file: string;
  let original: string;
  before(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'cb-reload-'));
    child = await spawnCloudbridge(dir, parse(mqttIntegrationYaml({ port: broker.port, clientId: 'cb-reload', filter: 'reload/#', decoder: TB_DECODER })) as Record<string, unknown>);
    file = join(dir, 'cloudbridge.yaml');
    original = readFileSync(file, 'utf8');
  });
  after(async () => {
    await child.kill('SIGTERM');
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a changed integration on SIGHUP and refuses an invalid file', async () => {
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

  it('keeps listening where it started when the file changes server.port, and warns that the change needs a restart', async () => {
    const port = new URL(child.url).port;
    const moved = original.replace(`port: ${port}\n  host: 127.0.0.1`, `port: ${Number(port) + 1}\n  host: 127.0.0.1`);
    assert.notEqual(moved, original, 'the server section was found');
    writeFileSync(file, moved);
    child.proc.kill('SIGHUP');
    const warning = new RegExp(`server\\.port changed from ${port} to ${Number(port) + 1}: a reload does not move the listener; restart Cloudbridge to apply it`);
    await waitFor(() => warning.test(child.output()), 'the warning (logged once the rest of the reload was applied)');
    assert.ok((await fetch(`${child.url}/health`)).ok, 'still answering on the port it started on');
  });
});
