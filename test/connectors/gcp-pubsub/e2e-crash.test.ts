/**
 * Cloudbridge in a child process against the Pub/Sub emulator (in this test process, outliving the
 * child): kill -9 mid-stream, then restart, stores every message exactly once; a process frozen
 * longer than the ack deadline (SIGSTOP right before a commit, so the client cannot extend
 * leases) gets its messages redelivered once it runs again, and still nothing is stored twice. What was
 * received and not acknowledged comes back after the subscription's ack deadline (10 s); what was
 * committed but not acknowledged is recognised by its message id.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startPubSubEmulator, type PubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { assertExactlyOnce, countStored } from '../../e2e/crash-helpers.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { freshSubscription } from './helpers.ts';
import { pubSubIntegrationYaml, seqBodies, STATUS, type PubSubStatus as Status } from './e2e-fixtures.ts';

const TOTAL = 4000;

describe('gcp-pubsub crash recovery', () => {
  let peer: PubSubEmulator;
  let dir: string;
  let subscription: string;
  let topic: string;
  let config: Record<string, unknown>;
  const children: ChildApp[] = [];
  const spawn = async (env: NodeJS.ProcessEnv = {}): Promise<ChildApp> => {
    const child = await spawnCloudbridge(dir, config, env);
    children.push(child);
    return child;
  };
  before(async () => { peer = await startPubSubEmulator(); });
  after(() => peer.stop());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-pubsub-crash-'));
    ({ topic, subscription } = await freshSubscription(peer, 'crash', { ackDeadlineSeconds: 10 }));
    config = parse(pubSubIntegrationYaml(peer, { subscription, extra: { maxMessages: 500 } })) as Record<string, unknown>;
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until everything is stored and acknowledged; returns the duplicates the last instance recognised. */
  async function finishAndCount(child: ChildApp): Promise<number> {
    await waitFor(async () => await countStored(dir) >= TOTAL * 2, 'every message stored', 120_000, 250);
    await waitFor(async () => (await child.api.get<Status>(STATUS)).details?.outstanding === 0, 'every message acknowledged', 30_000, 200);
    const duplicates = (await child.api.get<Status>(STATUS)).counters.duplicates;
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL, 2);
    assert.deepEqual(await peer.drain(subscription), [], 'the subscription holds nothing more');
    return duplicates;
  }

  it('kill -9 mid-stream, then restart: every message stored exactly once', async () => {
    await peer.publish(topic, seqBodies(0, TOTAL));
    let child = await spawn();
    await waitFor(async () => (await child.api.get<Status>(STATUS)).counters.stored >= 1000, 'first 1000 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = await countStored(dir) / 2;
    assert.ok(before >= 1000 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawn();
    await finishAndCount(child);
  });

  it('a process frozen longer than the ack deadline: the redelivered messages are not stored twice', async () => {
    const child = await spawn({ CLOUDBRIDGE_FAULT: 'stop-before-commit:3' });
    await peer.publish(topic, seqBodies(0, TOTAL));
    await waitFor(() => stopped(child.proc.pid), 'the injected freeze', 60_000, 100);
    // Frozen, the client cannot extend its leases: the subscription's 10 s ack deadline runs out.
    await new Promise((r) => setTimeout(r, 12_000));
    process.kill(child.proc.pid ?? 0, 'SIGCONT');
    const duplicates = await finishAndCount(child);
    assert.ok(duplicates > 0, `messages whose deadline ran out came back and were recognised (${duplicates} duplicates)`);
  });
});

/** Whether the process is stopped (state T in /proc/<pid>/stat). */
function stopped(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    return /^\d+ \(.*\) [Tt]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
