/**
 * The demo's converters and integration, as a user would write them in a config file: an
 * unchanged ThingsBoard-style JavaScript decoder and encoder, and an `mqtt` integration.
 */
import type { ConfigFile } from '../app/config-file.ts';

export const DEMO_DECODER = `// ThingsBoard-style uplink decoder: payload is an array of bytes.
var data = decodeToJson(payload);
var deviceName = metadata.topic.split('/')[2];
var result = {
  deviceName: deviceName,
  deviceType: 'thermometer',
  attributes: { model: data.model, serialNumber: data.serial, reportEverySeconds: data.reportEverySeconds },
  telemetry: { temperature: data.temperature, humidity: data.humidity, battery: data.battery }
};

function decodeToString(payload) {
  return String.fromCharCode.apply(String, payload);
}
function decodeToJson(payload) {
  return JSON.parse(decodeToString(payload));
}
return result;
`;

export const DEMO_ENCODER = `// ThingsBoard-style downlink encoder.
var result = {
  contentType: 'JSON',
  data: JSON.stringify(msg),
  metadata: { deviceName: metadata.deviceName }
};
return result;
`;

/** `--thingsboard HOST[:PORT]` → host and port (default 1883); null when the text is not one. */
export function parseThingsboardAddress(text: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m?.[1]) return null;
  const port = m[2] === undefined ? 1883 : Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** A forwarder of every integration to a ThingsBoard gateway device (`--thingsboard HOST[:PORT] --token T`). */
export function demoForwarder(tb: { host: string; port: number; token: string }): Record<string, unknown> {
  return {
    name: 'demo-thingsboard', type: 'thingsboard-gateway', integrations: 'all',
    config: { host: tb.host, port: tb.port, accessToken: tb.token },
  };
}

export function demoConfig(opts: { brokerPort: number; serverPort: number; dbPath: string; thingsboard?: { host: string; port: number; token: string } }): ConfigFile {
  return {
    ...(opts.thingsboard ? { forwarders: [demoForwarder(opts.thingsboard)] } : {}),
    store: { sqlite: { path: opts.dbPath } },
    server: { port: opts.serverPort, host: '127.0.0.1' },
    logging: { level: 'warn' },
    converters: [
      { name: 'demo-decoder', type: 'uplink', language: 'javascript', script: DEMO_DECODER },
      { name: 'demo-encoder', type: 'downlink', language: 'javascript', script: DEMO_ENCODER },
    ],
    integrations: [{
      name: 'demo-mqtt',
      type: 'mqtt',
      uplinkConverter: 'demo-decoder',
      downlinkConverter: 'demo-encoder',
      allowCreateDevices: true,
      debug: { failures: true, allMinutes: 15 },
      config: {
        host: '127.0.0.1',
        port: opts.brokerPort,
        clientId: 'cloudbridge-demo',
        cleanSession: false,
        topicFilters: [{ filter: 'demo/devices/+/telemetry', qos: 1 }],
        downlinkTopicPattern: 'demo/devices/${deviceName}/commands',
      },
    }],
  };
}
