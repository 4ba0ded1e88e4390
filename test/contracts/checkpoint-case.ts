/**
 * The contract case of partitioned sources: a checkpoint never moves past a rejected message.
 *
 * The connector delivers into a real IngestPipeline (ordered settlement, retry delay) whose
 * commit port fails once, for the batch holding `cp-2`, and otherwise records what it commits.
 * After the pause more messages are published: a source that went on reading after the
 * rejection would now commit a checkpoint past `cp-2`. At every commit, each checkpoint it
 * carries, and at the end every checkpoint the source wrote outside commits, must cover only
 * messages committed by then. In the end every message is committed and the partition is
 * checkpointed at its last message. `publish` is expected to put the messages in one partition.
 */
import assert from 'node:assert/strict';
import { CloudbridgeError } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import { IngestPipeline } from '../../src/core/pipeline.ts';
import type { CommitCheckpoint } from '../../src/core/partitions.ts';
import type { UplinkCommit } from '../../src/core/ports.ts';
import { createTestContext } from '../support/connector-context.ts';
import { sleep, waitFor } from '../support/wait.ts';
import type { CheckpointHarness, ConnectorHarness, ContractPeer } from './harness.ts';

const FIRST = 6;
const LATER = 3;
const RETRY_MS = 100;

const text = (payload: Uint8Array): string => Buffer.from(payload).toString();

/** Throws when `cp` covers a delivered message that was not committed. */
function checkCovered(h: CheckpointHarness, committedKeys: Set<string>, delivered: UplinkMessage[], cp: { partition: string; position: string }, where: string): void {
  for (const m of delivered) {
    if (h.partitionOf(m) !== cp.partition || h.compare(h.positionOf(m), cp.position) > 0) continue;
    assert.ok(committedKeys.has(m.sourceKey),
      `${where} checkpoint ${cp.partition}@${cp.position} covers ${text(m.payload)} (${h.positionOf(m)}), which was never stored: it passed a rejection`);
  }
}

export async function neverCheckpointsPastARejection(peer: ContractPeer, harness: ConnectorHarness): Promise<void> {
  const h = harness.checkpoints;
  assert.ok(h, 'the harness describes positions');
  const source = await peer.source('cp');
  const delivered: UplinkMessage[] = [];
  const committedKeys = new Set<string>();
  const committedTexts = new Set<string>();
  const checkpoints: CommitCheckpoint[] = [];
  let failedOnce = false;
  let violation: unknown = null;
  const commit = async (c: UplinkCommit): Promise<{ results: Array<{ status: 'stored'; createdEntities: string[] }> }> => {
    if (!failedOnce && c.items.some((i) => text(i.payload) === 'cp-2')) {
      failedOnce = true;
      throw new CloudbridgeError('STORE_UNAVAILABLE', 'test store is down');
    }
    for (const item of c.items) {
      committedKeys.add(item.sourceKey);
      committedTexts.add(text(item.payload));
    }
    for (const cp of c.checkpoints ?? []) {
      checkpoints.push(cp);
      try {
        checkCovered(h, committedKeys, delivered, cp, 'the committed');
      } catch (err) {
        violation ??= err;
      }
    }
    return { results: c.items.map(() => ({ status: 'stored' as const, createdEntities: [] })) };
  };
  const pipeline = new IngestPipeline({
    integrationId: 'contract', allowCreateDevices: () => true, commit,
    convert: async (messages) => messages.map(() => ({ ok: true as const, raw: null, records: [] })),
    retry: { initialDelayMs: RETRY_MS, maxDelayMs: RETRY_MS },
  });
  const ctx = createTestContext();
  ctx.deliver = (batch, signal, options) => {
    delivered.push(...batch);
    return pipeline.deliver(batch, signal, options);
  };
  const connector = source.create(ctx);
  await connector.start();
  const timeoutMs = harness.redeliveryTimeoutMs ?? 15_000;
  try {
    await source.publish(Array.from({ length: FIRST }, (_, i) => `cp-${i}`));
    await waitFor(() => failedOnce, 'the commit of cp-2 to fail', timeoutMs);
    await sleep(RETRY_MS * 3);
    await source.publish(Array.from({ length: LATER }, (_, i) => `cp-${FIRST + i}`));
    await waitFor(() => violation !== null || committedTexts.size === FIRST + LATER, 'every message committed', timeoutMs);
    if (violation) throw violation;
    for (const cp of await h.writtenOutsideCommits?.(source) ?? []) checkCovered(h, committedKeys, delivered, cp, 'a written');
    const last = delivered.find((m) => text(m.payload) === `cp-${FIRST + LATER - 1}`);
    assert.ok(last);
    const final = checkpoints.filter((cp) => cp.partition === h.partitionOf(last)).at(-1);
    assert.equal(final?.position, h.positionOf(last), 'the partition is checkpointed at its last message in the end');
  } finally {
    await connector.stop({ drainMs: 500 });
    pipeline.close();
    await source.dispose();
  }
}
