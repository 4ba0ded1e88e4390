/**
 * `npm run bench -- mqtt-connections [--n N] [--rounds R]`: what several connections per `mqtt`
 * integration buy. Drains a preloaded queue of N QoS 1 messages (100k by default, ~190 B, the bench
 * decoder, SQLite FULL, PUBACK after commit) with connections 1, 2 and 4, against a Mosquitto with
 * its default max_inflight_messages (20) and one with 4000, all in one run, R rounds (default 1)
 * in alternating order; the table shows each setting's median. Rates are comparable within the run
 * only (shared machines): read the ratios to connections 1 on the same broker.
 *
 * Before each drain the persistent sessions of the integration's connections are made (client ids
 * and shared filters as the connector names them) and the queue is preloaded: Mosquitto queues
 * each connection's turn in its session. The drain is timed from enabling the integration to the
 * last stored (`cloudbridge start` in its own process); CPU is that process's and its sandbox
 * processes'.
 */
import mqtt from 'mqtt';
import { connectionClientId, sharingGroup, subscriptionFilters } from '../src/connectors/mqtt/index.ts';
import { startMosquitto, type MosquittoBroker } from '../test/peers/mosquitto.ts';
import { benchPayload, preloadMqtt } from './messages.ts';
import { cloudbridgeDrain } from './source-drains.ts';
import { median } from './stats.ts';

interface Drain { inflight: number; connections: number; rate: number; cpuUsPerMessage: number }

const CONNECTIONS = [1, 2, 4];
/** Mosquitto's default, and the bench's usual setting. */
const BROKER_INFLIGHT = [20, 4000];

/** The sessions the integration's connections resume, subscribed as the connector subscribes. */
async function makeSessions(broker: MosquittoBroker, clientId: string, connections: number, filter: string): Promise<void> {
  const [shared] = subscriptionFilters([{ filter, qos: 1 }], sharingGroup({ connections }, clientId));
  for (let i = 1; i <= connections; i++) {
    const client = await mqtt.connectAsync(broker.url, { clientId: connectionClientId(clientId, i), clean: false });
    await client.subscribeAsync(shared?.filter ?? filter, { qos: 1 });
    await client.endAsync();
  }
}

async function drain(broker: MosquittoBroker, inflight: number, connections: number, n: number, round: number): Promise<Drain> {
  const name = `c${connections}-m${inflight}-r${round}`;
  const clientId = `bench-${name}`;
  const filter = `bench/${name}/#`;
  await makeSessions(broker, clientId, connections, filter);
  const pub = await mqtt.connectAsync(broker.url, { clientId: `bench-pub-${name}` });
  await preloadMqtt(pub, `bench/${name}`, n);
  await pub.endAsync();
  const config = { host: '127.0.0.1', port: broker.port, clientId, cleanSession: false, maxInFlight: 4000, connections, topicFilters: [{ filter, qos: 1 }] };
  const result = await cloudbridgeDrain('mqtt', config, n);
  return { inflight, connections, rate: result.rate, cpuUsPerMessage: (result.cpuPercent / 100) * (1e6 / result.rate) };
}

export async function benchMqttConnections(args: { n: number; rounds: number }): Promise<void> {
  console.log(`mqtt connections bench: ${args.n} preloaded QoS 1 messages of ~${benchPayload(0, Date.now()).length} B per drain, ${args.rounds} round(s), Cloudbridge mqtt integration (JS converter + SQLite FULL, PUBACK after commit)`);
  const brokers = new Map<number, MosquittoBroker>();
  const results: Drain[] = [];
  try {
    for (const inflight of BROKER_INFLIGHT) brokers.set(inflight, await startMosquitto({ persistence: false, maxInflightMessages: inflight }));
    const settings = BROKER_INFLIGHT.flatMap((inflight) => CONNECTIONS.map((connections) => ({ inflight, connections })));
    for (let round = 1; round <= args.rounds; round++) {
      for (const { inflight, connections } of round % 2 === 1 ? settings : [...settings].reverse()) {
        const broker = brokers.get(inflight);
        if (!broker) continue;
        const result = await drain(broker, inflight, connections, args.n, round);
        results.push(result);
        console.log(`  round ${round}, max_inflight_messages ${inflight}, connections ${connections}: ${result.rate.toFixed(0)} msg/s, ${result.cpuUsPerMessage.toFixed(0)} µs CPU/msg`);
      }
    }
  } finally {
    for (const broker of brokers.values()) await broker.dispose();
  }
  const of = (inflight: number, connections: number): Drain[] => results.filter((r) => r.inflight === inflight && r.connections === connections);
  console.log('\n| Mosquitto max_inflight_messages | connections | msg/s (median) | ratio to 1 connection | CPU µs/msg, main process (median) |');
  console.log('|---|---|---|---|---|');
  for (const inflight of BROKER_INFLIGHT) {
    const one = median(of(inflight, 1).map((r) => r.rate));
    for (const connections of CONNECTIONS) {
      const runs = of(inflight, connections);
      const rate = median(runs.map((r) => r.rate));
      console.log(`| ${inflight} | ${connections} | ${rate.toFixed(0)} | ${(rate / one).toFixed(2)} | ${median(runs.map((r) => r.cpuUsPerMessage)).toFixed(0)} |`);
    }
  }
}
