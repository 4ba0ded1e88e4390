/**
 * The hand-written reference pipeline, the practical ceiling Cloudbridge is compared with: what a
 * competent developer writes for one broker and one decoder, with the same promise (PUBACK only
 * after the COMMIT that holds the message) and nothing else:
 *  - mqtt.js, one connection, persistent session (clean false);
 *  - the bench decoder compiled once with `new Function`, called in this process;
 *  - one SQLite table (node:sqlite), one row per message, WAL + synchronous=FULL, one
 *    transaction for whatever arrived while the previous one committed;
 *  - PUBACKs written after the COMMIT, in receive order.
 * mqtt.js handles one packet at a time and parses the next only once the previous one's PUBACK
 * went out, so deferring `handleMessage`'s callback until a commit would commit one message per
 * fsync. Like Cloudbridge (src/connectors/mqtt/mqtt-internals.ts) it therefore swallows the PUBACK
 * mqtt.js writes and sends its own after the commit.
 *
 * `--mode raw` is the plain subscriber instead: PUBACK on receipt (mqtt.js's default), nothing else.
 *
 * Run as a forked child by bench/reference-process.ts:
 *   reference-pipeline.ts --url URL --client-id ID --filter F --n N [--mode reference|raw] [--db FILE] [--latency]
 * It sends `ready` once subscribed and `done` (see child-process.ts) after the N-th commit, then exits.
 */
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { BENCH_DECODER } from './messages.ts';
import type { ChildMessage } from './child-process.ts';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, 'client-id': { type: 'string' }, filter: { type: 'string' }, n: { type: 'string' },
    mode: { type: 'string', default: 'reference' }, db: { type: 'string' }, latency: { type: 'boolean', default: false },
  },
});
const n = Number(args.n);
const tell = (m: ChildMessage): void => {
  process.send?.(m);
};

interface Decoded { deviceName: string; attributes: Record<string, unknown>; telemetry: { ts: number; values: Record<string, unknown> } }

type Decoder = (payload: Buffer, decodeToJson: (p: Buffer) => unknown) => Decoded;
const decode = new Function('payload', 'decodeToJson', BENCH_DECODER) as Decoder;
const decodeToJson = (p: Buffer): unknown => JSON.parse(p.toString('utf8'));

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void) => void;

/** Stops mqtt.js from writing PUBACKs itself; returns the writer for ours. */
function ownPubacks(client: MqttClient): (messageId: number) => void {
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket;
  internals._sendPacket = function (packet, cb) {
    if (packet.cmd === 'puback') cb?.();
    else send.call(this, packet, cb);
  };
  return (messageId) => send.call(client, { cmd: 'puback', messageId });
}

function openTable(file: string): (batch: IPublishPacket[]) => void {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS telemetry (device TEXT NOT NULL, ts INTEGER NOT NULL, vals TEXT NOT NULL, attrs TEXT NOT NULL, PRIMARY KEY (device, ts)) WITHOUT ROWID');
  const upsert = db.prepare('INSERT INTO telemetry (device, ts, vals, attrs) VALUES (?, ?, ?, ?) ON CONFLICT (device, ts) DO UPDATE SET vals = excluded.vals, attrs = excluded.attrs');
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  return (batch) => {
    begin.run();
    for (const packet of batch) {
      let d: Decoded;
      try {
        d = decode(packet.payload as Buffer, decodeToJson);
      } catch {
        continue; // A message the decoder rejects is dropped (and acknowledged): nothing to store.
      }
      upsert.run(d.deviceName, d.telemetry.ts, JSON.stringify(d.telemetry.values), JSON.stringify(d.attributes));
    }
    commit.run();
  };
}

const store = args.mode === 'raw' ? null : openTable(args.db ?? 'reference.db');
const latencies: number[] = [];
const start = performance.now();
const cpu0 = process.cpuUsage();
let done = 0;
let finished = false;

function finish(client: MqttClient): void {
  if (finished) return;
  finished = true;
  const used = process.cpuUsage(cpu0);
  tell({
    t: 'done', ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024, ...(args.latency ? { latenciesMs: latencies } : {}),
  });
  client.end(false, {}, () => process.exit(0));
}

const client = mqtt.connect(args.url ?? '', { clientId: args['client-id'] ?? 'bench-reference', clean: false, reconnectPeriod: 0 });
client.on('error', (err) => {
  if (finished) return; // The broker may reset the connection we are closing.
  console.error(`reference pipeline: ${err.message}`);
  process.exit(1);
});
client.on('connect', () => {
  client.subscribe(args.filter ?? '#', { qos: 1 }, () => tell({ t: 'ready' }));
});

if (store === null) {
  client.on('message', () => {
    if (++done === n) finish(client);
  });
} else {
  const puback = ownPubacks(client);
  let pending: IPublishPacket[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = [];
    store(batch);
    const at = Date.now();
    for (const packet of batch) {
      if (packet.messageId !== undefined) puback(packet.messageId);
      if (args.latency) latencies.push(at - (JSON.parse((packet.payload as Buffer).toString('utf8')) as { ts: number }).ts);
    }
    done += batch.length;
    if (done >= n) finish(client);
  };
  client.on('message', (_topic, _payload, packet) => {
    pending.push(packet);
    // setImmediate runs after the pending socket reads: one commit takes everything that arrived meanwhile.
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}
