/**
 * Cloudbridge on PostgreSQL (store.postgres in the config file): the same end-to-end path as on
 * SQLite, and two instances sharing the database and the master key see the same data.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp } from '../../src/app/app.ts';
import { parseConfigText } from '../../src/app/config-file.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { apiClient, TEST_MASTER_KEY, TEST_TOKEN, waitFor } from './harness.ts';
import { TB_DECODER, mqttIntegrationYaml, publishSeq } from './fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('Cloudbridge on PostgreSQL', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  const schema = `cb_e2e_${randomBytes(4).toString('hex')}`;
  let broker: MosquittoBroker;
  let dir: string;
  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'cb-pg-'));
  });
  after(async () => {
    await broker.dispose();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores 2000 messages exactly once and serves them to a second instance', async () => {
    const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };
    const yaml = `store: { postgres: { url: "${url}" } }\nserver: { port: 0, host: 127.0.0.1 }\nlogging: { level: warn }\n${mqttIntegrationYaml({ port: broker.port, clientId: 'cb-pg', filter: 'pg/+/data', decoder: TB_DECODER })}`;
    const first = await startApp({ config: parseConfigText(yaml, env), env, logWrite: () => undefined });
    try {
      const pub = await publishSeq(broker.url, (i) => `pg/thermo-${i % 10}/data`, 0, 2000, { window: 200 });
      await pub.endAsync();
      await waitFor(async () => (await first.store.countTelemetry()) >= 4000, '2000 messages × 2 points');
      assert.equal(await first.store.countTelemetry(), 4000);
    } finally {
      await first.close();
    }
    const viewerYaml = `store: { postgres: { url: "${url}" } }\nserver: { port: 0, host: 127.0.0.1 }\nlogging: { level: warn }\n`;
    const second = await startApp({ config: parseConfigText(viewerYaml, env), env, logWrite: () => undefined });
    try {
      const api = apiClient(`${second.url}/api/v1`);
      const devices = await api.get<{ total: number }>('/devices');
      assert.equal(devices.total, 10);
      const series = await api.get<Record<string, unknown[]>>('/devices/thermo-3/telemetry?keys=seq&limit=1000');
      assert.equal(series.seq?.length, 200);
      const integ = await api.get<{ config: { clientId: string } }>('/integrations/plant');
      assert.equal(integ.config.clientId, 'cb-pg', 'the second instance decrypts and shows the shared config');
      const audit = await api.get<Array<{ source: string; action: string; entityKind: string; entityName: string }>>('/audit?source=config-file');
      assert.deepEqual(audit.filter((e) => e.entityKind !== 'token').map((e) => [e.action, e.entityKind, e.entityName]),
        [['create', 'integration', 'plant'], ['create', 'converter', 'decoder']], 'the first instance\'s start is in the shared audit log');
    } finally {
      await second.close();
    }
  });
});
