/** Config and data for the aws-sqs end-to-end tests (Cloudbridge app + fauxqs). */
import { FAUXQS_CREDENTIALS, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { integrationYaml, peerConnection } from '../aws-common/fixtures.ts';

/** One device per message (`dev-<seq>`), telemetry WITHOUT ts: a duplicate shows as a second point. A body with "bad" throws. */
export const SEQ_DECODER = `
var data = decodeToJson(payload);
if (data.bad) throw new Error('bad reading from ' + metadata.messageId);
return { deviceName: 'dev-' + data.seq, deviceType: 'probe', telemetry: { seq: data.seq, receives: Number(metadata.approximateReceiveCount) } };
`;

export const SQS_ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName, command: msgType } };
`;

export function seqBodies(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => JSON.stringify({ seq: from + i, temperature: 20 + ((from + i) % 10) }));
}

export function sqsIntegrationYaml(peer: FauxqsPeer, opts: { queueUrl: string; downlinkQueueUrl?: string; extra?: Record<string, unknown>; decoder?: string }): string {
  return integrationYaml({
    type: 'aws-sqs', name: 'queue', decoder: opts.decoder ?? SEQ_DECODER, encoder: SQS_ENCODER,
    config: {
      queueUrl: opts.queueUrl,
      ...peerConnection(peer, FAUXQS_CREDENTIALS, { region: false }),
      waitTimeSeconds: 2,
      ...(opts.downlinkQueueUrl ? { downlinkQueueUrl: opts.downlinkQueueUrl } : {}),
      ...opts.extra,
    },
  });
}
