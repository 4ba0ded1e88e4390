/**
 * MQTT ingest benchmark, one Mosquitto started here (window raised to 4000 un-acknowledged
 * messages, queue unlimited so that nothing is dropped while a session is preloaded), QoS 1
 * bench messages (~212 B), every consumer in its own process:
 *  1. drain of n preloaded messages: the plain subscriber (PUBACK on receipt, nothing else), the
 *     hand-written reference pipeline (bench/reference-pipeline.ts) and Cloudbridge
 *     (`cloudbridge start`, `mqtt` integration, sandboxed converter, SQLite FULL, PUBACK after
 *     commit), with CPU per message and peak RSS of the reference and of Cloudbridge;
 *  2. live: `live` more published at full speed by a publisher process while the plain subscriber,
 *     then Cloudbridge, consume;
 *  3. latency publish → committed at a paced rate, reference and Cloudbridge (in this process,
 *     see mqtt-cloudbridge.ts).
 * Returns the rows of the report; asserts nothing about speed.
 */
import { startMosquitto } from '../test/peers/mosquitto.ts';
import { benchPayload } from './messages.ts';
import { BROKER_WINDOW, cloudbridgeDrainAndLive, cloudbridgeLatencies } from './mqtt-cloudbridge.ts';
import { consumerDrain, consumerLive } from './mqtt-consumers.ts';
import { formatValue, type BenchRow } from './report.ts';
import { percentile } from './stats.ts';

export interface MqttBenchArgs {
  /** Preloaded messages drained (issue 9: 200k). */
  n: number;
  /** Messages published at full speed for the live rates. */
  live: number;
  /** Messages published at `rate` for the latencies. */
  paced: number;
  rate: number;
}

const k = (x: number): string => formatValue(x, 'msg/s');

/** Mean size of messages 0..n-1. */
function meanPayloadBytes(n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += benchPayload(i, 1_700_000_000_000 + i).length;
  return bytes / n;
}

export async function benchMqtt(args: MqttBenchArgs): Promise<BenchRow[]> {
  const broker = await startMosquitto({ persistence: false, maxInflightMessages: BROKER_WINDOW });
  try {
    console.log(`mqtt: ${args.n} preloaded QoS 1 messages of ${meanPayloadBytes(args.n).toFixed(0)} B on average, Mosquitto on ${broker.url} (window ${BROKER_WINDOW})`);
    const raw = await consumerDrain(broker, 'raw', args.n);
    const rawRate = (args.n / raw.ms) * 1000;
    console.log(`  plain subscriber drain:        ${k(rawRate)}`);
    const ref = await consumerDrain(broker, 'reference', args.n);
    const refRate = (args.n / ref.ms) * 1000;
    const refCpu = (ref.cpuMs * 1000) / args.n;
    console.log(`  reference pipeline drain:      ${k(refRate)}, ${refCpu.toFixed(1)} µs CPU/msg, peak RSS ${ref.peakRssMb.toFixed(0)} MB`);
    const cb = await cloudbridgeDrainAndLive(broker, args.n, args.live);
    const sandboxes = cb.sandboxesPeakRssMb.map((mb) => `${mb.toFixed(0)} MB`).join(' + ');
    console.log(`  Cloudbridge drain:             ${k(cb.rate)}, ${cb.cpuUsPerMessage.toFixed(1)} µs CPU/msg (main process ${cb.mainCpuUsPerMessage.toFixed(1)}, sandboxes ${(cb.cpuUsPerMessage - cb.mainCpuUsPerMessage).toFixed(1)}), peak RSS ${cb.peakRssMb.toFixed(0)} MB (sandboxes ${sandboxes})`);
    console.log(`  Cloudbridge live (${args.live}):   ${k(cb.liveRate)}`);
    const rawLive = await consumerLive(broker, 'raw', 'live', { n: args.live, rate: 0, ts: 'index' });
    console.log(`  plain subscriber live:         ${k(rawLive.rate)}`);
    const paced = { n: args.paced, rate: args.rate, ts: 'now' } as const;
    const refLatency = (await consumerLive(broker, 'reference', 'paced', paced, true)).done.latenciesMs ?? [];
    refLatency.sort((a, b) => a - b);
    const cbLatency = await cloudbridgeLatencies(broker, paced);
    const pct = (l: number[]): string => `p50 ${percentile(l, 0.5)} ms, p99 ${percentile(l, 0.99)} ms`;
    console.log(`  latency at ${args.rate} msg/s over ${args.paced}: reference ${pct(refLatency)}; Cloudbridge ${pct(cbLatency)}`);

    const reference = (value: number): BenchRow['baseline'] => ({ name: 'reference', value });
    const totalSandboxMb = cb.sandboxesPeakRssMb.reduce((a, b) => a + b, 0);
    return [
      { id: 'mqtt.reference.drain', measure: `reference pipeline: drain ${args.n} preloaded`, unit: 'msg/s', value: refRate, baseline: { name: 'plain subscriber', value: rawRate } },
      { id: 'mqtt.drain', measure: `mqtt: drain ${args.n} preloaded`, unit: 'msg/s', value: cb.rate, baseline: reference(refRate), target: { of: 'ratio', op: '>=', limit: 0.9 } },
      { id: 'mqtt.live', measure: `mqtt: live, ${args.live} at full publisher speed`, unit: 'msg/s', value: cb.liveRate, baseline: { name: 'plain subscriber', value: rawLive.rate }, target: { of: 'ratio', op: '>=', limit: 0.95 } },
      { id: 'mqtt.latency.p50', measure: `mqtt: p50 publish → committed at ${args.rate} msg/s`, unit: 'ms', value: percentile(cbLatency, 0.5), baseline: reference(percentile(refLatency, 0.5)) },
      { id: 'mqtt.latency.p99', measure: `mqtt: p99 publish → committed at ${args.rate} msg/s`, unit: 'ms', value: percentile(cbLatency, 0.99), baseline: reference(percentile(refLatency, 0.99)), target: { of: 'value', op: '<=', limit: 10 } },
      { id: 'mqtt.cpu', measure: `mqtt: consumer CPU per message, drain (main process ${cb.mainCpuUsPerMessage.toFixed(1)} + sandboxes)`, unit: 'µs/msg', value: cb.cpuUsPerMessage, baseline: reference(refCpu), target: { of: 'value', op: '<=', limit: 25 } },
      { id: 'mqtt.rss', measure: 'mqtt: peak RSS of the consumer process', unit: 'MB', value: cb.peakRssMb, baseline: reference(ref.peakRssMb), target: { of: 'value', op: '<=', limit: 150 } },
      { id: 'mqtt.rss.sandboxes', measure: `mqtt: peak RSS of the sandbox processes (${sandboxes})`, unit: 'MB', value: totalSandboxMb },
    ];
  } finally {
    await broker.dispose();
  }
}
