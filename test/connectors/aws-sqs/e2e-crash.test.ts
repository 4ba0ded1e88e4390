/**
 * kill -9 of Cloudbridge mid-stream, then restart: every message is stored exactly once. fauxqs
 * runs in this test process and outlives the Cloudbridge child. What was received and not
 * deleted comes back after the queue's visibility timeout (3 s here); what was committed but not
 * yet deleted is recognised by its MessageId.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { assertExactlyOnce, countStored } from '../../e2e/crash-helpers.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { uniqueName } from './helpers.ts';
import { seqBodies, sqsIntegrationYaml } from './e2e-fixtures.ts';

interface Status { counters: { stored: number; duplicates: number } }
const TOTAL = 6000;


describe('aws-sqs crash recovery', () => {
  let peer: FauxqsPeer;
  let dir: string;
  let name: string;
  let url: string;
  let config: Record<string, unknown>;
  const children: ChildApp[] = [];
  const spawn = async (env: NodeJS.ProcessEnv = {}): Promise<ChildApp> => {
    const child = await spawnCloudbridge(dir, config, env);
    children.push(child);
    return child;
  };
  beforeEach(async () => {
    peer = await startFauxqsPeer();
    dir = mkdtempSync(join(tmpdir(), 'cb-sqs-crash-'));
    name = uniqueName('crash');
    url = await peer.createQueue(name, { VisibilityTimeout: '3' });
    config = parse(sqsIntegrationYaml(peer, { queueUrl: url, extra: { waitTimeSeconds: 1 } })) as Record<string, unknown>;
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the queue is drained; returns the duplicates the restarted instance recognised. */
  async function finishAndCount(child: ChildApp): Promise<number> {
    await waitFor(async () => {
      const s = await peer.state(name);
      return s.ready === 0 && s.inflight === 0 && s.delayed === 0;
    }, 'the queue to be drained', 120_000, 200);
    const duplicates = (await child.api.get<Status>('/integrations/queue/status')).counters.duplicates;
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL, 2);
    return duplicates;
  }

  it('kill -9 mid-stream, then restart: every message stored exactly once', async () => {
    await peer.sendAll(url, seqBodies(0, TOTAL));
    let child = await spawn();
    await waitFor(async () => (await child.api.get<Status>('/integrations/queue/status')).counters.stored >= 1500, 'first 1500 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = await countStored(dir) / 2;
    assert.ok(before >= 1500 && before < TOTAL, `killed mid-stream (stored ${before})`);
    const stranded = await peer.state(name);
    assert.ok(stranded.inflight > 0, `messages were in flight when it died (${stranded.inflight})`);
    child = await spawn();
    await finishAndCount(child);
  });

  it('a crash after a commit but before any delete: the redelivered messages are not stored twice', async () => {
    let child = await spawn({ CLOUDBRIDGE_FAULT: 'crash-after-commit:5' });
    await peer.sendAll(url, seqBodies(0, TOTAL));
    await waitFor(() => child.proc.exitCode !== null || child.proc.signalCode !== null, 'the injected crash', 60_000);
    const before = await countStored(dir) / 2;
    assert.ok(before > 0 && before < TOTAL, `crashed with committed but undeleted messages (stored ${before})`);
    child = await spawn();
    const duplicates = await finishAndCount(child);
    assert.ok(duplicates > 0, `the committed but undeleted messages came back and were recognised (${duplicates})`);
  });
});
