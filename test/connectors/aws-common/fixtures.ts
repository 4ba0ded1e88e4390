/**
 * What the tests of the AWS SDK connectors (aws-sqs, aws-kinesis) share: unique resource names, the
 * connection fields that point a config at an emulator peer, and the YAML of an app with one
 * integration and its uplink and downlink converters.
 */
import { randomUUID } from 'node:crypto';
import { convertersYaml } from '../../e2e/fixtures.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** An emulator peer: where it listens and the static credentials it is given. */
export interface AwsEmulatorPeer {
  readonly endpoint: string;
  readonly region: string;
}

/** The config fields `endpoint`, `region`, `accessKeyId`, `secretAccessKey` for a peer (region left out with `region: false`). */
export function peerConnection(
  peer: AwsEmulatorPeer, credentials: { accessKeyId: string; secretAccessKey: string }, opts: { region?: boolean } = {},
): { endpoint: string; region?: string; accessKeyId: string; secretAccessKey: string } {
  return {
    endpoint: peer.endpoint,
    ...(opts.region === false ? {} : { region: peer.region }),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
  };
}

/**
 * An app config with converters `decoder` (uplink) and `encoder` (downlink) and one integration of
 * `type` using both (allowCreateDevices), named `name`, with `config`.
 */
export function integrationYaml(opts: { type: string; name: string; decoder: string; encoder: string; config: Record<string, unknown> }): string {
  return `
${convertersYaml(opts.decoder, opts.encoder)}integrations:
  - name: ${opts.name}
    type: ${opts.type}
    uplinkConverter: decoder
    downlinkConverter: encoder
    allowCreateDevices: true
    config: ${JSON.stringify(opts.config)}
`;
}
