/** The connector contract (test/contracts/) for `aws-sqs`, against fauxqs. */
import { randomUUID } from 'node:crypto';
import { awsSqsConnector } from '../../../src/connectors/aws-sqs/index.ts';
import { startFauxqsPeer } from '../../peers/fauxqs.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { peerConfig, uniqueName } from './helpers.ts';

const SECRET = `contract-secret-${randomUUID()}`;

connectorContract({
  type: 'aws-sqs',
  async startPeer() {
    const peer = await startFauxqsPeer();
    return {
      async source(name) {
        const queue = uniqueName(`contract-${name}`);
        const url = await peer.createQueue(queue);
        const config = peerConfig(peer, url, { secretAccessKey: SECRET });
        return {
          secrets: [SECRET],
          create: (ctx) => awsSqsConnector.create(config, ctx),
          testConnection: (signal) => awsSqsConnector.testConnection(config, signal),
          publish: (payloads) => peer.sendAll(url, payloads),
          unacknowledged: async () => {
            const s = await peer.state(queue);
            return s.ready + s.inflight + s.delayed;
          },
          dispose: async () => undefined,
        };
      },
      stop: () => peer.stop(),
    };
  },
});
