/**
 * A stand-in for AWS IoT Core (docs/testing.md, "AWS IoT Core and MQTT"): Mosquitto with mutual TLS
 * (`require_certificate`, `use_identity_as_username`, so the certificate CN is the identity) and an
 * ACL per identity mimicking per-thing IoT policies, plus a throw-away PKI made with openssl.
 *
 *   const iot = await startAwsIotBroker();
 *   const service = await iot.identity('iot-service');          // cert + key for the connector
 *   const device = await iot.connect('device-001');              // mqtt.js client as that thing
 *   after(() => iot.dispose());
 *
 * Default ACL: every thing reads and writes devices/<cn>/# and reads commands/<cn>/#; the service
 * identity `iot-service` reads devices/+/telemetry and writes commands/#. Differences from AWS IoT
 * to keep in mind: Mosquitto grants subscriptions its ACL denies (and then filters the messages),
 * acknowledges and drops a denied MQTT 3.1.1 publish, and lets any certificate use any client id.
 */
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoBroker, type MosquittoOptions } from './mosquitto.ts';
import { createTestPki, type IssuedCert, type IssueOptions, type TestPki } from './test-pki.ts';

export const SERVICE_IDENTITY = 'iot-service';

export const DEFAULT_IOT_ACL = [
  'pattern readwrite devices/%u/#',
  'pattern read commands/%u/#',
  `user ${SERVICE_IDENTITY}`,
  'topic read devices/+/telemetry',
  'topic write commands/#',
].join('\n');

export interface AwsIotBrokerOptions {
  /** ACL file content (default DEFAULT_IOT_ACL). */
  acl?: string;
  /** Extra Mosquitto options (persistence, limits, port...). */
  mosquitto?: Omit<MosquittoOptions, 'tls' | 'acl' | 'allowAnonymous'>;
}

export interface AwsIotBroker {
  readonly broker: MosquittoBroker;
  readonly pki: TestPki;
  /** The CA that signed the broker and every identity (PEM): the connector's credentials.ca. */
  readonly ca: string;
  readonly host: string;
  readonly port: number;
  /** mqtts://127.0.0.1:<port> */
  readonly url: string;
  /** A certificate + key whose CN is `cn` (cached per cn unless options are given). */
  identity(cn: string, opts?: IssueOptions): Promise<IssuedCert>;
  /** An mqtt.js client connected over mutual TLS as thing `cn` (no auto-reconnect unless asked). */
  connect(cn: string, opts?: IClientOptions): Promise<MqttClient>;
  /** Stops Mosquitto and removes the broker dir and the PKI. */
  dispose(): Promise<void>;
}

export async function startAwsIotBroker(options: AwsIotBrokerOptions = {}): Promise<AwsIotBroker> {
  const pki = await createTestPki('Cloudbridge Test IoT CA');
  let broker: MosquittoBroker;
  try {
    const server = await pki.issue('localhost', { server: true });
    broker = await startMosquitto({
      ...options.mosquitto,
      allowAnonymous: false,
      acl: options.acl ?? DEFAULT_IOT_ACL,
      tls: { ca: pki.ca, cert: server.cert, key: server.key, requireCertificate: true, useIdentityAsUsername: true },
    });
  } catch (err) {
    await pki.dispose();
    throw err;
  }
  const identities = new Map<string, Promise<IssuedCert>>();
  const identity = (cn: string, opts?: IssueOptions): Promise<IssuedCert> => {
    if (opts) return pki.issue(cn, opts);
    let issued = identities.get(cn);
    if (!issued) {
      issued = pki.issue(cn);
      identities.set(cn, issued);
    }
    return issued;
  };
  let clients = 0;
  return {
    broker, pki, ca: pki.ca, host: broker.host, port: broker.port, url: broker.url,
    identity,
    async connect(cn, opts = {}) {
      const { cert, key } = await identity(cn);
      const client = await connectAsync(broker.url, {
        ca: pki.ca, cert, key, clientId: `${cn}-${process.pid}-${++clients}`, reconnectPeriod: 0, ...opts,
      });
      client.on('error', () => undefined);
      return client;
    },
    async dispose() {
      await broker.dispose();
      await pki.dispose();
    },
  };
}
