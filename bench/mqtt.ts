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
import mqtt from 'mqtt';
import type { UplinkMessage } from '../src/core/model.ts';
import { startMosquitto, type MosquittoBroker } from '../test/peers/mosquitto.ts';
import { BENCH_DECODER, CommitCounter, benchPayload, expectTelemetry, preloadMqtt, sandboxPeakRss, withBenchApp } from './common.ts';

async function preload(broker: MosquittoBroker, topic: string, n: number): Promise<void> {
  const pub = await mqtt.connectAsync(broker.url, { clientId: `bench-pub-${topic}` });
  await preloadMqtt(pub, topic, n);
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
  const counter = new CommitCounter();
  const latencies: number[] = [];
  let measureLatency = false;
  const yaml = `
converters: [{ name: dec, type: uplink, script: ${JSON.stringify(BENCH_DECODER)} }]
integrations:
  - name: bench
    type: mqtt
    uplinkConverter: dec
    config: { host: 127.0.0.1, port: ${broker.port}, clientId: bench-cb, cleanSession: false, maxInFlight: 4000, topicFilters: [{ filter: "bench/cb/#", qos: 1 }] }
`;
  const observe = (messages: UplinkMessage[], at: number): void => {
    if (measureLatency) {
      for (const m of messages) {
        const ts = (JSON.parse(Buffer.from(m.payload).toString()) as { ts: number }).ts;
        latencies.push(at - ts);
      }
    }
    counter.add(messages);
  };
  return withBenchApp(yaml, observe, async (app) => {
    await app.configService.setEnabled('bench', false);
    await preload(broker, 'bench/cb', n);
    const start = performance.now();
    const drained = counter.reached(n);
    await app.configService.setEnabled('bench', true);
    await drained;
    const rate = (n / (performance.now() - start)) * 1000;

    measureLatency = true;
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-live-pub' });
    const liveDone = counter.reached(n + live);
    const perTickMs = 10;
    const perTick = Math.max(1, Math.round((liveRate * perTickMs) / 1000));
    const liveStart = performance.now();
    for (let sent = 0; sent < live;) {
      const tickStart = performance.now();
      for (let k = 0; k < perTick && sent < live; k++, sent++) pub.publish(`bench/cb/${sent % 100}`, benchPayload(n + sent, Date.now()), { qos: 1 });
      const wait = perTickMs - (performance.now() - tickStart);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await liveDone;
    const achieved = (live / (performance.now() - liveStart)) * 1000;
    await pub.endAsync();
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    await expectTelemetry(app, (n + live) * 3);
    return { rate, p50: pct(0.5), p99: pct(0.99), liveRate: achieved };
  });
}

export async function benchMqtt(args: { n: number; live: number; liveRate: number }): Promise<void> {
  const broker = await startMosquitto({ persistence: false, maxInflightMessages: 4000 });
  try {
    console.log(`mqtt bench: ${args.n} preloaded QoS 1 messages of ~${benchPayload(0, Date.now()).length} B via Mosquitto on ${broker.url}`);
    const raw = await rawDrain(broker, args.n);
    console.log(`  plain mqtt.js subscriber (PUBACK on receipt, no processing):  ${raw.toFixed(0)} msg/s`);
    const cb = await cloudbridge(broker, args.n, args.live, args.liveRate);
    console.log(`  Cloudbridge (JS converter + SQLite FULL, PUBACK after commit):  ${cb.rate.toFixed(0)} msg/s`);
    console.log(`  ratio Cloudbridge / plain subscriber: ${(cb.rate / raw).toFixed(2)}`);
    console.log(`  live end-to-end latency (publish → committed) at ${cb.liveRate.toFixed(0)} msg/s over ${args.live} messages: p50 ${cb.p50.toFixed(1)} ms, p99 ${cb.p99.toFixed(1)} ms`);
    console.log(`  peak RSS of the bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; of the sandbox processes: ${sandboxPeakRss() ?? 'n/a'}`);
  } finally {
    await broker.dispose();
  }
}
