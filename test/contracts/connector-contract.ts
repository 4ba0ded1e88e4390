/**
 * The connector contract suite: what every connector promises, checked against its real peer
 * through a small harness (harness.ts). A connector's test file calls `connectorContract(harness)`.
 *
 * - nothing is acknowledged before `deliver` resolves (and what it resolved is acknowledged);
 * - a rejected message comes back with the same source key;
 * - `stop` drains within `drainMs`, acknowledges what settled meanwhile, and nothing after;
 * - `status()`, logs, state reports and warnings hold no secret;
 * - `testConnection` consumes nothing;
 * - a checkpointing source never checkpoints past a rejection (checkpoint-case.ts; partitioned
 *   sources only).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector } from '../../src/core/connector.ts';
import { createTestContext, storeUnavailable, texts, type TestConnectorContext } from '../support/connector-context.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { neverCheckpointsPastARejection } from './checkpoint-case.ts';
import type { ConnectorHarness, ContractPeer, ContractSource } from './harness.ts';

export type ContractCase = (peer: ContractPeer, harness: ConnectorHarness) => Promise<void>;

/** Runs `body` with a fresh source and a started connector on `ctx`; stops and disposes whatever happens. */
async function withRunning(
  source: ContractSource, ctx: TestConnectorContext,
  body: (connector: Connector) => Promise<void>,
): Promise<void> {
  const connector = source.create(ctx);
  await connector.start();
  try {
    await body(connector);
  } finally {
    await connector.stop({ drainMs: 500 });
  }
}

async function fresh(peer: ContractPeer, name: string, body: (source: ContractSource) => Promise<void>): Promise<void> {
  const source = await peer.source(name);
  try {
    await body(source);
  } finally {
    await source.dispose();
  }
}

const payloads = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

/** Starts a connector whose deliveries are held, publishes `n` messages and waits until all are delivered. */
async function holding(source: ContractSource, tag: string, n: number): Promise<{ ctx: TestConnectorContext; connector: Connector }> {
  const ctx = createTestContext({ mode: 'hold' });
  const connector = source.create(ctx);
  await connector.start();
  await source.publish(payloads(tag, n));
  await waitFor(() => ctx.delivered.length >= n, `${n} deliveries`);
  return { ctx, connector };
}

export const CONTRACT_CASES: Record<string, ContractCase> = {
  'acknowledges nothing before deliver resolves': (peer) => fresh(peer, 'held', async (source) => {
    const ctx = createTestContext({ mode: 'hold' });
    await withRunning(source, ctx, async () => {
      await source.publish(payloads('held', 3));
      await waitFor(() => ctx.delivered.length >= 3, 'three deliveries');
      await sleep(300);
    });
    assert.equal(ctx.calls.filter((c) => c.settled === 'resolved').length, 0);
    assert.equal(await source.unacknowledged(), 3, 'all three are still at the source');
  }),

  'acknowledges what deliver resolved': (peer) => fresh(peer, 'acked', async (source) => {
    const ctx = createTestContext();
    await withRunning(source, ctx, async () => {
      await source.publish(payloads('acked', 3));
      await waitFor(() => new Set(texts(ctx.delivered)).size >= 3 && ctx.pending().length === 0, 'three deliveries resolved');
      await sleep(300);
    });
    assert.equal(await source.unacknowledged(), 0);
  }),

  'a rejected message comes back with the same source key': (peer, harness) => fresh(peer, 'again', async (source) => {
    let rejected = false;
    const ctx = createTestContext({
      mode: (batch, call) => {
        const reject = !rejected && texts(batch).includes('again-1');
        if (reject) rejected = true;
        setImmediate(() => (reject ? call.reject(storeUnavailable(100)) : call.resolve()));
      },
    });
    await withRunning(source, ctx, async () => {
      await source.publish(payloads('again', 3));
      const resolvedKeyOf = (text: string): string | undefined => ctx.calls.filter((c) => c.settled === 'resolved')
        .flatMap((c) => c.batch).find((m) => Buffer.from(m.payload).toString() === text)?.sourceKey;
      await waitFor(() => resolvedKeyOf('again-1'), 'the rejected message to come back and be stored', harness.redeliveryTimeoutMs ?? 15_000);
      const rejectedKey = ctx.calls.find((c) => c.settled === 'rejected')?.batch.find((m) => Buffer.from(m.payload).toString() === 'again-1')?.sourceKey;
      assert.ok(rejectedKey);
      assert.equal(resolvedKeyOf('again-1'), rejectedKey, 'same source key, so the store recognises a redelivery');
      await waitFor(() => ['again-0', 'again-2'].every((t) => resolvedKeyOf(t)) && ctx.pending().length === 0, 'the others stored too');
      await sleep(300);
    });
    assert.equal(await source.unacknowledged(), 0, 'everything acknowledged once stored');
  }),

  'stop waits for deliveries in flight within drainMs and acknowledges what settled meanwhile': (peer) => fresh(peer, 'drain', async (source) => {
    const { ctx, connector } = await holding(source, 'drain', 2);
    const drainMs = 10_000;
    const started = Date.now();
    const stopped = connector.stop({ drainMs });
    await sleep(200);
    ctx.settleAll('resolve');
    await stopped;
    assert.ok(Date.now() - started < drainMs, 'returned once everything settled, not at the deadline');
    assert.equal(await source.unacknowledged(), 0, 'what settled during the drain was acknowledged');
  }),

  'stop returns within drainMs when deliveries hang, and acknowledges nothing after': (peer, harness) => fresh(peer, 'hang', async (source) => {
    const { ctx, connector } = await holding(source, 'hang', 3);
    const drainMs = 500;
    const started = Date.now();
    await connector.stop({ drainMs });
    const tookMs = Date.now() - started;
    assert.ok(tookMs < drainMs + (harness.stopAllowanceMs ?? 3000), `stop took ${tookMs} ms`);
    // Worst case for a source that acknowledges by itself: its deliveries resolve after the stop.
    // A checkpointing source's acknowledgement is the commit itself, so for it they are rejected,
    // as the pipeline does when the integration stops.
    ctx.settleAll(harness.checkpoints ? 'reject' : 'resolve');
    await sleep(500);
    assert.equal(await source.unacknowledged(), 3, 'nothing acknowledged after the stop');
  }),

  'status(), logs, state reports and warnings hold no secret': (peer) => fresh(peer, 'secret', async (source) => {
    assert.ok(source.secrets.length > 0, 'the harness names the secrets of its config');
    const lines: string[] = [];
    const ctx = createTestContext({ log: recordingLogger(lines) });
    const seen: string[] = [];
    await withRunning(source, ctx, async (connector) => {
      seen.push(JSON.stringify(connector.status()));
      await source.publish(payloads('secret', 2));
      await waitFor(() => ctx.delivered.length >= 2, 'two deliveries');
      seen.push(JSON.stringify(connector.status()));
    });
    seen.push(JSON.stringify(await source.testConnection(AbortSignal.timeout(20_000))));
    seen.push(...lines, ...ctx.states.map((s) => JSON.stringify({ state: s.state, error: s.error, message: (s.error as Error | undefined)?.message })));
    seen.push(...ctx.warnings.map((w) => JSON.stringify(w)));
    for (const secret of source.secrets) {
      for (const text of seen) assert.ok(!text.includes(secret), `a secret leaks: ${text.slice(0, 300)}`);
    }
  }),

  'testConnection consumes nothing': (peer) => fresh(peer, 'check', async (source) => {
    await withRunning(source, createTestContext(), async () => undefined);
    await source.publish(payloads('check', 3));
    const result = await source.testConnection(AbortSignal.timeout(20_000));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(await source.unacknowledged(), 3, 'the check took nothing away from the integration');
  }),
};

/** Registers the suite for one connector. */
export function connectorContract(harness: ConnectorHarness): void {
  describe(`connector contract: ${harness.type}`, () => {
    let peer: ContractPeer;
    before(async () => { peer = await harness.startPeer(); });
    after(() => peer?.stop());
    for (const [name, run] of Object.entries(CONTRACT_CASES)) it(name, () => run(peer, harness));
    if (harness.checkpoints) {
      it('a checkpointing source never checkpoints past a rejection', () => neverCheckpointsPastARejection(peer, harness));
    }
  });
}
