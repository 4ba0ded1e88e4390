/**
 * kill -9 of Cloudbridge mid-stream on the ibm-watson-iot connector, then restart: every event is
 * stored exactly once. The durable session of a:<org>:<appId> keeps what was not PUBACKed and the
 * broker redelivers it flagged DUP; what was committed but not yet PUBACKed is recognised by its
 * content hash.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWatsonBroker, type WatsonBroker } from '../../peers/watson-broker.ts';
import { assertExactlyOnce, countStored } from '../../e2e/crash-helpers.ts';
import { spawnCloudbridge, stopAllChildren, waitFor } from '../../e2e/harness.ts';
import { publishSeq } from '../mqtt/mqtt-test-client.ts';
import { appConfig, eventTopic, watsonConfig } from './helpers.ts';

interface Status { counters: { stored: number } }
const TOTAL = 6000;

describe('ibm-watson-iot crash recovery', () => {
  let watson: WatsonBroker;
  let dir: string;
  beforeEach(async () => {
    watson = await startWatsonBroker();
    dir = mkdtempSync(join(tmpdir(), 'cb-watson-crash-'));
  });
  afterEach(async () => {
    await stopAllChildren();
    await watson.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-stream, then restart: every event stored exactly once', async () => {
    const config = appConfig(watsonConfig(watson, { appId: 'cb-crash' }));
    let child = await spawnCloudbridge(dir, config);
    const device = await watson.device('meter', 'm1');
    const publishing = publishSeq(device, eventTopic('meter', 'm1'), 0, TOTAL, 100, 5);
    await waitFor(async () => (await child.api.get<Status>('/integrations/watson/status')).counters.stored >= 1500, 'first 1500 stored', 60_000, 20)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\ncloudbridge output:\n${child.output()}\nbroker log:\n${watson.broker.logs().slice(-3000)}`);
      });
    await child.kill('SIGKILL');
    const before = await countStored(dir);
    assert.ok(before >= 1500 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    await publishing;
    await device.endAsync();
    await waitFor(async () => (await child.api.get<{ total: number }>('/devices?limit=1')).total >= TOTAL, `all ${TOTAL} devices`, 120_000, 200);
    await new Promise((r) => setTimeout(r, 500));
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL);
  });
});
