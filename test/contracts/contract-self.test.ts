/**
 * The connector contract suite run on an in-memory partitioned stream (memory-stream.ts): every
 * case, including the partitioned one, passes for a source built on the Checkpointer, and the
 * partitioned case fails for a source that goes on reading after a rejection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectorContract } from './connector-contract.ts';
import { neverCheckpointsPastARejection } from './checkpoint-case.ts';
import { memoryStreamHarness } from './memory-stream.ts';

connectorContract(memoryStreamHarness());

describe('connector contract: the partitioned case catches a broken source', () => {
  it('fails for a source that checkpoints past a rejected message', async () => {
    const harness = memoryStreamHarness({ ignoreRejections: true });
    const peer = await harness.startPeer();
    await assert.rejects(neverCheckpointsPastARejection(peer, harness), /the committed checkpoint p0@\d+ covers cp-\d \(\d\), which was never stored: it passed a rejection/);
  });
});
