/**
 * aws-iot-core ingest benchmark: drain rate of a preloaded persistent session over mutual TLS, on
 * the AWS IoT stand-in (Mosquitto with require_certificate, use_identity_as_username and an ACL),
 * for N QoS 1 JSON messages of ~205 B, in the same run:
 *  1. a plain mqtt.js subscriber in the bench process (MQTT 5, the connector's default; PUBACK on
 *     receipt, no processing);
 *  2. Cloudbridge's `aws-iot-core` integration, `cloudbridge start` in its own process (JS converter
 *     in the sandbox, SQLite synchronous=FULL, PUBACK only after commit), same broker, same
 *     identity, same message shape.
 * Prints both rates and their ratio. Never asserts on speed. BENCH_SYNC=NORMAL runs SQLite with
 * synchronous=NORMAL instead of FULL, to see how much of the gap is the store's fsync.
 */
import type { MqttClient } from 'mqtt';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../test/peers/aws-iot-broker.ts';
import { benchConfig, timedDrain, withCloudbridgeProcess } from './cloudbridge-process.ts';
import { benchPayload, preloadMqtt } from './messages.ts';
import type { DrainPair } from './report.ts';

const PUBLISHER = 'bench-device';
const ACL = [`user ${SERVICE_IDENTITY}`, 'topic read bench/#', `user ${PUBLISHER}`, 'topic write bench/#'].join('\n');
const SESSION = { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3600 } } as const;

async function preload(iot: AwsIotBroker, prefix: string, n: number): Promise<void> {
  const pub = await iot.connect(PUBLISHER, { clientId: `${PUBLISHER}-${prefix.replace(/\W/g, '-')}` });
  await preloadMqtt(pub, prefix, n);
  await pub.endAsync();
}

/** The persistent session (MQTT 5, as the connector keeps it) of `clientId`, subscribed to `${prefix}/#`. */
async function createSession(iot: AwsIotBroker, clientId: string, prefix: string): Promise<void> {
  const first = await iot.connect(SERVICE_IDENTITY, { clientId, ...SESSION });
  await first.subscribeAsync(`${prefix}/#`, { qos: 1 });
  await first.endAsync();
}

async function rawDrain(iot: AwsIotBroker, n: number): Promise<number> {
  const opts = { clientId: 'bench-raw', ...SESSION };
  await createSession(iot, opts.clientId, 'bench/raw');
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

/** Cloudbridge as `cloudbridge start` in its own process, its session made and preloaded before the integration is enabled. */
async function cloudbridgeDrain(iot: AwsIotBroker, n: number): Promise<number> {
  const service = await iot.identity(SERVICE_IDENTITY);
  const config = benchConfig('aws-iot-core', {
    endpoint: iot.host, port: iot.port, clientId: 'bench-cb', maxInFlight: 4000,
    credentials: { ca: iot.ca, cert: service.cert, key: service.key },
    topicFilters: [{ filter: 'bench/cb/#', qos: 1 }],
  });
  return withCloudbridgeProcess(config, {}, n * 3, async (cb) => {
    await createSession(iot, 'bench-cb', 'bench/cb');
    await preload(iot, 'bench/cb', n);
    return (await timedDrain(cb, 'bench', n)).rate;
  });
}

export async function benchAwsIotCore(args: { n: number }): Promise<DrainPair> {
  const iot = await startAwsIotBroker({ acl: ACL, mosquitto: { persistence: false, maxInflightMessages: 4000 } });
  try {
    console.log(`aws-iot-core bench: ${args.n} preloaded QoS 1 messages of ~${benchPayload(0, Date.now()).length} B, mutual TLS (EC P-256), MQTT 5, Mosquitto on ${iot.url}`);
    const raw = await rawDrain(iot, args.n);
    console.log(`  plain mqtt.js subscriber over mTLS (PUBACK on receipt, no processing):  ${raw.toFixed(0)} msg/s`);
    const cb = await cloudbridgeDrain(iot, args.n);
    console.log(`  Cloudbridge aws-iot-core (JS converter + SQLite ${process.env.BENCH_SYNC ?? 'FULL'}, PUBACK after commit):  ${cb.toFixed(0)} msg/s`);
    console.log(`  ratio Cloudbridge / plain subscriber: ${(cb / raw).toFixed(2)}`);
    return { raw, cloudbridge: cb };
  } finally {
    await iot.dispose();
  }
}
