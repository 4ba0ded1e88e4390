/** Helpers for the ibm-watson-iot tests: connector configs against the Watson Mosquitto stand-in. */
import { stringify } from 'yaml';
import { WatsonIotSource, type WatsonIotConfig } from '../../../src/connectors/ibm-watson-iot/index.ts';
import type { WatsonBroker } from '../../peers/watson-broker.ts';
import { createTestContext, type TestConnectorContext } from '../../support/connector-context.ts';

let counter = 0;

export function uniqueAppId(prefix = 'cb'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** A config for the application API key of `watson`, with fast reconnects. */
export function watsonConfig(watson: WatsonBroker, overrides: Partial<WatsonIotConfig> = {}): WatsonIotConfig {
  return {
    orgId: watson.org,
    apiKey: watson.apiKey,
    authToken: watson.authToken,
    appId: uniqueAppId(),
    host: watson.host,
    port: watson.port,
    ca: watson.ca,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    connectTimeoutMs: 3000,
    ...overrides,
  };
}

export interface WatsonUnderTest {
  source: WatsonIotSource;
  ctx: TestConnectorContext;
  config: WatsonIotConfig;
}

export function createWatsonConnector(watson: WatsonBroker, overrides: Partial<WatsonIotConfig> = {}, ctx = createTestContext()): WatsonUnderTest {
  const config = watsonConfig(watson, overrides);
  return { source: new WatsonIotSource(config, ctx, { random: () => 0.5 }), ctx, config };
}

export function eventTopic(type: string, id: string, event = 'reading', format = 'json'): string {
  return `iot-2/type/${type}/id/${id}/evt/${event}/fmt/${format}`;
}

/** A device status message as Watson IoT publishes it on iot-2/type/<type>/id/<id>/mon. */
export function statusPayload(action: 'Connect' | 'Disconnect', time: string, clientId = 'd:tst123:sensor:pump-1'): string {
  const base = { ClientAddr: '10.0.0.7', Protocol: 'mqtt4-tcp', ClientID: clientId, User: 'use-token-auth', Time: time, Action: action, ConnectTime: time, Port: 8883 };
  return JSON.stringify(action === 'Connect' ? base : { ...base, CloseCode: 288, Reason: 'The connection has completed normally.', ReadBytes: 120, ReadMsg: 2, WriteBytes: 60, WriteMsg: 1 });
}

/** One device per event (`dev-<seq>`), telemetry without ts: a duplicate shows as a second point. */
export const PER_EVENT_DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: metadata.deviceType, telemetry: { seq: data.seq } };
`;

/** The device is the Watson device id, as statusDeviceName's default. */
export const DEVICE_ID_DECODER = `
var data = decodeToJson(payload);
return { deviceName: metadata.deviceId, deviceType: metadata.deviceType, telemetry: { seq: data.seq, event: metadata.eventId, format: metadata.format } };
`;

/** A ThingsBoard Watson IoT encoder: its metadata keys are ThingsBoard's. */
export const THINGSBOARD_ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { device_type: 'sensor', device_id: metadata.deviceName, command_id: 'setValve', format: 'json' } };
`;

/** A Cloudbridge config file (object) with one ibm-watson-iot integration named "watson". */
export function appConfig(config: WatsonIotConfig, opts: { decoder?: string; encoder?: boolean } = {}): Record<string, unknown> {
  return {
    converters: [
      { name: 'decoder', type: 'uplink', script: opts.decoder ?? PER_EVENT_DECODER },
      ...(opts.encoder ? [{ name: 'encoder', type: 'downlink', script: THINGSBOARD_ENCODER }] : []),
    ],
    integrations: [{
      name: 'watson',
      type: 'ibm-watson-iot',
      uplinkConverter: 'decoder',
      ...(opts.encoder ? { downlinkConverter: 'encoder' } : {}),
      allowCreateDevices: true,
      config,
    }],
  };
}

export function appYaml(config: WatsonIotConfig, opts: { decoder?: string; encoder?: boolean } = {}): string {
  return stringify(appConfig(config, opts));
}
