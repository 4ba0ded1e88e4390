/** Config and data for the aws-sqs end-to-end tests (Cloudbridge app + fauxqs). */
import { FAUXQS_CREDENTIALS, type FauxqsPeer } from '../../peers/fauxqs.ts';

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
  const indent = (s: string): string => s.trim().split('\n').map((l) => `      ${l}`).join('\n');
  const config: Record<string, unknown> = {
    queueUrl: opts.queueUrl,
    endpoint: peer.endpoint,
    accessKeyId: FAUXQS_CREDENTIALS.accessKeyId,
    secretAccessKey: FAUXQS_CREDENTIALS.secretAccessKey,
    waitTimeSeconds: 2,
    ...(opts.downlinkQueueUrl ? { downlinkQueueUrl: opts.downlinkQueueUrl } : {}),
    ...opts.extra,
  };
  return `
converters:
  - name: decoder
    type: uplink
    script: |
${indent(opts.decoder ?? SEQ_DECODER)}
  - name: encoder
    type: downlink
    script: |
${indent(SQS_ENCODER)}
integrations:
  - name: queue
    type: aws-sqs
    uplinkConverter: decoder
    downlinkConverter: encoder
    allowCreateDevices: true
    config: ${JSON.stringify(config)}
`;
}
