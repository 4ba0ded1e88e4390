/**
 * Per-device order across a store failure, MQTT through the real pipeline: the commit holding
 * one message fails once (commits are slow, so later messages wait behind it); nothing published
 * after it commits before the broker redelivers it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { IngestPipeline } from '../../../src/core/pipeline.ts';
import type { CommitPort } from '../../../src/core/ports.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { sleep, waitFor } from '../../support/wait.ts';
import { createConnector, publishAll, testClient } from './mqtt-test-client.ts';

const COUNT = 40;
const FAILING = 'd1-12';

describe('mqtt connector: per-device order across a store failure', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(() => broker.dispose());

  for (const protocolVersion of [4, 5] as const) {
    it(`a message after a failed one never commits before the failed one is redelivered (MQTT ${protocolVersion === 4 ? '3.1.1' : '5'})`, async () => {
      const committed: string[] = [];
      let failed = false;
      const commit: CommitPort = async (c) => {
        await sleep(30);
        const payloads = c.items.map((i) => Buffer.from(i.payload).toString());
        if (!failed && payloads.includes(FAILING)) {
          failed = true;
          throw new CloudbridgeError('STORE_UNAVAILABLE', 'database is locked');
        }
        committed.push(...payloads);
        return { results: c.items.map(() => ({ status: 'stored' as const, createdEntities: [] })) };
      };
      const pipeline = new IngestPipeline({
        integrationId: 'order', commit, allowCreateDevices: () => true,
        convert: async (messages) => messages.map(() => ({ ok: true as const, raw: null, records: [] })),
        retry: { initialDelayMs: 200, maxDelayMs: 200 }, limits: { maxBatchMessages: 5 },
      });
      const ctx = createTestContext();
      ctx.deliver = (batch, signal, options) => pipeline.deliver(batch, signal, options);
      const { source } = createConnector(broker, { protocolVersion, topicFilters: [{ filter: `order${protocolVersion}/#`, qos: 1 }] }, ctx);
      await source.start();
      const pub = await testClient(broker);
      try {
        await publishAll(pub, `order${protocolVersion}/d1`, Array.from({ length: COUNT }, (_, i) => `d1-${i}`));
        await waitFor(() => new Set(committed).size === COUNT, `all ${COUNT} committed`, 20_000);
        assert.ok(failed, 'the commit failed once');
        const firstCommit = Array.from({ length: COUNT }, (_, i) => committed.indexOf(`d1-${i}`));
        firstCommit.forEach((at, i) => {
          if (i > 0) assert.ok(at > (firstCommit[i - 1] ?? -1), `d1-${i} committed before d1-${i - 1}: ${committed.join(' ')}`);
        });
      } finally {
        await pub.endAsync();
        await source.stop({ drainMs: 1000 });
        pipeline.close();
      }
    });
  }
});
