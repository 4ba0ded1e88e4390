/**
 * The second AWS IoT stand-in of docs/testing.md, "AWS IoT Core and MQTT": aedes (in-process, MQTT 3.1.1 only) behind a
 * Node TLS server that demands a client certificate. Closer to AWS IoT than Mosquitto where
 * Mosquitto is lenient: a publish its rules deny closes the connection (no PUBACK), a denied
 * subscription gets SUBACK 0x80 (or closes the connection), and the client id must equal the
 * certificate CN.
 *
 *   const iot = await startAedesIotBroker({ ca: pki.ca, server, rules });
 *   after(() => iot.close());
 */
import { createServer, type TLSSocket } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { IssuedCert } from './test-pki.ts';

export interface AedesIotRules {
  /** May identity `cn` publish to `topic`? */
  publish(cn: string, topic: string): boolean;
  /** May identity `cn` subscribe to `filter`? A refusal is a SUBACK failure (0x80) or a closed connection. */
  subscribe(cn: string, filter: string): 'grant' | 'suback-failure' | 'disconnect';
}

export interface AedesIotBroker {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

function identity(client: Client | null): string | null {
  const conn = client?.conn as TLSSocket | undefined;
  if (!conn?.authorized) return null;
  const cn = conn.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : null;
}

export async function startAedesIotBroker(opts: { ca: string; server: IssuedCert; rules: AedesIotRules }): Promise<AedesIotBroker> {
  const broker = await Aedes.createBroker({
    authenticate(client, _username, _password, done) {
      const cn = identity(client);
      if (cn !== null && cn === client.id) return done(null, true);
      done(Object.assign(new Error('Not authorized'), { returnCode: 5 as const }), false);
    },
    authorizePublish(client, packet, done) {
      const cn = identity(client);
      done(cn !== null && opts.rules.publish(cn, packet.topic) ? null : new Error('publish denied'));
    },
    authorizeSubscribe(client, sub, done) {
      const cn = identity(client);
      const verdict = cn === null ? 'disconnect' : opts.rules.subscribe(cn, sub.topic);
      if (verdict === 'grant') return done(null, sub);
      if (verdict === 'suback-failure') return done(null, null);
      done(new Error('subscribe denied'));
    },
  });
  const server = createServer({ ca: opts.ca, cert: opts.server.cert, key: opts.server.key, requestCert: true, rejectUnauthorized: true }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
