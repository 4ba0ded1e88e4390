/** Config and data for the gcp-pubsub end-to-end tests (Cloudbridge app + the emulator). */
import assert from 'node:assert/strict';
import { integrationYaml } from '../aws-common/fixtures.ts';
import { waitFor, type TestApp } from '../../e2e/harness.ts';
import type { PubSubEmulator } from '../../peers/pubsub-emulator.ts';

export const STATUS = '/integrations/pubsub/status';

export interface PubSubStatus { state: string; lastError?: { code: string; message: string } | null; counters: { stored: number; deadLettered: number; duplicates: number }; details?: Record<string, unknown> }

/** Waits until `n` messages (SEQ_DECODER, two points each) are stored and all acknowledged; asserts each is stored exactly once. */
export async function assertStoredOnceAndAcked(t: TestApp, n: number, timeoutMs = 120_000): Promise<PubSubStatus> {
  await waitFor(async () => (await t.api.get<PubSubStatus>(STATUS)).counters.stored >= n, `${n} stored`, timeoutMs, 200);
  await waitFor(async () => (await t.api.get<PubSubStatus>(STATUS)).details?.outstanding === 0, 'every message acknowledged', 30_000, 200);
  assert.equal(await t.app.store.countTelemetry(), n * 2, 'two points per message (seq, tbId): nothing twice');
  assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, n, 'one device per message: nothing lost');
  return t.api.get<PubSubStatus>(STATUS);
}

/** One device per message (`dev-<seq>`), telemetry WITHOUT ts: a duplicate shows as a second point. */
export const SEQ_DECODER = `
var data = decodeToJson(payload);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { seq: data.seq, tbId: metadata.pubSubMsgId === metadata.messageId ? 1 : 0 } };
`;

export const PUBSUB_ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName, command: msgType, orderingKey: metadata.deviceName } };
`;

export function seqBodies(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => JSON.stringify({ seq: from + i, temperature: 20 + ((from + i) % 10) }));
}

export function pubSubIntegrationYaml(peer: PubSubEmulator, opts: { subscription: string; downlinkTopic?: string; extra?: Record<string, unknown>; decoder?: string }): string {
  return integrationYaml({
    type: 'gcp-pubsub', name: 'pubsub', decoder: opts.decoder ?? SEQ_DECODER, encoder: PUBSUB_ENCODER,
    config: {
      projectId: peer.project,
      subscription: opts.subscription,
      apiEndpoint: peer.endpoint,
      ...(opts.downlinkTopic ? { downlinkTopic: opts.downlinkTopic } : {}),
      ...opts.extra,
    },
  });
}
