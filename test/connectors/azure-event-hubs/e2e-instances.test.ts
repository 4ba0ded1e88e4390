/**
 * Two Cloudbridge processes with one integration on one PostgreSQL database reading a 4-partition
 * hub of the Azure double while events keep arriving: the SDK's load balancer over the shared
 * leases splits the partitions 2/2; after a kill -9 of one, the other owns all four once the dead
 * one's ownership expires and stores from them (the takeover time is printed, not asserted);
 * overall every event is stored exactly once.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { killAndTakeOver, partitionsReadBy } from '../../e2e/takeover.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { assertEachOnce, eventHubsIntegrationYaml, keepPublishing, storedSeqs } from './e2e-fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OWNERSHIP_SECONDS = 6;

interface Status { counters: { stored: number } }

describe('azure-event-hubs: two instances on one PostgreSQL database', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  let azure: AzureDouble;
  let schema: string;
  let url: string;
  const dirs: string[] = [];
  const children: ChildApp[] = [];
  before(async () => { azure = await startAzureDouble({ eventHubs: { hubs: [{ name: 'pair', partitions: 4, consumerGroups: ['cg1'] }] } }); });
  after(async () => {
    await azure.stop();
    await admin.end();
  });
  beforeEach(async () => {
    schema = `cb_eh_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });
  let publishing: ReturnType<typeof keepPublishing> | null = null;
  afterEach(async () => {
    // A failed test must not leave the publisher filling the double's memory.
    await publishing?.stop();
    publishing = null;
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function spawn(config: Record<string, unknown>): Promise<ChildApp> {
    const dir = mkdtempSync(join(tmpdir(), 'cb-eh-pg-'));
    dirs.push(dir);
    const child = await spawnCloudbridge(dir, config);
    children.push(child);
    return child;
  }
  const status = (c: ChildApp): Promise<Status> => c.api.get<Status>('/integrations/hub/status');
  const readHere = (c: ChildApp): ReturnType<typeof partitionsReadBy> => partitionsReadBy(c, 'hub');

  it('split the partitions 2/2; kill -9 one: the other takes its partitions over and stores from them; exactly once', async (t) => {
    const config = { ...(parse(eventHubsIntegrationYaml(azure, 'pair', { ownershipExpirationSeconds: OWNERSHIP_SECONDS })) as Record<string, unknown>), store: { postgres: { url } } };
    publishing = keepPublishing(azure, 'pair');
    const a = await spawn(config);
    const b = await spawn(config);
    await waitFor(async () => (await readHere(a)).length === 2 && (await readHere(b)).length === 2, 'a 2/2 split of the 4 partitions', 60_000, 100);
    await waitFor(async () => (await status(a)).counters.stored > 500 && (await status(b)).counters.stored > 500, 'both store', 30_000, 100);
    const takeover = await killAndTakeOver(a, b, { integration: 'hub', partitions: 4, timeoutMs: 60_000 });
    t.diagnostic(`takeover after kill -9: b owned all 4 partitions after ${takeover.ownedAllMs} ms and stored from partitions ${takeover.moved.join(', ')} after ${takeover.storingMs} ms (ownershipExpirationSeconds ${OWNERSHIP_SECONDS}, balancing cycle ${OWNERSHIP_SECONDS * 1000 / 6} ms)`);
    const published = await publishing.stop();
    publishing = null;
    const store = { postgres: { url } };
    await waitFor(async () => (await storedSeqs(store)).length >= published, `all ${published} stored`, 90_000, 500);
    await new Promise((r) => setTimeout(r, 1500));
    assertEachOnce(await storedSeqs(store), published);
  });
});
