/**
 * SIGHUP re-reads the config file: changed objects are applied (and audited as config-file), an
 * invalid file changes nothing, a changed server.port is logged as needing a restart, and SIGHUPs
 * during a reload make one more reload of the file as it is then, never two reloads at once.
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
    const config = parse(mqttIntegrationYaml({ port: broker.port, clientId: 'cb-reload', filter: 'reload/#', decoder: TB_DECODER })) as Record<string, unknown>;
    child = await spawnCloudbridge(dir, { ...config, logging: { level: 'info' } });
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

  it('SIGHUPs during a reload: one more reload, of the file as it is then; the integration is updated once per change', async () => {
    const updates = async (): Promise<number> => (await child.api.get<Array<{ body: { event?: string } }>>('/events?integration=plant&type=LIFECYCLE')).filter((e) => e.body.event === 'UPDATED').length;
    const updatedBefore = await updates();
    const mark = child.output().length;
    const since = (pattern: string): number => child.output().slice(mark).split(pattern).length - 1;
    const sighup = async (outcome: string, nth: number): Promise<void> => {
      child.proc.kill('SIGHUP');
      await waitFor(() => since(`"reload":"${outcome}"`) === nth, `SIGHUP logged as ${outcome} (${nth})`);
    };
    // A stopped broker holds the first reload in the integration's restart (its new connection
    // waits for the CONNACK), so the next SIGHUPs arrive while it runs, whatever the machine's speed.
    const withClientId = (id: string): string => original.replace('clientId: cb-reload', `clientId: ${id}\n      connectTimeoutMs: 120000`);
    assert.ok(broker.pid !== undefined);
    process.kill(broker.pid, 'SIGSTOP');
    try {
      writeFileSync(file, withClientId('cb-reload-3'));
      await sighup('started', 1);
      await sighup('queued', 1);
      writeFileSync(file, withClientId('cb-reload-4'));
      await sighup('coalesced', 1);
      await sighup('coalesced', 2);
      assert.equal(since('config reloaded'), 0, 'the first reload is still running');
    } finally {
      process.kill(broker.pid, 'SIGCONT');
    }
    await waitFor(() => since('config reloaded') === 2, 'the running reload and the queued one');
    assert.deepEqual([since('"reload":"started"'), since('"reload":"queued"'), since('"reload":"coalesced"'), since('config reload refused')], [1, 1, 2, 0]);

    const view = await waitFor(async () => {
      const v = await child.api.get<{ config: { clientId: string }; status: { state: string } }>('/integrations/plant');
      return v.status.state === 'RUNNING' ? v : null;
    }, 'plant running again');
    assert.equal(view.config.clientId, 'cb-reload-4', 'the queued reload read the file as it was when it ran');
    assert.equal(await updates() - updatedBefore, 2, 'updated once per change: cb-reload-3, then cb-reload-4');
    const audit = await child.api.get<Array<{ action: string; after: { config: { clientId: string } } }>>('/audit?kind=integration&entity=plant');
    assert.deepEqual(audit.slice(0, 3).map((e) => [e.action, e.after.config.clientId]), [['update', 'cb-reload-4'], ['update', 'cb-reload-3'], ['update', 'cb-reload']],
      'one update per reload that changed something (the one before is the previous test\'s)');
  });
});
