/**
 * Cloudbridge's `mqtt` integration on the bench broker:
 *  - drain and live in its own process (`cloudbridge start`, default settings except maxInFlight,
 *    raised to the broker's window; BENCH_CB_NODE_OPTIONS becomes its NODE_OPTIONS, e.g. V8 heap
 *    flags), watched through the REST API, CPU and memory from /proc;
 *  - latency in this process (withBenchApp): only there does each commit's time (onCommitted)
 *    reach the bench; the paced publisher runs in its own process.
 */
import type { UplinkMessage } from '../src/core/model.ts';
import type { MosquittoBroker } from '../test/peers/mosquitto.ts';
import { benchConfig, timedDrain, withCloudbridgeProcess } from './cloudbridge-process.ts';
import { CommitCounter, expectTelemetry, withBenchApp } from './common.ts';
import { createSession, preload, startPublisher, type PublishPlan } from './mqtt-consumers.ts';

/** The broker window the bench's Mosquitto is started with; the integration's maxInFlight matches it. */
export const BROKER_WINDOW = 4000;

function mqttConfig(broker: MosquittoBroker, clientId: string, prefix: string): Record<string, unknown> {
  return { host: broker.host, port: broker.port, clientId, cleanSession: false, maxInFlight: BROKER_WINDOW, topicFilters: [{ filter: `${prefix}/#`, qos: 1 }] };
}

export interface CloudbridgeDrain {
  /** msg/s from enabling the integration to the status showing all stored. */
  rate: number;
  /** CPU µs per message of Cloudbridge and its sandbox processes over the drain. */
  cpuUsPerMessage: number;
  /** The part of it spent in the main process. */
  mainCpuUsPerMessage: number;
  /** msg/s with the publisher running: publisher start → the status showing all stored. */
  liveRate: number;
  /** Peak RSS after both runs: the Cloudbridge process, and each sandbox process. */
  peakRssMb: number;
  sandboxesPeakRssMb: number[];
}

/**
 * One Cloudbridge process, its integration disabled; the integration's persistent session is made
 * beforehand (same client id and filter), n messages are preloaded, then the integration is enabled
 * and timed until all are stored (the time includes what enabling costs: the converter's sandbox
 * process starts, the connection); then `live` more are published by a publisher process while it
 * runs. Throws unless the store holds every point once.
 */
export async function cloudbridgeDrainAndLive(broker: MosquittoBroker, n: number, live: number): Promise<CloudbridgeDrain> {
  const prefix = 'bench/cb';
  const nodeOptions = process.env.BENCH_CB_NODE_OPTIONS;
  const config = benchConfig('mqtt', mqttConfig(broker, 'bench-cb', prefix));
  return withCloudbridgeProcess(config, nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}, (n + live) * 3, async (cb) => {
    await createSession(broker, 'bench-cb', prefix);
    await preload(broker, prefix, n);
    const drain = await timedDrain(cb, 'bench', n);
    const publisher = await startPublisher(broker, prefix, { n: live, first: n, rate: 0, ts: 'index' });
    const liveStart = publisher.go();
    const liveEnd = await cb.storedReached('bench', n + live);
    await publisher.finished();
    const rss = cb.peakRss();
    return {
      rate: drain.rate, cpuUsPerMessage: (drain.cpuMs.total * 1000) / n, mainCpuUsPerMessage: (drain.cpuMs.main * 1000) / n,
      liveRate: (live / (liveEnd - liveStart)) * 1000, peakRssMb: rss.mainMb, sandboxesPeakRssMb: rss.sandboxesMb,
    };
  });
}

/** Publish → committed latencies (ms, ascending) of `plan` (paced, ts = send time), Cloudbridge in this process. */
export async function cloudbridgeLatencies(broker: MosquittoBroker, plan: PublishPlan): Promise<number[]> {
  const prefix = 'bench/cb-latency';
  const counter = new CommitCounter();
  const latencies: number[] = [];
  const observe = (messages: UplinkMessage[], at: number): void => {
    for (const m of messages) latencies.push(at - (JSON.parse(Buffer.from(m.payload).toString()) as { ts: number }).ts);
    counter.add(messages);
  };
  const yaml = JSON.stringify(benchConfig('mqtt', mqttConfig(broker, 'bench-cb-latency', prefix), true));
  return withBenchApp(yaml, observe, async (app) => {
    for (let i = 0; app.manager.find('bench')?.status().state !== 'RUNNING'; i++) {
      if (i > 600) throw new Error('the bench integration did not reach RUNNING within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const publisher = await startPublisher(broker, prefix, plan);
    publisher.go();
    await counter.reached(plan.n);
    await publisher.finished();
    await expectTelemetry(app, plan.n * 3);
    return latencies.sort((a, b) => a - b);
  });
}
