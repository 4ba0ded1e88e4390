/** Config and data of the azure-event-hubs end-to-end tests (Cloudbridge app in a child process + the Azure double in this one). */
import { integrationYaml } from '../aws-common/fixtures.ts';
import { KEYS, KINESIS_ENCODER, SEQ_DECODER } from '../aws-kinesis/e2e-fixtures.ts';
import type { AzureDouble } from '../../peers/azure/index.ts';
import { hubConfig } from './helpers.ts';

export { assertEachOnce, storedSeqs } from '../aws-kinesis/e2e-fixtures.ts';

/** An app with the integration `hub` reading `hub` on the double: SEQ_DECODER devices, ownership of 6 s. */
export function eventHubsIntegrationYaml(azure: AzureDouble, hub: string, extra: Record<string, unknown> = {}): string {
  return integrationYaml({ type: 'azure-event-hubs', name: 'hub', decoder: SEQ_DECODER, encoder: KINESIS_ENCODER, config: { ...hubConfig(azure, hub), ...extra } });
}

/** Publishes events `{"k":…,"seq":…}` for seq in [from, to) with partition key `k<seq % keys>` (the service's hash places them). */
export function publishSeqs(azure: AzureDouble, hub: string, from: number, to: number): void {
  const byKey = new Map<number, Array<{ body: Buffer }>>();
  for (let seq = from; seq < to; seq++) {
    const k = seq % KEYS;
    const list = byKey.get(k) ?? [];
    list.push({ body: Buffer.from(JSON.stringify({ k, seq })) });
    byKey.set(k, list);
  }
  for (const [k, events] of byKey) azure.hooks.eventHubs.publish(hub, events, { partitionKey: `k${k}` });
}

/** Publishes rounds of 256 seqs every 50 ms until stopped; resolves with how many were published. */
export function keepPublishing(azure: AzureDouble, hub: string, from = 0): { stop(): Promise<number> } {
  let next = from;
  let running = true;
  const loop = (async () => {
    while (running) {
      publishSeqs(azure, hub, next, next + 256);
      next += 256;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { stop: async () => { running = false; await loop; return next; } };
}
