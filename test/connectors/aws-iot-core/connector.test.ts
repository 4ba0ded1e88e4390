/**
 * The aws-iot-core connector against Mosquitto with mutual TLS and a per-identity ACL (the AWS IoT
 * stand-in of docs/testing.md, "AWS IoT Core and MQTT"): uplink, downlink, and each documented error as a user sees it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AUTH_ADVICE, DUPLICATE_ADVICE, ENDPOINT_ADVICE, awsIotCoreConnector } from '../../../src/connectors/aws-iot-core/index.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { freePort } from '../../peers/free-port.ts';
import { createTestPki, type TestPki } from '../../peers/test-pki.ts';
import { createTestContext, texts } from '../../support/connector-context.ts';
import { watchUnderTest } from '../../support/credential-watch.ts';
import { awsConfig, createAwsConnector } from './helpers.ts';
import { waitFor } from '../../support/wait.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown>; retryable?: boolean };

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve(typeof a === 'object' && a ? a.port : 0);
  }));
}

describe('aws-iot-core connector on an mTLS broker with a per-identity ACL', () => {
  let iot: AwsIotBroker;
  let rogue: TestPki;
  before(async () => {
    iot = await startAwsIotBroker();
    rogue = await createTestPki('Rogue CA');
  });
  after(async () => {
    await iot?.dispose();
    await rogue?.dispose();
  });

  it('delivers uplinks with the topic and MQTT 5 user properties as metadata, and reports the certificate in its status', async () => {
    const { source, ctx } = await createAwsConnector(iot);
    await source.start();
    try {
      const device = await iot.connect('device-001', { protocolVersion: 5 });
      await device.publishAsync('devices/device-001/telemetry', '{"t":21}', { qos: 1, properties: { userProperties: { fw: '1.2' } } });
      await waitFor(() => ctx.delivered.length === 1, 'the uplink');
      assert.deepEqual(texts(ctx.delivered), ['{"t":21}']);
      assert.deepEqual(ctx.delivered[0]?.metadata, { fw: '1.2', topic: 'devices/device-001/telemetry' });
      const status = source.status();
      const service = new X509Certificate((await iot.identity(SERVICE_IDENTITY)).cert);
      assert.equal(status.connected, true);
      assert.equal(status.certificate?.subject, 'CN=iot-service');
      assert.equal(status.certificateExpiresAt, Date.parse(service.validTo));
      assert.equal(status.trust, 'credentials.ca');
      assert.deepEqual(status.subscriptions, [{ filter: 'devices/+/telemetry', requestedQos: 1, grantedQos: 1 }]);
      assert.deepEqual(ctx.warnings.map((w) => w.code), ['CONFIG_WARNING'], 'only the "not an AWS endpoint" warning');
      await device.endAsync();
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('with connections 2, spreads the uplinks over <clientId> and <clientId>-2 in one shared subscription (MQTT 3.1.1 and 5)', async () => {
    for (const protocolVersion of [4, 5] as const) {
      const { source, ctx, config } = await createAwsConnector(iot, { connections: 2, protocolVersion });
      await source.start();
      try {
        const device = await iot.connect('device-002', { protocolVersion });
        await Promise.all(Array.from({ length: 40 }, (_, i) => device.publishAsync('devices/device-002/telemetry', `{"n":${i}}`, { qos: 1 })));
        await waitFor(() => ctx.delivered.length === 40, '40 uplinks');
        const status = source.status();
        assert.equal(status.connected, true);
        assert.deepEqual(status.connections.map((c) => c.clientId), [config.clientId, `${config.clientId}-2`]);
        assert.deepEqual(status.subscriptions, [{ filter: `$share/${config.clientId}/devices/+/telemetry`, requestedQos: 1, grantedQos: 1 }]);
        assert.ok(status.connections.every((c) => c.received > 0), `both took a share: ${status.connections.map((c) => c.received).join(', ')}`);
        assert.deepEqual(new Set(texts(ctx.delivered)).size, 40, 'each uplink once');
        await device.endAsync();
      } finally {
        await source.stop({ drainMs: 1000 });
      }
    }
  });

  it('publishes a downlink with QoS 1 to the topic built from downlinkTopicPattern', async () => {
    const { source } = await createAwsConnector(iot);
    await source.start();
    try {
      const device = await iot.connect('device-001');
      await device.subscribeAsync('commands/device-001/#', { qos: 1 });
      const got = new Promise<{ topic: string; payload: string; qos: number }>((resolve) => device.on('message', (topic, payload, packet) => resolve({ topic, payload: payload.toString(), qos: packet.qos })));
      await source.sendDownlink({ contentType: 'JSON', data: Buffer.from('{"open":true}'), metadata: { deviceName: 'device-001' } }, AbortSignal.timeout(5000));
      assert.deepEqual(await got, { topic: 'commands/device-001/set', payload: '{"open":true}', qos: 1 });
      await device.endAsync();
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('a publish the ACL denies (MQTT 5) fails the downlink with the reason and the permission to grant', async () => {
    const { source } = await createAwsConnector(iot, { downlinkTopicPattern: 'devices/${deviceName}/config' });
    await source.start();
    try {
      await assert.rejects(source.sendDownlink({ contentType: 'TEXT', data: Buffer.from('x'), metadata: { deviceName: 'device-001' } }, AbortSignal.timeout(5000)), (err: CodedError) => {
        assert.equal(err.code, 'DOWNLINK_FAILED');
        assert.equal(err.retryable, false);
        assert.equal(err.details?.reasonCode, 135);
        assert.match(err.message, /did not accept the downlink to "devices\/device-001\/config": not authorized \(reason code 135\): grant iot:Connect, iot:Subscribe, iot:Receive, iot:Publish: iot:Publish on arn:aws:iot:<region>:<account-id>:topic\/devices\/device-001\/config/);
        return true;
      });
      assert.equal(source.status().connected, true, 'MQTT 5: the connection is kept');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('a certificate from an untrusted CA: authentication rejected, activate the certificate and attach a policy', async () => {
    const untrusted = await rogue.issue(SERVICE_IDENTITY);
    const { source, ctx } = await createAwsConnector(iot, {}, createTestContext(), untrusted);
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'AUTH_FAILED');
      assert.equal(err.details?.field, 'credentials.cert');
      assert.ok(err.message.includes(AUTH_ADVICE), err.message);
      assert.match(err.message, /ALERT_UNKNOWN_CA/);
      return true;
    });
    assert.equal(ctx.states.at(-1)?.state, 'disconnected');
  });

  it('an expired certificate is refused before connecting; one the broker finds expired gives the renewal advice', async () => {
    const expired = await iot.identity(SERVICE_IDENTITY, { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
    const refused = await createAwsConnector(iot, {}, createTestContext(), expired);
    await assert.rejects(refused.source.start(), (err: CodedError) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.details?.field, 'credentials.cert');
      assert.match(err.message, /expired on 2020-01-02T00:00:00\.000Z and AWS IoT refuses it: create a new certificate/);
      return true;
    });
    // This machine's clock is wrong (still 2020): the check passes, the broker refuses the certificate.
    const ctx = createTestContext();
    ctx.clock = { ...systemClock, now: () => Date.parse('2020-01-01T12:00:00Z') };
    const skewed = await createAwsConnector(iot, {}, ctx, expired);
    await assert.rejects(skewed.source.start(), (err: CodedError) => {
      assert.equal(err.code, 'AUTH_FAILED');
      assert.match(err.message, /rejected the client certificate as expired \(ERR_SSL_\S*ALERT_CERTIFICATE_EXPIRED\): authentication rejected: activate the certificate and attach a policy in AWS IoT: create a new certificate/);
      return true;
    });
  });

  it('a certificate expiring within 30 days: the connector raises no warning of its own, the credential watch raises one with the AWS renewal steps', async () => {
    const shortLived = await iot.identity(SERVICE_IDENTITY, { days: 10 });
    const { source, ctx, config } = await createAwsConnector(iot, {}, createTestContext(), shortLived);
    await source.start();
    try {
      assert.deepEqual(ctx.warnings.map((w) => w.code), ['CONFIG_WARNING'], 'only the "not an AWS endpoint" warning');
      const t = watchUnderTest();
      const integration = t.integration('iot', 'aws-iot-core', config);
      t.watch.check([{ config: integration, details: source.status() }]);
      assert.deepEqual(t.warnings.map((w) => w.details.credential), ['credentials.cert']);
      assert.match(t.warnings[0]?.message ?? '', /^integration "iot": credentials\.cert: the certificate "CN=iot-service" expires on \S+ \(in 10 days\): before then, create a new certificate in AWS IoT/);
      assert.equal(t.warnings[0]?.details.expiresAt, source.status().certificateExpiresAt);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('a second connection with the same client id kicking ours: duplicate client id (MQTT 5 and 3.1.1)', async () => {
    for (const protocolVersion of [5, 4] as const) {
      const { source, ctx, config } = await createAwsConnector(iot, { protocolVersion, reconnect: { initialDelayMs: 2000, maxDelayMs: 2000 } });
      await source.start();
      try {
        const intruder = await iot.connect('device-001', { clientId: config.clientId, clean: true, protocolVersion });
        await waitFor(() => ctx.states.some((s) => s.state === 'disconnected'), 'our connection kicked');
        const error = ctx.states.find((s) => s.state === 'disconnected')?.error as CodedError;
        assert.ok(error.message.includes(DUPLICATE_ADVICE), `MQTT ${protocolVersion}: ${error.message}`);
        await intruder.endAsync(true);
      } finally {
        await source.stop({ drainMs: 500 });
      }
    }
  });

  it('a connection that times out: check the region-specific endpoint', async () => {
    const silent = createTcpServer(() => undefined);
    const port = await listen(silent);
    try {
      const { source } = await createAwsConnector(iot, { port, connectTimeoutMs: 300 });
      await assert.rejects(source.start(), (err: CodedError) => {
        assert.equal(err.code, 'CONNECTION_TIMEOUT');
        assert.equal(err.details?.field, 'endpoint');
        assert.ok(err.message.includes(ENDPOINT_ADVICE), err.message);
        return true;
      });
    } finally {
      silent.close();
    }
  });

  it('offers ALPN x-amzn-mqtt-ca when asked (as on port 443)', async () => {
    const server = await iot.identity('localhost', { server: true });
    let negotiated: string | false | null | undefined;
    const tls = createTlsServer({ ...server, ALPNProtocols: ['x-amzn-mqtt-ca'] }, (socket) => {
      negotiated = socket.alpnProtocol;
      socket.destroy();
    });
    const port = await listen(tls);
    try {
      const { source } = await createAwsConnector(iot, { port, alpn: true, connectTimeoutMs: 1000 });
      await assert.rejects(source.start());
      assert.equal(negotiated, 'x-amzn-mqtt-ca');
    } finally {
      tls.close();
    }
  });

  it('checks the connection with its own client id, and explains an authentication failure', async () => {
    const ok = await awsIotCoreConnector.testConnection(await awsConfig(iot), AbortSignal.timeout(5000));
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.deepEqual(ok.checks.map((c) => c.name), ['certificate', 'connect', 'subscribe']);
    assert.match(ok.checks[0]?.message ?? '', /client certificate "CN=iot-service" \(serial \w+\) valid until/);
    const untrusted = await rogue.issue(SERVICE_IDENTITY);
    const bad = await awsIotCoreConnector.testConnection(await awsConfig(iot, {}, untrusted), AbortSignal.timeout(5000));
    assert.equal(bad.ok, false);
    assert.equal(bad.error?.code, 'AUTH_FAILED');
    assert.match(bad.checks.at(-1)?.message ?? '', /connects as client id "cb-aws-\d+-\d+-check"/);
  });

  it('an endpoint that cannot be resolved: check the region-specific endpoint', async () => {
    const port = await freePort();
    const { source } = await createAwsConnector(iot, { endpoint: 'no-such-endpoint.invalid', port, connectTimeoutMs: 2000 });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.ok(err.message.includes(ENDPOINT_ADVICE), err.message);
      return true;
    });
  });
});
