/**
 * Does one integration's converter hold up another's? A healthy `mqtt` integration takes a live
 * stream at a fixed rate through a local Mosquitto, first alone, then while a second integration's
 * converter loops to its time limit (1000 ms) on every message it gets. Printed per run: the
 * healthy integration's achieved rate and its publish → committed latency (p50, p99, max).
 */
import mqtt from 'mqtt';
import type { UplinkMessage } from '../src/core/model.ts';
import { startMosquitto, type MosquittoBroker } from '../test/peers/mosquitto.ts';
import { BENCH_DECODER, CommitCounter, benchPayload, expectTelemetry, sandboxPeakRss, withBenchApp } from './common.ts';

interface RunResult { rate: number; p50: number; p99: number; max: number; loopingReceived: number }

function yaml(port: number, withLooper: boolean): string {
  return `
converters:
  - { name: dec, type: uplink, script: ${JSON.stringify(BENCH_DECODER)} }
  - { name: looper, type: uplink, limits: { timeoutMs: 1000 }, script: "for (;;) {}" }
integrations:
  - name: healthy
    type: mqtt
    uplinkConverter: dec
    config: { host: 127.0.0.1, port: ${port}, clientId: bench-healthy, cleanSession: true, topicFilters: [{ filter: "iso/healthy/#", qos: 1 }] }
  - name: looping
    type: mqtt
    enabled: ${withLooper}
    uplinkConverter: looper
    config: { host: 127.0.0.1, port: ${port}, clientId: bench-looping, cleanSession: true, topicFilters: [{ filter: "iso/looping/#", qos: 1 }] }
`;
}

async function run(broker: MosquittoBroker, n: number, ratePerSecond: number, withLooper: boolean): Promise<RunResult> {
  const counter = new CommitCounter();
  const latencies: number[] = [];
  const observe = (messages: UplinkMessage[], at: number): void => {
    for (const m of messages) {
      if (!m.metadata.topic?.startsWith('iso/healthy/')) continue;
      latencies.push(at - (JSON.parse(Buffer.from(m.payload).toString()) as { ts: number }).ts);
      counter.add([m]);
    }
  };
  return withBenchApp(yaml(broker.port, withLooper), observe, async (app) => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-iso-pub' });
    const done = counter.reached(n);
    const perTickMs = 10;
    const perTick = Math.max(1, Math.round((ratePerSecond * perTickMs) / 1000));
    const start = performance.now();
    for (let sent = 0; sent < n;) {
      const tickStart = performance.now();
      for (let k = 0; k < perTick && sent < n; k++, sent++) {
        pub.publish(`iso/healthy/${sent % 100}`, benchPayload(sent, Date.now()), { qos: 1 });
        // The looping integration gets a message every 20 ms: its converter is never idle.
        if (withLooper && sent % Math.max(1, Math.round(ratePerSecond / 50)) === 0) pub.publish('iso/looping/x', benchPayload(sent, Date.now()), { qos: 1 });
      }
      const wait = perTickMs - (performance.now() - tickStart);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await done;
    const rate = (n / (performance.now() - start)) * 1000;
    await pub.endAsync();
    const looping = app.manager.all().find((r) => r.config.name === 'looping');
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    await expectTelemetry(app, n * 3);
    return { rate, p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? NaN, loopingReceived: looping?.status().counters.received ?? 0 };
  });
}

export async function benchConverterIsolation(args: { n: number; rate: number }): Promise<void> {
  const broker = await startMosquitto({ persistence: false });
  try {
    console.log(`converter isolation bench: a healthy integration at ${args.rate} msg/s for ${args.n} messages (Mosquitto on ${broker.url})`);
    const show = (r: RunResult): string =>
      `${r.rate.toFixed(0)} msg/s, latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms`;
    const alone = await run(broker, args.n, args.rate, false);
    console.log(`  alone:                                              ${show(alone)}`);
    const beside = await run(broker, args.n, args.rate, true);
    console.log(`  beside a converter looping to its 1000 ms limit:    ${show(beside)} (the looping integration received ${beside.loopingReceived})`);
    console.log(`  ratio of rates beside / alone: ${(beside.rate / alone.rate).toFixed(2)}; p99 latency beside / alone: ${(beside.p99 / alone.p99).toFixed(1)}`);
    const sandbox = sandboxPeakRss();
    if (sandbox) console.log(`  peak RSS: bench process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; sandbox processes ${sandbox}`);
  } finally {
    await broker.dispose();
  }
}
