/**
 * MQTT ingest benchmark: N QoS 1 JSON messages (~200 B) through a local Mosquitto.
 *  1. drain rate of a preloaded persistent session: a plain mqtt.js subscriber (PUBACK on receipt)
 *     vs Cloudbridge (`mqtt` integration, JS converter in the sandbox, SQLite synchronous=FULL,
 *     PUBACK only after commit), same broker, same message shape;
 *  2. live end-to-end latency (publish → committed) at a fixed rate;
 *  3. peak RSS of this process (Cloudbridge + publisher + raw subscriber).
 * The broker is a Mosquitto this bench starts (max_queued_messages unlimited, so nothing is
 * dropped while the session is preloaded; the machine's default config drops after 1000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startApp } from '../src/app/app.ts';
import { parseConfigText } from '../src/app/config-file.ts';
import { startMosquitto, type MosquittoBroker } from '../test/peers/mosquitto.ts';

const DECODER = `var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: 'thermostat',
  attributes: { model: d.model },
  telemetry: { ts: d.ts, values: { temperature: d.temperature, humidity: d.humidity, seq: d.seq } } };`;

function payload(i: number, ts: number): string {
  return JSON.stringify({
    device: `sensor-${i % 100}`, seq: i, ts, model: 'TH-1000 rev B', firmware: '1.2.3-build.4567',
    temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50), battery: 97, location: 'Building 7, floor 3, room 12',
  });
}

async function preload(broker: MosquittoBroker, topic: string, n: number): Promise<void> {
  const pub = await mqtt.connectAsync(broker.url, { clientId: `bench-pub-${topic}` });
  const window = 2000;
  let batch: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    batch.push(pub.publishAsync(`${topic}/${i % 100}`, payload(i, 1_700_000_000_000 + i), { qos: 1 }));
    if (batch.length >= window) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await pub.endAsync();
}

async function rawDrain(broker: MosquittoBroker, n: number): Promise<number> {
  const opts = { clientId: 'bench-raw', clean: false } as const;
  const first = await mqtt.connectAsync(broker.url, opts);
  await first.subscribeAsync('bench/raw/#', { qos: 1 });
  await first.endAsync();
  await preload(broker, 'bench/raw', n);
  let count = 0;
  const start = performance.now();
  const done = new Promise<number>((resolve) => {
    const client = mqtt.connect(broker.url, opts);
    client.on('message', () => {
      if (++count === n) {
        const ms = performance.now() - start;
        client.end(() => resolve(ms));
      }
    });
  });
  const ms = await done;
  return (n / ms) * 1000;
}

interface CbResult { rate: number; p50: number; p99: number; liveRate: number }

async function cloudbridge(broker: MosquittoBroker, n: number, live: number, liveRate: number): Promise<CbResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'));
  let committed = 0;
  let onTarget: (() => void) | null = null;
  let target = Infinity;
  const latencies: number[] = [];
  let measureLatency = false;
  const yaml = `
converters: [{ name: dec, type: uplink, script: ${JSON.stringify(DECODER)} }]
integrations:
  - name: bench
    type: mqtt
    uplinkConverter: dec
    config: { host: 127.0.0.1, port: ${broker.port}, clientId: bench-cb, cleanSession: false, maxInFlight: 4000, topicFilters: [{ filter: "bench/cb/#", qos: 1 }] }
`;
  const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: 'bench-token', CLOUDBRIDGE_MASTER_KEY: 'bench' };
  const config = parseConfigText(yaml, env);
  config.store.sqlite = { path: join(dir, 'cb.db'), ...(process.env.BENCH_SYNC ? { synchronous: process.env.BENCH_SYNC as 'NORMAL' } : {}) };
  config.logging.level = 'warn';
  const app = await startApp({
    config, env, listen: false, logWrite: () => undefined,
    onCommitted: (_i, messages, at) => {
      committed += messages.length;
      if (measureLatency) {
        for (const m of messages) {
          const ts = (JSON.parse(Buffer.from(m.payload).toString()) as { ts: number }).ts;
          latencies.push(at - ts);
        }
      }
      if (committed >= target && onTarget) onTarget();
    },
  });
  try {
    await app.configService.setEnabled('bench', false);
    await preload(broker, 'bench/cb', n);
    const reached = (t: number): Promise<void> => new Promise((resolve) => {
      target = t;
      onTarget = () => { onTarget = null; resolve(); };
      if (committed >= t) resolve();
    });
    const start = performance.now();
    const drained = reached(n);
    await app.configService.setEnabled('bench', true);
    await drained;
    const rate = (n / (performance.now() - start)) * 1000;

    measureLatency = true;
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-live-pub' });
    const liveDone = reached(n + live);
    const perTickMs = 10;
    const perTick = Math.max(1, Math.round((liveRate * perTickMs) / 1000));
    const liveStart = performance.now();
    for (let sent = 0; sent < live;) {
      const tickStart = performance.now();
      for (let k = 0; k < perTick && sent < live; k++, sent++) pub.publish(`bench/cb/${sent % 100}`, payload(n + sent, Date.now()), { qos: 1 });
      const wait = perTickMs - (performance.now() - tickStart);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await liveDone;
    const achieved = (live / (performance.now() - liveStart)) * 1000;
    await pub.endAsync();
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    const stored = await app.store.countTelemetry();
    if (stored !== (n + live) * 3) throw new Error(`expected ${(n + live) * 3} telemetry points, found ${stored}`);
    return { rate, p50: pct(0.5), p99: pct(0.99), liveRate: achieved };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchMqtt(args: { n: number; live: number; liveRate: number }): Promise<void> {
  const broker = await startMosquitto({ persistence: false, maxInflightMessages: 4000 });
  try {
    console.log(`mqtt bench: ${args.n} preloaded QoS 1 messages of ~${payload(0, Date.now()).length} B via Mosquitto on ${broker.url}`);
    const raw = await rawDrain(broker, args.n);
    console.log(`  plain mqtt.js subscriber (PUBACK on receipt, no processing):  ${raw.toFixed(0)} msg/s`);
    const cb = await cloudbridge(broker, args.n, args.live, args.liveRate);
    console.log(`  Cloudbridge (JS converter + SQLite FULL, PUBACK after commit):  ${cb.rate.toFixed(0)} msg/s`);
    console.log(`  ratio Cloudbridge / plain subscriber: ${(cb.rate / raw).toFixed(2)}`);
    console.log(`  live end-to-end latency (publish → committed) at ${cb.liveRate.toFixed(0)} msg/s over ${args.live} messages: p50 ${cb.p50.toFixed(1)} ms, p99 ${cb.p99.toFixed(1)} ms`);
    console.log(`  peak RSS of the bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await broker.dispose();
  }
}
