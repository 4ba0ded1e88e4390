/**
 * The azure-service-bus source on the Azure double (unmodified @azure/service-bus), with a test
 * connector context standing in for the pipeline: a store stalled longer than the lock duration
 * causes no redelivery (locks renewed), sessions are stored in order, a converter failure is
 * completed or dead-lettered on Service Bus, and the metadata carries what the converter needs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { azureServiceBusConnector } from '../../../src/connectors/azure-service-bus/index.ts';
import type { Connector, DeliveryReport } from '../../../src/core/connector.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { createTestContext, texts } from '../../support/connector-context.ts';
import { sleep, waitFor } from '../../support/wait.ts';
import { sbConfig } from './fixtures.ts';

let double: AzureDouble;
before(async () => {
  double = await startAzureDouble({
    serviceBus: {
      queues: [
        { name: 'stall', lockDurationMs: 2500 },
        { name: 'meta', lockDurationMs: 30_000 },
        { name: 'ordered', lockDurationMs: 30_000, requiresSession: true },
        { name: 'conv-keep', lockDurationMs: 30_000 },
        { name: 'conv-dlq', lockDurationMs: 30_000 },
      ],
    },
  });
});
after(() => double.stop());

async function stopped(c: Connector): Promise<void> {
  await c.stop({ drainMs: 2000 });
}

describe('azure-service-bus source (Azure double)', () => {
  it('a store stalled for three lock durations causes no redelivery: the locks are renewed', async () => {
    double.hooks.serviceBus.send('stall', ['s-1', 's-2', 's-3'].map((body) => ({ body })));
    const ctx = createTestContext({ mode: 'hold' });
    const c = azureServiceBusConnector.create(sbConfig(double, { queueName: 'stall' }), ctx);
    await c.start();
    try {
      await waitFor(() => ctx.delivered.length === 3, 'three deliveries');
      await sleep(7500);
      assert.equal(ctx.delivered.length, 3, 'nothing was delivered twice');
      assert.ok(double.hooks.serviceBus.messages('stall').every((m) => m.attempts === 1), 'each locked once, never released');
      assert.ok(Number(c.status().lockRenewals) >= 9, `renewed repeatedly (${String(c.status().lockRenewals)})`);
      ctx.settleAll('resolve');
      await waitFor(() => double.hooks.serviceBus.messages('stall').length === 0, 'all completed');
      // The double drops a message on the disposition; the source counts it when the outcome comes back.
      await waitFor(() => c.status().completed === 3, 'three completions counted');
      assert.equal(c.status().lockLost, 0);
    } finally {
      await stopped(c);
    }
  });

  it('passes every application property and the system properties as metadata, the message id as dedupe key', async () => {
    double.hooks.serviceBus.send('meta', [{ body: { t: 21 }, messageId: 'm-1', correlationId: 'corr', contentType: 'application/json', properties: { site: 'north', n: 7 } }]);
    const ctx = createTestContext();
    const c = azureServiceBusConnector.create(sbConfig(double, { queueName: 'meta' }), ctx);
    await c.start();
    try {
      await waitFor(() => ctx.delivered.length === 1, 'the delivery');
      const [m] = ctx.delivered;
      assert.equal(m?.sourceKey, 'm-1');
      assert.equal(Buffer.from(m?.payload ?? []).toString(), '{"t":21}');
      assert.deepEqual({ ...m?.metadata, enqueuedTime: undefined }, {
        site: 'north', n: '7', messageId: 'm-1', sequenceNumber: '1', deliveryCount: '0', correlationId: 'corr', contentType: 'application/json', enqueuedTime: undefined,
      });
      assert.equal(m?.sourceTimestamp, Date.parse(m?.metadata.enqueuedTime ?? ''));
    } finally {
      await stopped(c);
    }
  });

  it('stores each session in order, several sessions in parallel', async () => {
    const sessions = ['A', 'B', 'C'];
    for (let i = 0; i < 30; i++) for (const s of sessions) double.hooks.serviceBus.send('ordered', [{ body: `${s}-${i}`, sessionId: s }]);
    const ctx = createTestContext({ mode: (_batch, call) => setTimeout(() => call.resolve(), Math.random() * 5) });
    const c = azureServiceBusConnector.create(sbConfig(double, { queueName: 'ordered', prefetchCount: 7, maxConcurrentSessions: 3 }), ctx);
    await c.start();
    try {
      await waitFor(() => double.hooks.serviceBus.messages('ordered').length === 0, 'all 90 completed', 30_000);
      assert.equal(c.status().mode, 'sessions');
      for (const s of sessions) {
        const seen = texts(ctx.delivered).filter((t) => t.startsWith(`${s}-`));
        assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => `${s}-${i}`), `session ${s} in order, once`);
      }
    } finally {
      await stopped(c);
    }
  });

  for (const dlq of [false, true]) {
    it(`a converter failure is ${dlq ? 'dead-lettered on Service Bus with the reason' : 'completed (dead-lettered in Cloudbridge only)'}`, async () => {
      const queue = dlq ? 'conv-dlq' : 'conv-keep';
      double.hooks.serviceBus.send(queue, [{ body: 'good' }, { body: 'bad' }]);
      const ctx = createTestContext({
        mode: (batch, call) => setImmediate(() => {
          const i = texts(batch).indexOf('bad');
          const report: DeliveryReport = { stored: batch.length - (i < 0 ? 0 : 1), deadLettered: i < 0 ? 0 : 1, duplicates: 0 };
          if (i >= 0) report.deadLetters = [{ index: i, stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'bad reading' }];
          call.resolve(report);
        }),
      });
      const c = azureServiceBusConnector.create(sbConfig(double, { queueName: queue, deadLetterOnConverterFailure: dlq }), ctx);
      await c.start();
      try {
        // The double drops a message when it settles it, the connector counts it when the settlement is confirmed.
        const settled = (): number => Number(c.status().completed) + Number(c.status().deadLetteredOnServiceBus);
        await waitFor(() => double.hooks.serviceBus.messages(queue).length === 0 && settled() === 2, 'both settled');
        const dead = double.hooks.serviceBus.messages(`${queue}/$DeadLetterQueue`);
        if (dlq) {
          assert.deepEqual(dead.map((m) => [m.body, m.properties?.['DeadLetterReason'], m.properties?.['DeadLetterErrorDescription']]), [['bad', 'CONVERTER_RUNTIME', 'convert: bad reading']]);
          assert.deepEqual([c.status().completed, c.status().deadLetteredOnServiceBus], [1, 1]);
        } else {
          assert.deepEqual(dead, []);
          assert.deepEqual([c.status().completed, c.status().deadLetteredOnServiceBus], [2, 0]);
        }
      } finally {
        await stopped(c);
      }
    });
  }
});
