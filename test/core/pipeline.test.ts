import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IngestPipeline } from '../../src/core/pipeline.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import type { CommitPort, ConvertPort, UplinkCommit } from '../../src/core/ports.ts';
import { sleep } from '../support/wait.ts';

function msg(i: number, payload = `{"n":${i}}`): UplinkMessage {
  return { payload: Buffer.from(payload), metadata: { topic: 't' }, sourceKey: `k${i}`, receivedAt: 1000 + i };
}

const convertOk: ConvertPort = async (messages) => messages.map((m) => {
  const text = Buffer.from(m.payload).toString();
  if (text === 'bad') return { ok: false as const, stage: 'convert' as const, error: new CloudbridgeError('PAYLOAD_INVALID', 'Unexpected token b') };
  return { ok: true as const, raw: text, records: [{ kind: 'DEVICE' as const, name: 'd', type: 'default', attributes: [], telemetry: [] }] };
});

function recordingCommit(): { commit: CommitPort; commits: UplinkCommit[] } {
  const commits: UplinkCommit[] = [];
  const seen = new Set<string>();
  return {
    commits,
    commit: async (c) => {
      commits.push(c);
      return {
        results: c.items.map((item) => {
          if (seen.has(item.sourceKey)) return { status: 'duplicate' as const };
          seen.add(item.sourceKey);
          return item.outcome.kind === 'records' ? { status: 'stored' as const, createdEntities: [] } : { status: 'dead-lettered' as const, deadLetterId: 'x' };
        }),
      };
    },
  };
}

describe('IngestPipeline', () => {
  it('coalesces single-message deliveries into batched commits and resolves each after its commit', async () => {
    const { commit, commits } = recordingCommit();
    const p = new IngestPipeline({ integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true, limits: { maxBatchMessages: 50, maxBatchDelayMs: 20 } });
    const reports = await Promise.all(Array.from({ length: 120 }, (_, i) => p.deliver([msg(i)])));
    assert.equal(reports.filter((r) => r.stored === 1).length, 120);
    assert.ok(commits.length >= 3 && commits.length < 120, `expected batching, got ${commits.length} commits`);
    assert.ok(commits.every((c) => c.items.length <= 50));
    assert.equal(p.stats().stored, 120);
    assert.equal(p.stats().inFlightMessages, 0);
  });

  it('converters that cannot run at all (SANDBOX_UNAVAILABLE): nothing is dead-lettered or acknowledged, the batch is tried again', async () => {
    const { commit, commits } = recordingCommit();
    let down = true;
    const convert: ConvertPort = async (messages) => {
      if (down) throw new CloudbridgeError('SANDBOX_UNAVAILABLE', 'cannot start a converter sandbox process: spawn EAGAIN');
      return convertOk(messages);
    };
    const p = new IngestPipeline({ integrationId: 'i1', convert, commit, allowCreateDevices: () => true, retry: { initialDelayMs: 1, maxDelayMs: 1 } });
    await assert.rejects(p.deliver([msg(1), msg(2)]), (err: CloudbridgeError) => err.code === 'SANDBOX_UNAVAILABLE' && err.retryable);
    assert.equal(commits.length, 0, 'no dead letters');
    down = false;
    await sleep(5);
    assert.deepEqual(await p.deliver([msg(1), msg(2)]), { stored: 2, deadLettered: 0, duplicates: 0 });
  });

  it('dead-letters a failing message with its stage and error, and still settles the delivery', async () => {
    const { commit, commits } = recordingCommit();
    const p = new IngestPipeline({ integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true });
    const report = await p.deliver([msg(1), msg(2, 'bad'), msg(3)]);
    const { deadLetters, ...counts } = report;
    assert.deepEqual(counts, { stored: 2, deadLettered: 1, duplicates: 0 });
    assert.equal(deadLetters?.length, 1, 'the report names the dead-lettered message');
    assert.deepEqual([deadLetters?.[0]?.index, deadLetters?.[0]?.stage, deadLetters?.[0]?.errorCode], [1, 'convert', 'PAYLOAD_INVALID']);
    const item = commits[0]?.items[1];
    assert.equal(item?.outcome.kind, 'dead-letter');
    if (item?.outcome.kind === 'dead-letter') {
      assert.equal(item.outcome.deadLetter.stage, 'convert');
      assert.equal(item.outcome.deadLetter.errorCode, 'PAYLOAD_INVALID');
      assert.match(item.outcome.deadLetter.error, /Unexpected token/);
    }
  });

  it('reports redelivered messages as duplicates', async () => {
    const { commit } = recordingCommit();
    const p = new IngestPipeline({ integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true });
    await p.deliver([msg(1)]);
    assert.deepEqual(await p.deliver([msg(1)]), { stored: 0, deadLettered: 0, duplicates: 1 });
  });

  it('counts the points a stored message overwrote, and marks debug events with the message they describe', async () => {
    const commits: UplinkCommit[] = [];
    const commit: CommitPort = async (c) => {
      commits.push(c);
      return { results: c.items.map((_, i) => (i === 1 ? { status: 'stored' as const, createdEntities: [], overwritten: 2 } : { status: 'stored' as const, createdEntities: [] })) };
    };
    const p = new IngestPipeline({
      integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true,
      debug: { settings: () => ({ failures: true, allUntil: Number.MAX_SAFE_INTEGER }), take: (n) => n, warnDropped: () => false },
    });
    assert.deepEqual(await p.deliver([msg(1), msg(2), msg(3)]), { stored: 3, deadLettered: 0, duplicates: 0 });
    assert.equal(p.stats().overwritten, 2);
    assert.deepEqual(commits[0]?.events?.map((e) => [e.forItem, e.body.sourceKey]), [[0, 'k1'], [1, 'k2'], [2, 'k3']]);
  });

  it('applies backpressure: deliver waits while the in-flight limit is reached', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { commit } = recordingCommit();
    const slow: CommitPort = async (c) => { await gate; return commit(c); };
    const p = new IngestPipeline({ integrationId: 'i1', convert: convertOk, commit: slow, allowCreateDevices: () => true, limits: { maxInFlightMessages: 10, maxBatchDelayMs: 1 } });
    const first = p.deliver(Array.from({ length: 10 }, (_, i) => msg(i)));
    let secondAccepted = false;
    const second = p.deliver([msg(99)]).then((r) => { secondAccepted = true; return r; });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(p.stats().inFlightMessages, 10);
    assert.equal(secondAccepted, false);
    release();
    assert.equal((await first).stored, 10);
    assert.equal((await second).stored, 1);
  });

  it('close() rejects queued messages and refuses new ones', async () => {
    const { commit } = recordingCommit();
    const p = new IngestPipeline({ integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true, limits: { maxBatchDelayMs: 1000 } });
    const pending = p.deliver([msg(1)]);
    await new Promise((r) => setImmediate(r));
    p.close();
    await assert.rejects(pending, /stopped before the message was committed/);
    await assert.rejects(p.deliver([msg(2)]), (e: CloudbridgeError) => e.code === 'SHUTTING_DOWN');
  });

  it('writes debug events for failures, and for every message while debug-all is on', async () => {
    const { commit, commits } = recordingCommit();
    let allUntil = 0;
    const { debugRateLimiter } = await import('../../src/core/batch-commit.ts');
    const p = new IngestPipeline({
      integrationId: 'i1', convert: convertOk, commit, allowCreateDevices: () => true,
      debug: debugRateLimiter(() => ({ failures: true, allUntil })),
    });
    await p.deliver([msg(1), msg(2, 'bad')]);
    assert.equal(commits[0]?.events?.length, 1);
    assert.equal(commits[0]?.events?.[0]?.body.status, 'ERROR');
    allUntil = Date.now() + 60_000;
    await p.deliver([msg(3), msg(4)]);
    assert.equal(commits[1]?.events?.length, 2);
    assert.equal(commits[1]?.events?.[0]?.body.in, '{"n":3}');
  });
  it('stores the records a connector derived itself without running the converter on that message', async () => {
    const { commit, commits } = recordingCommit();
    const converted: string[] = [];
    const convert: ConvertPort = async (messages) => {
      converted.push(...messages.map((m) => m.sourceKey));
      return convertOk(messages);
    };
    const p = new IngestPipeline({ integrationId: 'i1', convert, commit, allowCreateDevices: () => true, limits: { maxBatchDelayMs: 20 } });
    const status = { kind: 'DEVICE' as const, name: 'pump-1', type: 'pump', attributes: [{ key: 'connected', value: { type: 'bool' as const, value: true } }], telemetry: [] };
    const reports = await Promise.all([p.deliver([msg(1)]), p.deliver([{ ...msg(2), records: [status] }]), p.deliver([msg(3)])]);
    assert.deepEqual(reports.map((r) => r.stored), [1, 1, 1]);
    assert.deepEqual(converted, ['k1', 'k3'], 'only the messages without records reach the converter');
    const items = commits.flatMap((c) => c.items);
    assert.deepEqual(items.map((i) => i.sourceKey), ['k1', 'k2', 'k3'], 'committed in delivery order');
    assert.deepEqual(items[1]?.outcome, { kind: 'records', records: [status] });
    const alone = await p.deliver([{ ...msg(4), records: [status] }]);
    assert.equal(alone.stored, 1);
    assert.deepEqual(converted, ['k1', 'k3'], 'a batch of derived records alone never calls the converter');
  });
});
