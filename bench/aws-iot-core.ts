/**
 * aws-iot-core ingest benchmark: drain rate of a preloaded persistent session over mutual TLS, on
 * the AWS IoT stand-in (Mosquitto with require_certificate, use_identity_as_username and an ACL),
 * for N QoS 1 JSON messages of ~200 B, in the same run:
 *  1. a plain mqtt.js subscriber (MQTT 5, the connector's default; PUBACK on receipt, no processing);
 *  2. Cloudbridge's `aws-iot-core` integration (JS converter in the sandbox, SQLite synchronous=FULL,
 *     PUBACK only after commit), same broker, same identity, same message shape.
 * Prints both rates and their ratio. Never asserts on speed. BENCH_SYNC=NORMAL runs SQLite with
 * synchronous=NORMAL instead of FULL, to see how much of the gap is the store's fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { MqttClient } from 'mqtt';
import { startApp } from '../src/app/app.ts';
import { parseConfigText } from '../src/app/config-file.ts';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../test/peers/aws-iot-broker.ts';

const PUBLISHER = 'bench-device';
const ACL = [`user ${SERVICE_IDENTITY}`, 'topic read bench/#', `user ${PUBLISHER}`, 'topic write bench/#'].join('\n');
const SESSION = { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3600 } } as const;

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

async function preload(iot: AwsIotBroker, prefix: string, n: number): Promise<void> {
  const pub = await iot.connect(PUBLISHER, { clientId: `${PUBLISHER}-${prefix.replace(/\W/g, '-')}` });
  let batch: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    batch.push(pub.publishAsync(`${prefix}/${i % 100}`, payload(i, 1_700_000_000_000 + i), { qos: 1 }));
    if (batch.length >= 2000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await pub.endAsync();
}

async function rawDrain(iot: AwsIotBroker, n: number): Promise<number> {
  const opts = { clientId: 'bench-raw', ...SESSION };
  const first = await iot.connect(SERVICE_IDENTITY, opts);
  await first.subscribeAsync('bench/raw/#', { qos: 1 });
  await first.endAsync();
  await preload(iot, 'bench/raw', n);
  let count = 0;
  let client: MqttClient | null = null;
  const start = performance.now();
  const ms = await new Promise<number>((resolve, reject) => {
    void iot.connect(SERVICE_IDENTITY, opts).then((c) => {
      client = c;
      c.on('message', () => {
        if (++count === n) resolve(performance.now() - start);
      });
    }, reject);
  });
  await (client as MqttClient | null)?.endAsync();
  return (n / ms) * 1000;
}

async function cloudbridgeDrain(iot: AwsIotBroker, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-aws-'));
  const service = await iot.identity(SERVICE_IDENTITY);
  let committed = 0;
  let target = Infinity;
  let onTarget: (() => void) | null = null;
  const yaml = stringify({
    converters: [{ name: 'dec', type: 'uplink', script: DECODER }],
    integrations: [{
      name: 'bench', type: 'aws-iot-core', uplinkConverter: 'dec',
      config: {
        endpoint: iot.host, port: iot.port, clientId: 'bench-cb', maxInFlight: 4000,
        credentials: { ca: iot.ca, cert: service.cert, key: service.key },
        topicFilters: [{ filter: 'bench/cb/#', qos: 1 }],
      },
    }],
  });
  const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: 'bench-token', CLOUDBRIDGE_MASTER_KEY: 'bench' };
  const config = parseConfigText(yaml, env);
  config.store.sqlite = { path: join(dir, 'cb.db'), ...(process.env.BENCH_SYNC ? { synchronous: process.env.BENCH_SYNC as 'NORMAL' } : {}) };
  config.logging.level = 'warn';
  const app = await startApp({
    config, env, listen: false, logWrite: () => undefined,
    onCommitted: (_i, messages) => {
      committed += messages.length;
      if (committed >= target && onTarget) onTarget();
    },
  });
  try {
    await app.configService.setEnabled('bench', false);
    await preload(iot, 'bench/cb', n);
    const drained = new Promise<void>((resolve) => {
      target = n;
      onTarget = () => { onTarget = null; resolve(); };
    });
    const start = performance.now();
    await app.configService.setEnabled('bench', true);
    await drained;
    const rate = (n / (performance.now() - start)) * 1000;
    const stored = await app.store.countTelemetry();
    if (stored !== n * 3) throw new Error(`expected ${n * 3} telemetry points, found ${stored}`);
    return rate;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchAwsIotCore(args: { n: number }): Promise<void> {
  const iot = await startAwsIotBroker({ acl: ACL, mosquitto: { persistence: false, maxInflightMessages: 4000 } });
  try {
    console.log(`aws-iot-core bench: ${args.n} preloaded QoS 1 messages of ~${payload(0, Date.now()).length} B, mutual TLS (EC P-256), MQTT 5, Mosquitto on ${iot.url}`);
    const raw = await rawDrain(iot, args.n);
    console.log(`  plain mqtt.js subscriber over mTLS (PUBACK on receipt, no processing):  ${raw.toFixed(0)} msg/s`);
    const cb = await cloudbridgeDrain(iot, args.n);
    console.log(`  Cloudbridge aws-iot-core (JS converter + SQLite ${process.env.BENCH_SYNC ?? 'FULL'}, PUBACK after commit):  ${cb.toFixed(0)} msg/s`);
    console.log(`  ratio Cloudbridge / plain subscriber: ${(cb / raw).toFixed(2)}`);
    console.log(`  peak RSS of the bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await iot.dispose();
  }
}
