import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mqttConnector } from '../../../src/connectors/mqtt/index.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../../peers/test-pki.ts';
import { createConnector, publishAll, testClient } from './mqtt-test-client.ts';
import { texts } from '../../support/connector-context.ts';
import { watchUnderTest } from '../../support/credential-watch.ts';
import { waitFor } from '../../support/wait.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown> };

describe('mqtt connector: TLS', () => {
  let pki: TestPki;
  let server: IssuedCert;
  let device: IssuedCert;
  let serverTls: MosquittoBroker;
  let mutualTls: MosquittoBroker;
  before(async () => {
    pki = await createTestPki();
    server = await pki.issue('broker', { server: true });
    device = await pki.issue('cloudbridge');
    serverTls = await startMosquitto({ tls: { ca: pki.ca, ...server } });
    mutualTls = await startMosquitto({
      tls: { ca: pki.ca, ...server, requireCertificate: true, useIdentityAsUsername: true },
      allowAnonymous: false,
      acl: ['user cloudbridge', 'topic read devices/#', 'user publisher', 'topic write devices/#'].join('\n'),
    });
  });
  after(async () => {
    await serverTls?.dispose();
    await mutualTls?.dispose();
    await pki?.dispose();
  });

  it('connects over TLS when tls.ca trusts the broker certificate', async () => {
    const { source, ctx } = createConnector(serverTls, { tls: { enabled: true, ca: pki.ca }, topicFilters: [{ filter: 'devices/#', qos: 1 }] });
    await source.start();
    try {
      const pub = await testClient(serverTls, { ca: pki.ca });
      await publishAll(pub, 'devices/d1', ['over-tls']);
      await waitFor(() => ctx.delivered.length === 1, 'the message');
      assert.deepEqual(texts(ctx.delivered), ['over-tls']);
      await pub.endAsync();
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('fails with TLS_FAILED pointing at tls.ca when the broker certificate is not trusted', async () => {
    const { source } = createConnector(serverTls, { tls: { enabled: true } });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'TLS_FAILED');
      assert.equal(err.details?.field, 'tls.ca');
      assert.match(err.message, /not trusted.*tls\.ca/);
      return true;
    });
  });

  it('fails with TLS_FAILED pointing at tls.servername when the certificate names another host', async () => {
    const { source } = createConnector(serverTls, { tls: { enabled: true, ca: pki.ca, servername: 'evil.example' } });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'TLS_FAILED');
      assert.equal(err.details?.field, 'tls.servername');
      return true;
    });
  });

  it('authenticates with a client certificate (its CN is the user for the ACL), also with an encrypted key', async () => {
    const encryptedKey = await pki.encryptKey(device.key, 'key-pass');
    const publisherCert = await pki.issue('publisher');
    const { source, ctx } = createConnector(mutualTls, {
      tls: { enabled: true, ca: pki.ca, cert: device.cert, key: encryptedKey, passphrase: 'key-pass' },
      topicFilters: [{ filter: 'devices/#', qos: 1 }],
    });
    await source.start();
    try {
      const pub = await testClient(mutualTls, { ca: pki.ca, ...publisherCert });
      await publishAll(pub, 'devices/d1', ['mutual']);
      await waitFor(() => ctx.delivered.length === 1, 'the message');
      assert.deepEqual(texts(ctx.delivered), ['mutual']);
      await pub.endAsync();
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('a client certificate expiring soon: the connector connects without a warning of its own, the credential watch raises the one warning', async () => {
    const shortLived = await pki.issue('cloudbridge', { days: 5 });
    const { source, ctx, config } = createConnector(mutualTls, { tls: { enabled: true, ca: pki.ca, ...shortLived } });
    await source.start();
    try {
      assert.deepEqual(ctx.warnings, []);
      assert.deepEqual(await mqttConnector.validate?.(config), [], 'the connector\'s validate() does not check the date either');
      const t = watchUnderTest();
      t.watch.check([{ config: t.integration('plant', 'mqtt', config) }]);
      assert.deepEqual(t.warnings.map((w) => w.details.credential), ['tls.cert']);
      assert.match(t.warnings[0]?.message ?? '', /^integration "plant": tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, put a renewed certificate in tls\.cert/);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('fails with TLS_FAILED asking for a client certificate when the broker requires one', async () => {
    const { source } = createConnector(mutualTls, { tls: { enabled: true, ca: pki.ca } });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'TLS_FAILED');
      assert.match(err.message, /client certificate/);
      return true;
    });
  });

  it('validate() rejects a wrong passphrase and a key that does not match the certificate, naming the field', async () => {
    const encryptedKey = await pki.encryptKey(device.key, 'key-pass');
    const other = await pki.issue('other');
    const base = { host: 'localhost', topicFilters: [{ filter: 'x/#' }], clientId: 'c1' };
    assert.throws(() => mqttConnector.validate?.({ ...base, tls: { enabled: true, cert: device.cert, key: encryptedKey, passphrase: 'nope' } }),
      (err: CodedError) => err.code === 'CONFIG_INVALID' && err.details?.field === 'tls.passphrase' && !err.message.includes('nope'));
    assert.throws(() => mqttConnector.validate?.({ ...base, tls: { enabled: true, cert: device.cert, key: other.key } }),
      (err: CodedError) => err.code === 'CONFIG_INVALID' && err.details?.field === 'tls.key');
    assert.throws(() => mqttConnector.validate?.({ ...base, tls: { enabled: true, ca: 'not a pem' } }),
      (err: CodedError) => err.code === 'CONFIG_INVALID' && err.details?.field === 'tls.ca');
    assert.deepEqual(mqttConnector.validate?.({ ...base, tls: { enabled: true, ca: pki.ca, cert: device.cert, key: device.key } }), []);
  });
});
