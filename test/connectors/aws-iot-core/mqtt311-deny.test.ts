/**
 * MQTT 3.1.1 denials the way AWS IoT answers them, on aedes behind a mutual-TLS server (docs/testing.md,
 * "AWS IoT Core and MQTT"): a denied publish closes the connection without a PUBACK, a denied subscription gets SUBACK
 * 0x80, a client id other than the certificate CN is refused at CONNACK.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsIotCoreSource, PERMISSIONS_ADVICE, AUTH_ADVICE, type AwsIotCoreConfig } from '../../../src/connectors/aws-iot-core/index.ts';
import { startAedesIotBroker, type AedesIotBroker } from '../../peers/aedes-iot-broker.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../../peers/test-pki.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown> };

describe('aws-iot-core: MQTT 3.1.1 denials (aedes with mutual TLS)', () => {
  let pki: TestPki;
  let service: IssuedCert;
  let broker: AedesIotBroker;
  before(async () => {
    pki = await createTestPki();
    service = await pki.issue('iot-service');
    broker = await startAedesIotBroker({
      ca: pki.ca,
      server: await pki.issue('localhost', { server: true }),
      rules: {
        publish: (cn, topic) => cn === 'iot-service' && topic.startsWith('commands/'),
        subscribe: (cn, filter) => (cn === 'iot-service' && filter === 'devices/+/telemetry' ? 'grant' : filter.startsWith('secret/') ? 'suback-failure' : 'disconnect'),
      },
    });
  });
  after(async () => {
    await broker?.close();
    await pki?.dispose();
  });

  function connector(overrides: Partial<AwsIotCoreConfig> = {}): { source: AwsIotCoreSource; ctx: ReturnType<typeof createTestContext> } {
    const ctx = createTestContext();
    const config: AwsIotCoreConfig = {
      endpoint: broker.host, port: broker.port, clientId: 'iot-service', protocolVersion: 4,
      credentials: { ca: pki.ca, ...service }, topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }],
      downlinkTopicPattern: 'commands/${deviceName}', reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, connectTimeoutMs: 3000,
      ...overrides,
    };
    return { source: new AwsIotCoreSource(config, ctx, { random: () => 0.5 }), ctx };
  }

  it('a denied publish closes the connection right after: the downlink fails naming iot:Publish, then it reconnects', async () => {
    const { source } = connector({ downlinkTopicPattern: 'devices/${deviceName}/config' });
    await source.start();
    try {
      await assert.rejects(source.sendDownlink({ contentType: 'TEXT', data: Buffer.from('x'), metadata: { deviceName: 'device-001' } }, AbortSignal.timeout(5000)), (err: CodedError) => {
        assert.equal(err.code, 'DOWNLINK_FAILED');
        assert.ok(err.message.includes(PERMISSIONS_ADVICE), err.message);
        assert.match(err.message, /closed before AWS IoT confirmed the downlink to "devices\/device-001\/config".*iot:Publish on arn:aws:iot:<region>:<account-id>:topic\/devices\/device-001\/config/);
        return true;
      });
      await waitFor(() => source.status().reconnects >= 1 && source.status().connected, 'reconnected');
    } finally {
      await source.stop({ drainMs: 500 });
    }
  });

  it('a denied subscription (SUBACK failure): the start fails naming the filter and the permissions to grant', async () => {
    const { source } = connector({ topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }, { filter: 'secret/#', qos: 1 }] });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'PERMISSION_DENIED');
      assert.equal(err.details?.field, 'topicFilters');
      assert.match(err.message, /refused the subscription to "secret\/#" .*iot:Subscribe on arn:aws:iot:<region>:<account-id>:topicfilter\/secret\/#/);
      assert.ok(err.message.includes(PERMISSIONS_ADVICE));
      return true;
    });
  });

  it('a denied subscription answered by closing the connection: the start fails with the permissions to grant', async () => {
    const { source } = connector({ topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }, { filter: 'forbidden/#', qos: 1 }] });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'PERMISSION_DENIED');
      assert.match(err.message, /closed the connection while subscribing, which is how it answers a subscription the policy denies/);
      assert.ok(err.message.includes(PERMISSIONS_ADVICE));
      return true;
    });
  });

  it('a client id the policy does not allow: authentication rejected', async () => {
    const { source } = connector({ clientId: 'someone-else' });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'AUTH_FAILED');
      assert.ok(err.message.includes(AUTH_ADVICE), err.message);
      assert.match(err.message, /iot:Connect on arn:aws:iot:<region>:<account-id>:client\/someone-else/);
      return true;
    });
  });
});
