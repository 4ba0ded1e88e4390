/** Config and data for the gcp-pubsub end-to-end tests (Cloudbridge app + the emulator). */
import { integrationYaml } from '../aws-common/fixtures.ts';
import type { PubSubEmulator } from '../../peers/pubsub-emulator.ts';

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
