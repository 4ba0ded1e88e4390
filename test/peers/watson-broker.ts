/**
 * A stand-in for an IBM Watson IoT Platform organization (docs/testing.md, "AWS IoT Core and MQTT"): Mosquitto over
 * TLS (a throw-away CA from test-pki.ts) with a password file and an ACL.
 *
 *   const watson = await startWatsonBroker();
 *   const device = await watson.device();                 // publishes events, reads commands
 *   const platform = await watson.platform();             // publishes device status (mon)
 *   after(() => watson.dispose());
 *
 * Identities, as on Watson IoT:
 * - the application API key `a-<org>-<suffix>` (password: its token) reads events
 *   (`iot-2/type/+/id/+/evt/+/fmt/+`) and device status (`iot-2/type/+/id/+/mon`) and writes
 *   commands (`iot-2/type/+/id/+/cmd/+/fmt/+`), nothing else;
 * - devices (`use-token-auth`, the user name Watson IoT devices use) write events and read commands;
 * - `watson-platform` writes device status messages, which Watson IoT itself publishes.
 * Differences from Watson IoT: devices publish to the application-side topics (Watson IoT maps a
 * device's `iot-2/evt/<event>/fmt/<format>` to them), the client id is not checked against the API
 * key's organization, and a second connection with an `A:` client id takes the first one's place
 * instead of sharing the subscription. Mosquitto drops a publish its ACL denies and
 * grants a denied subscription (delivering nothing). A denied QoS 1 publish is acknowledged, then
 * Mosquitto 2.0.11 (over TLS here) drops the connection.
 */
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoBroker, type MosquittoOptions } from './mosquitto.ts';
import { createTestPki, type TestPki } from './test-pki.ts';

export const WATSON_ORG = 'tst123';
export const DEVICE_USER = 'use-token-auth';
export const PLATFORM_USER = 'watson-platform';

export interface WatsonBrokerOptions {
  /** Extra Mosquitto options (persistence, limits...). */
  mosquitto?: Omit<MosquittoOptions, 'tls' | 'acl' | 'users' | 'allowAnonymous'>;
}

export interface WatsonBroker {
  readonly broker: MosquittoBroker;
  readonly pki: TestPki;
  readonly org: string;
  /** The application API key and its token. */
  readonly apiKey: string;
  readonly authToken: string;
  /** The CA of the broker certificate (PEM): the connector's `ca`. */
  readonly ca: string;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** A device client (QoS 1 publisher of events, command reader), client id d:<org>:<type>:<id>. */
  device(type?: string, id?: string, opts?: IClientOptions): Promise<MqttClient>;
  /** The platform's own client, for device status messages. */
  platform(): Promise<MqttClient>;
  /** A client logged in with the application API key (as another application would). */
  application(appId: string, opts?: IClientOptions): Promise<MqttClient>;
  dispose(): Promise<void>;
}

export function watsonAcl(apiKey: string): string {
  return [
    `user ${apiKey}`,
    'topic read iot-2/type/+/id/+/evt/+/fmt/+',
    'topic read iot-2/type/+/id/+/mon',
    'topic write iot-2/type/+/id/+/cmd/+/fmt/+',
    `user ${DEVICE_USER}`,
    'topic write iot-2/type/+/id/+/evt/+/fmt/+',
    'topic read iot-2/type/+/id/+/cmd/+/fmt/+',
    `user ${PLATFORM_USER}`,
    'topic write iot-2/type/+/id/+/mon',
  ].join('\n') + '\n';
}

export async function startWatsonBroker(options: WatsonBrokerOptions = {}): Promise<WatsonBroker> {
  const org = WATSON_ORG;
  const apiKey = `a-${org}-k${process.pid}x`;
  const authToken = `Tk!${Math.random().toString(36).slice(2)}-${process.pid}`;
  const deviceToken = `dev-${Math.random().toString(36).slice(2)}`;
  const platformToken = `plat-${Math.random().toString(36).slice(2)}`;
  const pki = await createTestPki('Cloudbridge Test Watson CA');
  let broker: MosquittoBroker;
  try {
    const server = await pki.issue('localhost', { server: true });
    broker = await startMosquitto({
      ...options.mosquitto,
      users: { [apiKey]: authToken, [DEVICE_USER]: deviceToken, [PLATFORM_USER]: platformToken },
      acl: watsonAcl(apiKey),
      tls: { ca: pki.ca, cert: server.cert, key: server.key },
    });
  } catch (err) {
    await pki.dispose();
    throw err;
  }
  let clients = 0;
  const open = async (username: string, password: string, clientId: string, opts: IClientOptions = {}): Promise<MqttClient> => {
    const client = await connectAsync(broker.url, { ca: pki.ca, username, password, clientId, reconnectPeriod: 0, ...opts });
    client.on('error', () => undefined);
    return client;
  };
  return {
    broker, pki, org, apiKey, authToken, ca: pki.ca, host: broker.host, port: broker.port, url: broker.url,
    device: (type = 'sensor', id = `dev${++clients}`, opts = {}) => open(DEVICE_USER, deviceToken, `d:${org}:${type}:${id}-${process.pid}-${++clients}`, opts),
    platform: () => open(PLATFORM_USER, platformToken, `platform-${process.pid}-${++clients}`),
    application: (appId, opts = {}) => open(apiKey, authToken, `a:${org}:${appId}`, opts),
    async dispose() {
      await broker.dispose();
      await pki.dispose();
    },
  };
}
