/**
 * Cloudbridge in child processes reading the IoT Hub double's built-in endpoint (4 partitions):
 * kill -9 mid-stream and a restart on SQLite: every device message stored exactly once; two
 * instances on one PostgreSQL database split the partitions 2/2, and after a kill -9 of one the
 * other takes its partitions over (the takeover time is printed, not asserted), exactly once overall.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { killAndTakeOver, partitionsReadBy } from '../../e2e/takeover.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { assertEachOnce, iotSeqIntegrationYaml, keepSending, SEQ_DEVICES, sendSeqs, storedSeqs } from './e2e-fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OWNERSHIP_SECONDS = 6;
const TOTAL = 12_000;

interface Status { counters: { stored: number } }

describe('azure-iot-hub in child processes', () => {
  let azure: AzureDouble;
  const dirs: string[] = [];
  const children: ChildApp[] = [];
  beforeEach(async () => { azure = await startAzureDouble({ iotHub: { name: 'proc-hub', devices: SEQ_DEVICES, partitions: 4, consumerGroups: ['cloudbridge'] } }); });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await azure.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function spawn(config: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), 'cb-iot-'))): Promise<ChildApp> {
    if (!dirs.includes(dir)) dirs.push(dir);
    // azure-iothub always uses TLS: the child trusts the double's certificate.
    const child = await spawnCloudbridge(dir, config, { NODE_EXTRA_CA_CERTS: azure.certificate.certPath });
    children.push(child);
    return child;
  }
  const status = (c: ChildApp): Promise<Status> => c.api.get<Status>('/integrations/hub/status');
  const readHere = (c: ChildApp): ReturnType<typeof partitionsReadBy> => partitionsReadBy(c, 'hub');

  it(`${TOTAL} device messages, kill -9 mid-stream, restart on SQLite: every one stored exactly once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-iot-crash-'));
    const config = parse(iotSeqIntegrationYaml(azure, { maxBatchSize: 250, loadBalancing: 'greedy' })) as Record<string, unknown>;
    const store = { sqlite: { path: join(dir, 'cloudbridge.db') } };
    sendSeqs(azure, 0, TOTAL / 2);
    let child = await spawn(config, dir);
    const sending = (async () => {
      for (let from = TOTAL / 2; from < TOTAL; from += 500) {
        sendSeqs(azure, from, from + 500);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await waitFor(async () => (await status(child)).counters.stored >= 2000, 'first 2000 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = (await storedSeqs(store)).length;
    assert.ok(before >= 2000 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawn(config, dir);
    await sending;
    await waitFor(async () => (await storedSeqs(store)).length >= TOTAL, `all ${TOTAL} stored`, 120_000, 500);
    await new Promise((r) => setTimeout(r, 1000));
    await child.kill('SIGTERM');
    assertEachOnce(await storedSeqs(store), TOTAL);
  });

  describe('two instances on one PostgreSQL database', () => {
    const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
    let schema: string;
    let url: string;
    before(async () => { await admin.query('SELECT 1'); });
    after(() => admin.end());
    beforeEach(async () => {
      schema = `cb_iot_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    });
    afterEach(async () => {
      for (const child of children.splice(0)) await child.kill('SIGKILL');
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    it('split the partitions 2/2; kill -9 one: the other takes them over and stores from them; exactly once', async (t) => {
      const config = { ...(parse(iotSeqIntegrationYaml(azure, { ownershipExpirationSeconds: OWNERSHIP_SECONDS })) as Record<string, unknown>), store: { postgres: { url } } };
      const sending = keepSending(azure);
      const a = await spawn(config);
      const b = await spawn(config);
      await waitFor(async () => (await readHere(a)).length === 2 && (await readHere(b)).length === 2, 'a 2/2 split of the 4 partitions', 60_000, 100);
      await waitFor(async () => (await status(a)).counters.stored > 200 && (await status(b)).counters.stored > 200, 'both store', 30_000, 100);
      const takeover = await killAndTakeOver(a, b, { integration: 'hub', partitions: 4, timeoutMs: 60_000 });
      t.diagnostic(`takeover after kill -9: b owned all 4 partitions after ${takeover.ownedAllMs} ms and stored from partitions ${takeover.moved.join(', ')} after ${takeover.storingMs} ms (ownershipExpirationSeconds ${OWNERSHIP_SECONDS})`);
      const sent = await sending.stop();
      const store = { postgres: { url } };
      await waitFor(async () => (await storedSeqs(store)).length >= sent, `all ${sent} stored`, 90_000, 500);
      await new Promise((r) => setTimeout(r, 1500));
      assertEachOnce(await storedSeqs(store), sent);
    });
  });
});
