/**
 * Google's Pub/Sub emulator (docs/testing.md, "Google Pub/Sub") as a test peer: started on a free loopback port in
 * its own process group (it is a shell script that starts a JVM), ready when `GET /` answers, and
 * stopped by killing the group. The emulator keeps everything in memory: `restart()` brings back an
 * empty one on the same port. Where the emulator is not installed, `startPubSubEmulator` fails with
 * a message saying how to install it.
 *
 * Also the peer side the tests need: topics, subscriptions, publishing, and counting what a
 * subscription would still hand out (a unary pull that acknowledges what it gets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PubSub, v1, type CreateSubscriptionOptions } from '@google-cloud/pubsub';
import { freePort } from './free-port.ts';

export const EMULATOR_BIN = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
export const EMULATOR_PROJECT = 'test-project';

export interface PubSubEmulator {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the connector's apiEndpoint. */
  readonly endpoint: string;
  readonly project: string;
  readonly client: PubSub;
  createTopic(name: string): Promise<void>;
  createSubscription(topic: string, name: string, opts?: CreateSubscriptionOptions): Promise<void>;
  /** Publishes in order (batched by the client); with `orderingKey`, with message ordering on. */
  publish(topic: string, payloads: string[], opts?: { attributes?: Record<string, string>; orderingKey?: (i: number) => string }): Promise<void>;
  /**
   * With no other consumer: how many messages the subscription still hands out, pulling (and
   * acknowledging) until two pulls in a row return nothing. Returns their payloads.
   */
  drain(subscription: string): Promise<string[]>;
  /** Kills the emulator (state lost) and starts an empty one on the same port. */
  restart(): Promise<void>;
  kill(): void;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone already.
  }
}

export function emulatorInstalled(): boolean {
  return existsSync(EMULATOR_BIN);
}

async function launch(port: number): Promise<ChildProcess> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => { for (const c of live) killGroup(c); });
  }
  const child = spawn(EMULATOR_BIN, ['--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let output = '';
  child.stderr?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  child.once('exit', () => live.delete(child));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Pub/Sub emulator exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) return child;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`the Pub/Sub emulator did not answer on port ${port} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPubSubEmulator(): Promise<PubSubEmulator> {
  if (!emulatorInstalled()) {
    throw new Error(`The Pub/Sub emulator is not installed (${EMULATOR_BIN} is missing): install Google's Debian package google-cloud-cli-pubsub-emulator (and OpenJDK 17) from packages.cloud.google.com; see docs/testing.md, "Google Pub/Sub".`);
  }
  const port = await freePort();
  let child = await launch(port);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new PubSub({ projectId: EMULATOR_PROJECT, apiEndpoint: endpoint, emulatorMode: true, universeDomain: 'googleapis.com' });
  const path = (kind: 'topics' | 'subscriptions', name: string): string => `projects/${EMULATOR_PROJECT}/${kind}/${name}`;
  let puller: v1.SubscriberClient | null = null;
  const subscriberClient = async (): Promise<v1.SubscriberClient> => {
    puller ??= new v1.SubscriberClient(await client.getClientConfig() as ConstructorParameters<typeof v1.SubscriberClient>[0]);
    return puller;
  };
  return {
    port,
    endpoint,
    project: EMULATOR_PROJECT,
    client,
    async createTopic(name) {
      await client.createTopic(name);
    },
    async createSubscription(topic, name, opts = {}) {
      await client.topic(topic).createSubscription(name, opts);
    },
    async publish(topic, payloads, opts = {}) {
      const ordered = opts.orderingKey !== undefined;
      const t = client.topic(topic, { messageOrdering: ordered, batching: { maxMessages: 1000, maxMilliseconds: 10 } });
      await Promise.all(payloads.map((p, i) => t.publishMessage({
        data: Buffer.from(p),
        attributes: opts.attributes ?? {},
        ...(ordered && opts.orderingKey ? { orderingKey: opts.orderingKey(i) } : {}),
      })));
    },
    async drain(subscription) {
      const sub = await subscriberClient();
      const got: string[] = [];
      for (let empty = 0; empty < 2;) {
        const [res] = await sub.pull({ subscription: path('subscriptions', subscription), maxMessages: 1000, returnImmediately: true });
        const received = res.receivedMessages ?? [];
        if (received.length === 0) {
          empty++;
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        empty = 0;
        for (const m of received) got.push(Buffer.from(m.message?.data ?? '').toString());
        await sub.acknowledge({ subscription: path('subscriptions', subscription), ackIds: received.map((m) => m.ackId ?? '') });
      }
      return got;
    },
    async restart() {
      killGroup(child);
      await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
      child = await launch(port);
    },
    kill() {
      killGroup(child);
    },
    async stop() {
      await puller?.close().catch(() => undefined);
      await client.close().catch(() => undefined);
      killGroup(child);
    },
  };
}
