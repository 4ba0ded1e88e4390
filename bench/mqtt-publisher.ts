/**
 * A publisher in its own process (so that its CPU does not slow what it feeds): connects, sends
 * `ready`, waits for the parent's `go`, publishes N QoS 1 bench messages and sends `done` once the
 * broker acknowledged them all, then exits. Forked by bench/mqtt.ts:
 *   mqtt-publisher.ts --url URL --prefix TOPIC --n N [--first I] [--rate R] [--ts index|now]
 * --rate 0 (default): as fast as the broker takes them (2000 awaiting PUBACK at most); otherwise
 * paced at R msg/s, evenly (checked every millisecond), ts = the send time when --ts now.
 */
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import type { ChildMessage, GoMessage } from './child-process.ts';
import { benchPayload, payloadStamper, preloadMqtt, type PayloadTs } from './messages.ts';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, prefix: { type: 'string' }, n: { type: 'string' }, first: { type: 'string', default: '0' },
    rate: { type: 'string', default: '0' }, ts: { type: 'string', default: 'index' },
  },
});
const n = Number(args.n);
const first = Number(args.first);
const rate = Number(args.rate);
const ts = args.ts as PayloadTs;
const tell = (m: ChildMessage): void => {
  process.send?.(m);
};

async function paced(client: mqtt.MqttClient, prefix: string): Promise<void> {
  const acks: Array<Promise<unknown>> = [];
  const stamp = payloadStamper(ts);
  const start = performance.now();
  let sent = 0;
  while (sent < n) {
    const due = Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000));
    for (; sent < due; sent++) {
      const i = first + sent;
      acks.push(client.publishAsync(`${prefix}/${i % 100}`, benchPayload(i, stamp(i)), { qos: 1 }));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(acks);
}

const client = await mqtt.connectAsync(args.url ?? '', { clientId: `bench-pub-${process.pid}` });
const go = new Promise<void>((resolve) => process.once('message', (m: GoMessage) => {
  if (m.t === 'go') resolve();
}));
tell({ t: 'ready' });
await go;
const start = performance.now();
if (rate > 0) await paced(client, args.prefix ?? 'bench');
else await preloadMqtt(client, args.prefix ?? 'bench', n, { first, ts });
tell({ t: 'done', ms: performance.now() - start });
await client.endAsync();
process.exit(0);
