/**
 * MISCONFIGURED (issue 8): a start that fails for a reason only a change can fix (here the broker
 * rejects the password: AUTH_FAILED) is not retried with the connection backoff. The status says
 * why and what to do, the metric says down; it is tried again slowly (in case the fix happens
 * outside Cloudbridge), at once after a config change, and at once on POST .../restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERROR_CATALOGUE } from '../../src/core/errors.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

interface Status {
  state: string;
  lastError: { code: string; message: string; fix: string | null; at: number; resolvedAt: number | null } | null;
  nextStartAt?: number;
}
interface Event { type: string; body: Record<string, unknown> }

const RETRY_MS = 2500;

describe('a misconfigured integration', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  before(async () => {
    broker = await startMosquitto({ users: { cb: 'right-password' } });
    t = await startTestApp({ app: { misconfiguredRetryMs: RETRY_MS } });
    assert.equal((await t.api.call('POST', '/converters', { name: 'dec', type: 'uplink', script: 'return { deviceName: "d", telemetry: {} };' })).status, 201);
  });
  after(async () => {
    await t.close();
    await broker.dispose();
  });

  const integration = (name: string, password: string): Record<string, unknown> => ({
    name, type: 'mqtt', uplinkConverter: 'dec',
    config: { host: '127.0.0.1', port: broker.port, username: 'cb', password, clientId: `cb-${name}`, topicFilters: [{ filter: `${name}/#`, qos: 1 }], reconnect: { initialDelayMs: 50, maxDelayMs: 100 } },
  });
  const up = async (name: string): Promise<string | undefined> => {
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    return new RegExp(`^cloudbridge_integration_up\\{integration="${name}",type="mqtt"\\} (\\d)$`, 'm').exec(metrics)?.[1];
  };

  it('shows MISCONFIGURED with the reason, the fix and the next attempt; the metric says down', async () => {
    const before = Date.now();
    assert.equal((await t.api.call('POST', '/integrations', integration('badpw', 'wrong-password'))).status, 201);
    const status = await t.api.get<Status>('/integrations/badpw/status');
    assert.equal(status.state, 'MISCONFIGURED');
    assert.equal(status.lastError?.code, 'AUTH_FAILED');
    assert.match(status.lastError?.message ?? '', /refused the connection as not authorized: check the credentials/);
    assert.equal(status.lastError?.fix, ERROR_CATALOGUE.AUTH_FAILED.fix);
    assert.ok((status.nextStartAt ?? 0) >= before + RETRY_MS && (status.nextStartAt ?? 0) <= Date.now() + RETRY_MS, 'tried again after the slow retry delay, not the connection backoff');
    assert.equal(await up('badpw'), '0');
    const list = await t.api.get<Array<{ name: string; status: Status }>>('/integrations');
    assert.equal(list.find((i) => i.name === 'badpw')?.status.state, 'MISCONFIGURED');
    const failed = (await t.api.get<Event[]>('/events?integration=badpw&type=LIFECYCLE')).find((e) => e.body.event === 'FAILED');
    assert.equal(failed?.body.errorCode, 'AUTH_FAILED');
  });

  it('starts at once after a config change that fixes it', async () => {
    assert.equal((await t.api.call('PUT', '/integrations/badpw', integration('badpw', 'right-password'))).status, 200);
    const status = await t.api.get<Status>('/integrations/badpw/status');
    assert.equal(status.state, 'RUNNING');
    assert.equal(status.nextStartAt, undefined);
    await waitFor(async () => (await up('badpw')) === '1', 'the metric to say up (scrapes are cached for 100 ms)', 5000);
    assert.equal((await t.api.call('DELETE', '/integrations/badpw')).status, 204);
  });

  it('is tried again slowly, and starts once the fix happened outside Cloudbridge; restart tries at once', async () => {
    assert.equal((await t.api.call('POST', '/integrations', integration('later', 'activated-later'))).status, 201);
    const first = await t.api.get<Status>('/integrations/later/status');
    assert.equal(first.state, 'MISCONFIGURED');

    const restarted = await t.api.call('POST', '/integrations/later/restart');
    assert.equal(restarted.status, 200, restarted.text);
    const afterRestart = restarted.body as Status;
    assert.equal(afterRestart.state, 'MISCONFIGURED', 'still wrong');
    assert.ok((afterRestart.lastError?.at ?? 0) > (first.lastError?.at ?? 0), 'the restart tried again at once');

    // The broker operator adds the password (as a certificate would be activated in AWS IoT).
    await promisify(execFile)('/usr/bin/mosquitto_passwd', ['-b', join(broker.dir, 'passwd'), 'cb', 'activated-later']);
    await broker.restart();
    const running = await waitFor(async () => {
      const s = await t.api.get<Status>('/integrations/later/status');
      return s.state === 'RUNNING' ? s : null;
    }, 'the slow retry to start it', 15_000);
    assert.equal(running.lastError?.code, 'AUTH_FAILED');
    assert.ok(running.lastError?.resolvedAt, 'the error is marked resolved');
  });

  it('restart of a disabled integration is refused with 409 INTEGRATION_NOT_RUNNING; of an unknown one with 404', async () => {
    assert.equal((await t.api.call('POST', '/integrations', { ...integration('off', 'right-password'), enabled: false })).status, 201);
    const refused = await t.api.call('POST', '/integrations/off/restart');
    assert.equal(refused.status, 409);
    assert.match(refused.text, /INTEGRATION_NOT_RUNNING.*is disabled: enable it/);
    assert.equal((await t.api.call('POST', '/integrations/nope/restart')).status, 404);
  });

  it('a start failure that may pass by itself (nothing listens on the port) stays FAILED with backoff', async () => {
    const body = integration('closed', 'right-password');
    assert.equal((await t.api.call('POST', '/integrations', { ...body, config: { ...(body.config as object), port: 1 } })).status, 201);
    const status = await t.api.get<Status>('/integrations/closed/status');
    assert.equal(status.state, 'FAILED');
    assert.equal(status.lastError?.code, 'CONNECTION_FAILED');
    assert.equal(status.lastError?.fix, ERROR_CATALOGUE.CONNECTION_FAILED.fix);
  });
});
