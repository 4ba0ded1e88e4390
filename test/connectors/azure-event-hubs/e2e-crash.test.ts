/**
 * Cloudbridge as a child process on SQLite reading a 4-partition hub of the Azure double: 20,000
 * events exactly once through a kill -9 mid-stream and a restart. The checkpoint is committed with
 * the data, so the restarted instance (a new owner id) resumes right after what is stored once the
 * dead instance's ownership expires.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { assertEachOnce, eventHubsIntegrationYaml, publishSeqs, storedSeqs } from './e2e-fixtures.ts';

interface Status { counters: { stored: number } }
const TOTAL = 20_000;

describe('azure-event-hubs crash recovery', () => {
  let azure: AzureDouble;
  let dir: string;
  const children: ChildApp[] = [];
  beforeEach(async () => {
    azure = await startAzureDouble({ eventHubs: { hubs: [{ name: 'crash', partitions: 4, consumerGroups: ['cg1'] }] } });
    dir = mkdtempSync(join(tmpdir(), 'cb-eh-crash-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await azure.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('20,000 events on 4 partitions, kill -9 mid-stream, restart: every event stored exactly once', async () => {
    const config = parse(eventHubsIntegrationYaml(azure, 'crash', { maxBatchSize: 250, loadBalancing: 'greedy' })) as Record<string, unknown>;
    const store = { sqlite: { path: join(dir, 'cloudbridge.db') } };
    publishSeqs(azure, 'crash', 0, TOTAL / 2);
    let child = await spawnCloudbridge(dir, config);
    children.push(child);
    const publishing = (async () => {
      for (let from = TOTAL / 2; from < TOTAL; from += 500) {
        publishSeqs(azure, 'crash', from, from + 500);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await waitFor(async () => (await child.api.get<Status>('/integrations/hub/status')).counters.stored >= 4000, 'first 4000 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = (await storedSeqs(store)).length;
    assert.ok(before >= 4000 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    children.push(child);
    await publishing;
    await waitFor(async () => (await storedSeqs(store)).length >= TOTAL, `all ${TOTAL} stored`, 120_000, 500);
    await new Promise((r) => setTimeout(r, 1000));
    await child.kill('SIGTERM');
    assertEachOnce(await storedSeqs(store), TOTAL);
  });
});
