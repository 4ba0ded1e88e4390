/** mqtt.js clients for the double's own tests: a gateway on MQTT 3.1.1 or 5, and what it receives. */
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { ThingsBoardDouble } from './server.ts';

export type Version = 4 | 5;
export const VERSIONS: Version[] = [4, 5];

/** A gateway client logged in with the double's gateway token (no reconnects: tests see every close). */
export function gatewayClient(tb: ThingsBoardDouble, protocolVersion: Version, opts: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(tb.url, { username: tb.gateway.token, protocolVersion, reconnectPeriod: 0, ...opts });
}

/** Resolves when the server closed the client's connection. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected && client.disconnected) resolve();
    client.once('close', () => resolve());
  });
}

/** The JSON bodies a client receives on one topic, with a wait for the n-th one. */
export interface Inbox {
  readonly bodies: unknown[];
  /** Resolves with the bodies once `count` arrived; rejects after `timeoutMs`. */
  atLeast(count: number, timeoutMs?: number): Promise<unknown[]>;
}

export function received(client: MqttClient, topic: string): Inbox {
  const bodies: unknown[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (t, payload) => {
    if (t !== topic) return;
    bodies.push(JSON.parse(payload.toString()));
    for (const wake of [...waiters]) wake();
  });
  return {
    bodies,
    atLeast: (count, timeoutMs = 5000) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (bodies.length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(bodies);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${bodies.length} of ${count} messages on ${topic} after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    }),
  };
}

/** Publishes a JSON body at QoS 1 and resolves with the PUBACK's reason code (0 on MQTT 3.1.1 success). */
export async function publishJson(client: MqttClient, topic: string, body: unknown): Promise<number> {
  try {
    const packet = await client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
    return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

/** Publishes at QoS 1 on MQTT 3.1.1 where a refusal closes the connection: resolves 'closed' or 'acked'. */
export function publishExpectingClose(client: MqttClient, topic: string, body: unknown): Promise<'closed' | 'acked'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 }, (err) => { if (!err) resolve('acked'); });
  });
}
