/** Converters and integration configs shared by the end-to-end tests. */
import mqtt, { type MqttClient } from 'mqtt';

/** One device per message (`dev-<seq>`), telemetry WITHOUT ts: a duplicate shows as a second point. */
export const PER_MESSAGE_DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { seq: data.seq } };
`;

/**
 * One device per message, stored at the device's own ts: a message the publisher sends again
 * (QoS 1 is at least once on its hop too, e.g. after a broker restart) is the same point.
 */
export const DEVICE_TS_DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { ts: data.ts, values: { seq: data.seq } } };
`;

/** ThingsBoard-style decoder: device from the topic, telemetry with the payload's ts. */
export const TB_DECODER = `
var data = decodeToJson(payload);
function decodeToString(payload) { return String.fromCharCode.apply(String, payload); }
function decodeToJson(payload) { return JSON.parse(decodeToString(payload)); }
return {
  deviceName: metadata.topic.split('/')[1],
  deviceType: 'thermometer',
  attributes: { model: data.model },
  telemetry: { ts: data.ts, values: { temperature: data.temperature, seq: data.seq } }
};
`;

export const JSON_ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName } };
`;

/** The `converters:` section of an app config: `decoder` (uplink) and, given one, `encoder` (downlink); ends in a newline. */
export function convertersYaml(decoder: string, encoder?: string): string {
  const indent = (s: string): string => s.trim().split('\n').map((l) => `      ${l}`).join('\n');
  const converter = (name: string, type: string, script: string): string => `  - name: ${name}\n    type: ${type}\n    script: |\n${indent(script)}\n`;
  return `converters:\n${converter('decoder', 'uplink', decoder)}${encoder ? converter('encoder', 'downlink', encoder) : ''}`;
}

export function mqttIntegrationYaml(opts: { port: number; clientId: string; filter: string; decoder: string; encoder?: string; extra?: string }): string {
  return `
${convertersYaml(opts.decoder, opts.encoder)}
integrations:
  - name: plant
    type: mqtt
    uplinkConverter: decoder
${opts.encoder ? '    downlinkConverter: encoder\n' : ''}    allowCreateDevices: true
    config:
      host: 127.0.0.1
      port: ${opts.port}
      clientId: ${opts.clientId}
      cleanSession: false
      topicFilters: [{ filter: "${opts.filter}", qos: 1 }]
      downlinkTopicPattern: "commands/$\{deviceName}"
${opts.extra ?? ''}`;
}

/** Publishes `count` QoS 1 messages `{seq}` with a bounded window; resolves when all are PUBACKed. */
export async function publishSeq(url: string, topic: (i: number) => string, from: number, to: number, opts: { window?: number; delayEvery?: number; delayMs?: number; clientId?: string } = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: opts.clientId ?? `pub-${process.pid}-${Date.now()}`, clean: false, reconnectPeriod: 200 });
  const window = opts.window ?? 200;
  let pending: Array<Promise<unknown>> = [];
  for (let i = from; i < to; i++) {
    pending.push(client.publishAsync(topic(i), JSON.stringify({ seq: i, ts: 1_700_000_000_000 + i, temperature: 20 + (i % 10), model: 'TH-1' }), { qos: 1 }));
    if (pending.length >= window) {
      await Promise.all(pending);
      pending = [];
      if (opts.delayEvery && opts.delayMs && i % opts.delayEvery === 0) await new Promise((r) => setTimeout(r, opts.delayMs));
    }
  }
  await Promise.all(pending);
  return client;
}
