/**
 * A poison message never takes Cloudbridge down, is dead-lettered once and never redelivered into
 * a crash loop; one integration's converter never stalls another's. On real Mosquitto, through the
 * API as a user would see it.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mqtt from 'mqtt';
import { parse, stringify } from 'yaml';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { TEST_TOKEN, spawnCloudbridge, startTestApp, stopAllChildren, waitFor, type ApiClient } from './harness.ts';
import { MEMORY_SHAPES } from '../converters/helpers.ts';
import { PER_MESSAGE_DECODER, mqttIntegrationYaml } from './fixtures.ts';

interface DeadLetterPage { total: number; items: Array<{ errorCode: string; error: string; payload: string; stage: string }> }
interface Status { state: string; counters: { received: number; stored: number; deadLettered: number; duplicates: number } }
interface TestResult { error?: { code: string; message: string; stage: string }; records?: unknown[] }

/** Converts `{seq}` to one device per message; a message with `boom` runs `shape` first. */
function poisonDecoder(shape: string): string {
  return `var d = decodeToJson(payload);\nif (d.boom) { ${shape}; }\nreturn { deviceName: 'dev-' + d.seq, telemetry: { seq: d.seq } };`;
}

async function publish(url: string, topic: string, payloads: Array<Record<string, unknown>>): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: `pub-poison-${process.pid}-${Date.now()}` });
  try {
    for (const p of payloads) await client.publishAsync(topic, JSON.stringify(p), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

function deadLetters(api: ApiClient, integration: string): Promise<DeadLetterPage> {
  return api.get<DeadLetterPage>(`/dead-letters?integration=${integration}`);
}

describe('poison messages', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(async () => { await broker.dispose(); });
  afterEach(async () => { await stopAllChildren(); });

  it('the converter test endpoint reports every memory bomb shape; the server stays up', async () => {
    const t = await startTestApp();
    try {
      for (const [name, shape] of Object.entries(MEMORY_SHAPES)) {
        const script = `${shape};\nreturn { deviceName: "x" };`;
        const r = await t.api.post<TestResult>('/converters/test', { type: 'uplink', language: 'javascript', script, payload: '{}', limits: { timeoutMs: 30000 } });
        assert.equal(r.error?.code, 'CONVERTER_MEMORY', `${name}: ${JSON.stringify(r.error)}`);
        assert.equal(r.error?.stage, 'convert');
        assert.equal((await fetch(`${t.url}/health`)).status, 200, `${name}: the server is up`);
      }
      assert.equal((await fetch(`${t.url}/health`)).status, 200);
      const ok = await t.api.post<TestResult>('/converters/test', { type: 'uplink', language: 'javascript', script: 'return { deviceName: "x" };', payload: '{}' });
      assert.equal(ok.records?.length, 1);
    } finally {
      await t.close();
    }
  });

  for (const [name, shape, restarts] of [
    ['a fill of 10^8 elements, refused before it allocates', 'new Array(1e8).fill(0)', false],
    ['a growing Map that makes the engine lose control', 'var m = new Map(); for (var i = 0;; i++) m.set(i, { i: i })', true],
  ] as const) {
    it(`a live integration dead-letters a poison message (${name}) once and the stream behind it continues`, async () => {
      const yaml = mqttIntegrationYaml({ port: broker.port, clientId: `cb-poison-${name.length}`, filter: 'poison/+', decoder: poisonDecoder(shape) })
        .replace('    script: |', '    limits: { timeoutMs: 30000 }\n    script: |');
      const t = await startTestApp({ yaml });
      const sandboxRestarts = async (): Promise<number> => {
        const text = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
        return Number(/^cloudbridge_sandbox_process_restarts_total (\d+)/m.exec(text)?.[1]);
      };
      try {
        const restartsBefore = await sandboxRestarts();
        await publish(broker.url, 'poison/a', Array.from({ length: 40 }, (_, seq) => (seq === 20 ? { seq, boom: true } : { seq })));
        await waitFor(async () => {
          const s = await t.api.get<Status>('/integrations/plant/status');
          return s.counters.stored + s.counters.deadLettered >= 40;
        }, 'all 40 settled', 90_000);
        await new Promise((r) => setTimeout(r, 1000));
        const status = await t.api.get<Status>('/integrations/plant/status');
        assert.equal(status.state, 'RUNNING');
        assert.equal(status.counters.stored, 39);
        assert.equal(status.counters.deadLettered, 1, 'dead-lettered once, not redelivered');
        const dl = await deadLetters(t.api, 'plant');
        assert.equal(dl.total, 1);
        assert.equal(dl.items[0]?.errorCode, 'CONVERTER_MEMORY');
        assert.match(dl.items[0]?.error ?? '', /memory limit of 64 MB/);
        assert.equal((await t.api.get<{ total: number }>('/devices?limit=1')).total, 39);
        // The Map bomb takes its sandbox process down (and the isolation process, when its batch is tried again).
        const replaced = await sandboxRestarts() - restartsBefore;
        assert.ok(restarts ? replaced >= 1 : replaced === 0, `sandbox processes replaced: ${replaced}`);
      } finally {
        await t.close();
      }
    });
  }

  it('a healthy integration stores every message exactly once while another one\'s converter times out on every message', async () => {
    const healthy = parse(mqttIntegrationYaml({ port: broker.port, clientId: 'cb-healthy', filter: 'healthy/+', decoder: PER_MESSAGE_DECODER })) as {
      converters: Array<Record<string, unknown>>; integrations: Array<Record<string, unknown> & { config: Record<string, unknown> }>;
    };
    const base = healthy.integrations[0];
    const loopingConverter = { name: 'looper', type: 'uplink', limits: { timeoutMs: 250 }, script: 'for (;;) {}' };
    const loopingIntegration = { ...base, name: 'looping', uplinkConverter: 'looper', config: { ...base?.config, clientId: 'cb-looping', topicFilters: [{ filter: 'looping/+', qos: 1 }] } };
    const config = { converters: [...healthy.converters, loopingConverter], integrations: [...healthy.integrations, loopingIntegration] };
    const t = await startTestApp({ yaml: stringify(config) });
    try {
      const stuck = publish(broker.url, 'looping/x', Array.from({ length: 40 }, (_, seq) => ({ seq })));
      const client = await mqtt.connectAsync(broker.url, { clientId: `pub-healthy-${process.pid}` });
      const sends: Array<Promise<unknown>> = [];
      for (let seq = 0; seq < 3000; seq++) sends.push(client.publishAsync(`healthy/${seq}`, JSON.stringify({ seq }), { qos: 1 }));
      await Promise.all(sends);
      await client.endAsync();
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored >= 3000, 'the healthy integration stored 3000', 90_000);
      const looper = await t.api.get<Status>('/integrations/looping/status');
      assert.ok(looper.counters.stored === 0, 'the looping converter stored nothing');
      await stuck;
      await waitFor(async () => (await t.api.get<Status>('/integrations/looping/status')).counters.deadLettered >= 40, 'the looping integration dead-lettered its 40', 120_000);
      const devices = await t.api.get<{ total: number }>('/devices?limit=1');
      assert.equal(devices.total, 3000);
      assert.equal(await t.app.store.countTelemetry(), 3000, 'each message of the healthy integration exactly once');
      assert.equal((await deadLetters(t.api, 'plant')).total, 0);
      const codes = new Set((await deadLetters(t.api, 'looping')).items.map((d) => d.errorCode));
      assert.ok([...codes].every((c) => c === 'CONVERTER_TIMEOUT' || c === 'CONVERTER_QUARANTINED'), [...codes].join());
    } finally {
      await t.close();
    }
  });

  it('kill -9 while a poison message is being converted, then restart: it is dead-lettered (CONVERTER_CRASHED), not converted again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-poison-'));
    try {
      const yaml = mqttIntegrationYaml({ port: broker.port, clientId: 'cb-poison-kill', filter: 'kill/+', decoder: poisonDecoder('for (;;) {}') })
        .replace('    script: |', '    limits: { timeoutMs: 60000 }\n    script: |');
      const config = parse(yaml) as Record<string, unknown>;
      let child = await spawnCloudbridge(dir, config);
      await publish(broker.url, 'kill/a', [{ seq: 0 }]);
      await waitFor(async () => (await child.api.get<Status>('/integrations/plant/status')).counters.stored === 1, 'the first message stored', 30_000);
      await publish(broker.url, 'kill/a', [{ seq: 1, boom: true }]);
      const journal = (): unknown[] => {
        const db = new DatabaseSync(join(dir, 'cloudbridge.db'), { readOnly: true });
        try { return db.prepare('SELECT source_keys FROM conversion_journal').all(); } finally { db.close(); }
      };
      await waitFor(() => journal().length === 1, 'the long conversion is in the journal', 30_000);
      await child.kill('SIGKILL');

      child = await spawnCloudbridge(dir, config);
      await waitFor(async () => (await deadLetters(child.api, 'plant')).total === 1, 'the poison message dead-lettered', 30_000);
      await publish(broker.url, 'kill/a', [{ seq: 2 }, { seq: 3 }]);
      await waitFor(async () => (await child.api.get<Status>('/integrations/plant/status')).counters.stored >= 2, 'the stream continues', 30_000);
      const dl = await deadLetters(child.api, 'plant');
      assert.equal(dl.total, 1);
      assert.equal(dl.items[0]?.errorCode, 'CONVERTER_CRASHED');
      assert.match(dl.items[0]?.error ?? '', /Cloudbridge stopped while converting this message/);
      const devices = await child.api.get<{ items: Array<{ name: string }> }>('/devices?limit=10');
      assert.deepEqual(devices.items.map((d) => d.name).sort(), ['dev-0', 'dev-2', 'dev-3']);
      assert.deepEqual(journal(), [], 'nothing left in the journal');
    } finally {
      await stopAllChildren();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
