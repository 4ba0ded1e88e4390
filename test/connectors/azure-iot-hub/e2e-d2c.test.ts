/**
 * azure-iot-hub device-to-cloud end to end in this process (Cloudbridge app on SQLite, the Azure
 * double with a 4-partition built-in endpoint): 10,000 device messages stored exactly once; the
 * double dropping every connection mid-stream (IoT Hub and built-in endpoint): nothing lost,
 * nothing stored twice.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startTestApp, waitFor } from '../../e2e/harness.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { assertEachOnce, iotSeqIntegrationYaml, SEQ_DEVICES, sendSeqs, storedSeqs } from './e2e-fixtures.ts';

interface Status { state: string; counters: { stored: number; duplicates: number }; details?: Record<string, unknown> }

describe('azure-iot-hub device-to-cloud (Azure double)', () => {
  let azure: AzureDouble;
  beforeEach(async () => { azure = await startAzureDouble({ iotHub: { name: 'd2c-hub', devices: SEQ_DEVICES, partitions: 4, consumerGroups: ['cloudbridge'] } }); });
  afterEach(() => azure.stop());

  it('10,000 device messages are stored exactly once, under their devices', async () => {
    sendSeqs(azure, 0, 10_000);
    const t = await startTestApp({ yaml: iotSeqIntegrationYaml(azure, { maxBatchSize: 500 }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/hub/status')).counters.stored >= 10_000, '10k stored', 120_000, 200);
      await new Promise((r) => setTimeout(r, 500));
      assertEachOnce(await storedSeqs({ sqlite: { path: join(t.dir, 'cloudbridge.db') } }), 10_000);
      const status = await t.api.get<Status>('/integrations/hub/status');
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.details?.['partitionCount'], 4);
    } finally {
      await t.close();
    }
  });

  it('the double drops every connection mid-stream: nothing lost, nothing twice', async () => {
    sendSeqs(azure, 0, 3000);
    const t = await startTestApp({ yaml: iotSeqIntegrationYaml(azure, { maxBatchSize: 100, loadBalancing: 'greedy' }) });
    try {
      // Mid-stream: every partition's receiver attached and storing (a link attaching while the
      // connection drops waits for the SDK's 60 s operation timeout, against Azure too).
      await waitFor(async () => {
        const rows = (await t.api.get<Status>('/integrations/hub/status')).details?.['partitions'] as Array<{ committed: number }> | undefined;
        return rows?.length === 4 && rows.every((r) => r.committed > 0);
      }, 'every partition stores', 60_000, 5);
      assert.ok(azure.hooks.faults.dropConnections('all', 'destroy') > 0);
      sendSeqs(azure, 3000, 6000);
      await waitFor(async () => (await t.api.get<Status>('/integrations/hub/status')).counters.stored >= 6000, 'all 6000 stored', 120_000, 200);
      await new Promise((r) => setTimeout(r, 500));
      assertEachOnce(await storedSeqs({ sqlite: { path: join(t.dir, 'cloudbridge.db') } }), 6000);
    } finally {
      await t.close();
    }
  });
});
