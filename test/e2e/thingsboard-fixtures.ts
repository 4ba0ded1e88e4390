/**
 * What the ThingsBoard end-to-end tests share: an app config with an `mqtt` integration (devices
 * from the topic `tb/<device>/up`, telemetry `{ts, values: {temperature, seq}}`) and a
 * `thingsboard-gateway` forwarder of it to the double, and readers of what the double stored.
 */
import { parse } from 'yaml';
import type { ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import type { ApiClient } from './harness.ts';
import { JSON_ENCODER, TB_DECODER, mqttIntegrationYaml } from './fixtures.ts';

export interface ForwarderView {
  name: string;
  status: { state: string; outbox: { depth: number; lagMs: number | null }; counters: { deliveredPoints: number; rejected: number }; details?: { holder?: string | null } };
}

/** The app config (as an object for spawnCloudbridge) with the integration `plant` and the forwarder `tb`. */
export function forwardingConfig(o: { brokerPort: number; tb: ThingsBoardDouble; clientId: string; integrationExtra?: string; forwarder?: Record<string, unknown> }): Record<string, unknown> {
  const config = parse(mqttIntegrationYaml({ port: o.brokerPort, clientId: o.clientId, filter: 'tb/+/up', decoder: TB_DECODER, encoder: JSON_ENCODER, extra: o.integrationExtra })) as Record<string, unknown>;
  config.forwarders = [{
    name: 'tb', type: 'thingsboard-gateway', integrations: ['plant'],
    config: { host: o.tb.host, port: o.tb.port, accessToken: o.tb.gateway.token, batchMaxDelayMs: 5, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, ...o.forwarder },
  }];
  return config;
}

/** The `seq` values the double received for a device, in arrival order (duplicates included). */
export function seqsReceived(tb: ThingsBoardDouble, device: string): number[] {
  return tb.telemetry(device).filter((p) => p.key === 'seq').map((p) => Number(p.value));
}

/** The `seq` values of the device's time series (one per ts), by ts. */
export function seqSeries(tb: ThingsBoardDouble, device: string): number[] {
  return tb.timeseries(device).filter((p) => p.key === 'seq').map((p) => Number(p.value));
}

/** seq values from..to-1 that `publishSeq` sent to `tb/dev-<seq % devices>/up`, for one device. */
export function expectedSeqs(device: number, devices: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (i % devices === device) out.push(i);
  return out;
}

export async function forwarderStatus(api: ApiClient): Promise<ForwarderView['status']> {
  return (await api.get<ForwarderView>('/forwarders/tb')).status;
}
