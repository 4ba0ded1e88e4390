/**
 * The connector contract (test/contracts/) for `gcp-pubsub`, against the Pub/Sub emulator. The
 * emulator takes no credentials, so the secret the suite looks for is a service account key the
 * config carries (ignored by an http:// endpoint, still a secret field that must not leak).
 */
import { generateKeyPairSync } from 'node:crypto';
import { gcpPubSubConnector } from '../../../src/connectors/gcp-pubsub/index.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { startPubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { emulatorConfig, freshSubscription } from './helpers.ts';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = PRIVATE_KEY.split('\n')[1] ?? '';

connectorContract({
  type: 'gcp-pubsub',
  async startPeer() {
    const peer = await startPubSubEmulator();
    return {
      async source(name) {
        const { topic, subscription } = await freshSubscription(peer, `contract-${name}`, { ackDeadlineSeconds: 10 });
        const credentials = JSON.stringify({ type: 'service_account', project_id: peer.project, client_email: `cb@${peer.project}.iam.gserviceaccount.com`, private_key: PRIVATE_KEY });
        const config = emulatorConfig(peer, subscription, { credentials });
        return {
          secrets: [KEY_BODY],
          create: (ctx) => gcpPubSubConnector.create(config, ctx),
          testConnection: (signal) => gcpPubSubConnector.testConnection(config, signal),
          publish: (payloads) => peer.publish(topic, payloads),
          unacknowledged: async () => (await peer.drain(subscription)).length,
          dispose: async () => undefined,
        };
      },
      stop: () => peer.stop(),
    };
  },
});
