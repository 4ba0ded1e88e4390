/** Helpers for the aws-iot-core tests: connector configs against the mTLS Mosquitto stand-in. */
import { stringify } from 'yaml';
import type { AwsIotCoreConfig } from '../../../src/connectors/aws-iot-core/index.ts';
import { AwsIotCoreSource } from '../../../src/connectors/aws-iot-core/index.ts';
import type { IssuedCert } from '../../peers/test-pki.ts';
import { SERVICE_IDENTITY, type AwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { createTestContext, type TestConnectorContext } from '../../support/connector-context.ts';

let counter = 0;

export function uniqueClientId(prefix = 'cb-aws'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** A config for the service identity against `iot`, with fast reconnects. */
export async function awsConfig(iot: AwsIotBroker, overrides: Partial<AwsIotCoreConfig> = {}, identity?: IssuedCert): Promise<AwsIotCoreConfig> {
  const { cert, key } = identity ?? await iot.identity(SERVICE_IDENTITY);
  return {
    endpoint: iot.host,
    port: iot.port,
    clientId: uniqueClientId(),
    credentials: { ca: iot.ca, cert, key },
    topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }],
    downlinkTopicPattern: 'commands/${deviceName}/set',
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    connectTimeoutMs: 3000,
    ...overrides,
  };
}

export interface AwsConnectorUnderTest {
  source: AwsIotCoreSource;
  ctx: TestConnectorContext;
  config: AwsIotCoreConfig;
}

export async function createAwsConnector(iot: AwsIotBroker, overrides: Partial<AwsIotCoreConfig> = {}, ctx = createTestContext(), identity?: IssuedCert): Promise<AwsConnectorUnderTest> {
  const config = await awsConfig(iot, overrides, identity);
  return { source: new AwsIotCoreSource(config, ctx, { random: () => 0.5 }), ctx, config };
}

/** One device per message (`dev-<seq>`), telemetry without ts: a duplicate shows as a second point. */
export const PER_MESSAGE_DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { seq: data.seq } };
`;

/** Device from the topic (devices/<name>/telemetry). */
export const TOPIC_DECODER = `
var data = decodeToJson(payload);
return { deviceName: metadata.topic.split('/')[1], deviceType: 'thing', telemetry: { seq: data.seq } };
`;

export const ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName } };
`;

/** A Cloudbridge config file (object) with one aws-iot-core integration named "iot". */
export function appConfig(config: AwsIotCoreConfig, opts: { decoder?: string; encoder?: boolean } = {}): Record<string, unknown> {
  return {
    converters: [
      { name: 'decoder', type: 'uplink', script: opts.decoder ?? PER_MESSAGE_DECODER },
      ...(opts.encoder ? [{ name: 'encoder', type: 'downlink', script: ENCODER }] : []),
    ],
    integrations: [{
      name: 'iot',
      type: 'aws-iot-core',
      uplinkConverter: 'decoder',
      ...(opts.encoder ? { downlinkConverter: 'encoder' } : {}),
      allowCreateDevices: true,
      config,
    }],
  };
}

export function appYaml(config: AwsIotCoreConfig, opts: { decoder?: string; encoder?: boolean } = {}): string {
  return stringify(appConfig(config, opts));
}
