import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { parseWithSchema } from '../../../src/app/validate.ts';
import {
  AUTH_ADVICE, AwsIotCoreConfigSpec, awsIotConnectSettings, awsIotCoreConnector, amazonRootTrust, checkClientId, DUPLICATE_ADVICE,
  ENDPOINT_ADVICE, PERMISSIONS_ADVICE, resolveAwsIotConfig, validateAwsIotConfig, type AwsIotCoreConfig,
} from '../../../src/connectors/aws-iot-core/index.ts';
import { connectorDoc } from '../../../src/docs/generate.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../../peers/test-pki.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown> };

const AWS_ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';

describe('aws-iot-core: validation at save and start', () => {
  let pki: TestPki;
  let cert: IssuedCert;
  let base: AwsIotCoreConfig;
  before(async () => {
    pki = await createTestPki();
    cert = await pki.issue('iot-service');
    base = { endpoint: AWS_ENDPOINT, clientId: 'cloudbridge-1', credentials: { cert: cert.cert, key: cert.key }, topicFilters: [{ filter: 'devices/+/telemetry' }] };
  });
  after(async () => { await pki?.dispose(); });

  const messages = (config: AwsIotCoreConfig): string[] => validateAwsIotConfig(config).warnings.map((w) => w.message);

  it('accepts a correct AWS config without warnings and applies the defaults', () => {
    assert.deepEqual(awsIotCoreConnector.validate?.(base), []);
    const c = resolveAwsIotConfig(base);
    assert.equal(c.port, 8883);
    assert.equal(c.alpn, false);
    assert.equal(c.protocolVersion, 5);
    assert.equal(c.persistentSession, true);
    assert.equal(c.downlinkTopicPattern, '${topic}');
    assert.equal(resolveAwsIotConfig({ ...base, port: 443 }).alpn, true);
  });

  it('trusts Amazon Root CA 1 from the Node.js root store by default and offers ALPN on port 443', () => {
    const trust = amazonRootTrust();
    assert.match(trust.source, /^Amazon Root CA 1 and Amazon Root CA 3 from the Node\.js .* root store$/);
    const settings = awsIotConnectSettings(resolveAwsIotConfig({ ...base, port: 443 }));
    const subjects = (settings.tls?.ca ?? '').split(/(?<=-----END CERTIFICATE-----)\n?/).filter((p) => p.includes('BEGIN')).map((p) => new X509Certificate(p).subject);
    assert.deepEqual(subjects, ['C=US\nO=Amazon\nCN=Amazon Root CA 1', 'C=US\nO=Amazon\nCN=Amazon Root CA 3']);
    assert.deepEqual(settings.tls?.alpnProtocols, ['x-amzn-mqtt-ca']);
    assert.equal(settings.cleanSession, false);
    assert.equal(awsIotConnectSettings(resolveAwsIotConfig(base)).tls?.alpnProtocols, undefined);
  });

  it('refuses an expired certificate, naming credentials.cert and the way to renew it', async () => {
    const expired = await pki.issue('iot-service', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, credentials: expired }), (err: CodedError) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.details?.field, 'credentials.cert');
      assert.match(err.message, /the certificate "CN=iot-service" expired on 2020-01-02T00:00:00\.000Z .*create a new certificate in AWS IoT/);
      return true;
    });
  });

  it('accepts a certificate expiring within 30 days without a warning of its own: the credential watch warns (CREDENTIAL_EXPIRY)', async () => {
    const soon = await pki.issue('iot-service', { days: 5 });
    const checked = validateAwsIotConfig({ ...base, credentials: soon });
    assert.deepEqual(checked.warnings, []);
    assert.equal(checked.certificate.notAfter, Date.parse(new X509Certificate(soon.cert).validTo));
  });

  it('refuses PEM texts that do not parse, a key of another certificate and a wrong passphrase, never echoing secrets', async () => {
    const other = await pki.issue('other');
    const encrypted = await pki.encryptKey(cert.key, 'right-pass');
    const cases: Array<[AwsIotCoreConfig['credentials'], string]> = [
      [{ cert: 'not a pem', key: cert.key }, 'credentials.cert'],
      [{ cert: cert.cert, key: other.key }, 'credentials.key'],
      [{ cert: cert.cert, key: encrypted, passphrase: 'wrong-pass' }, 'credentials.passphrase'],
      [{ cert: cert.cert, key: cert.key, ca: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' }, 'credentials.ca'],
    ];
    for (const [credentials, field] of cases) {
      assert.throws(() => awsIotCoreConnector.validate?.({ ...base, credentials }), (err: CodedError) => {
        assert.equal(err.code, 'CONFIG_INVALID', field);
        assert.equal(err.details?.field, field);
        assert.ok(!err.message.includes('wrong-pass') && !err.message.includes('PRIVATE KEY'), 'no secret in the message');
        return true;
      });
    }
    assert.deepEqual(awsIotCoreConnector.validate?.({ ...base, credentials: { cert: cert.cert, key: encrypted, passphrase: 'right-pass' } }), []);
  });

  it('warns (does not refuse) when the endpoint does not look like an AWS IoT device data endpoint', () => {
    assert.match(messages({ ...base, endpoint: '127.0.0.1' })[0] ?? '', /does not look like an AWS IoT endpoint .*fine for a custom domain or a test broker/);
    assert.match(messages({ ...base, endpoint: 'iot.eu-west-1.amazonaws.com' })[0] ?? '', /control-plane API, not a device data endpoint/);
    assert.match(messages({ ...base, endpoint: 'a1b2c3d4e5f6g7.iot.eu-west-1.amazonaws.com' })[0] ?? '', /legacy endpoint .*use the ATS endpoint "a1b2c3d4e5f6g7-ats\.iot\.eu-west-1\.amazonaws\.com"/);
    assert.match(messages({ ...base, endpoint: `mqtts://${AWS_ENDPOINT}:8883` })[0] ?? '', /bare host name/);
    assert.deepEqual(messages({ ...base, endpoint: 'a1b2c3d4e5f6g7.ats.iot.cn-north-1.amazonaws.com.cn' }), []);
    assert.equal(validateAwsIotConfig(base).region, 'eu-west-1');
  });

  it('warns that a "#" filter is too broad, and about QoS 0, a wrong port and fast reconnects', () => {
    const w = messages({ ...base, topicFilters: [{ filter: '#' }, { filter: '$share/g/+/#' }, { filter: 'devices/#' }, { filter: 'raw/+', qos: 0 }], port: 1883, reconnect: { initialDelayMs: 100 } });
    assert.equal(w.filter((m) => /too broad/.test(m)).length, 2);
    assert.ok(w.some((m) => /topicFilters\[0\]\.filter "#" is too broad/.test(m)));
    assert.ok(w.some((m) => /topicFilters\[3\]\.filter "raw\/\+" uses QoS 0/.test(m)));
    assert.ok(w.some((m) => /^port 1883: AWS IoT accepts .*8883.*443/.test(m)));
    assert.ok(w.some((m) => /one CONNECT per second per client id/.test(m)));
    assert.ok(messages({ ...base, port: 443, alpn: false }).some((m) => /ALPN x-amzn-mqtt-ca/.test(m)));
  });

  it('refuses what AWS IoT refuses: more than 8 filters, invalid filters, a missing clientId', () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ filter: `t/${i}` }));
    assert.throws(() => parseWithSchema(AwsIotCoreConfigSpec, { ...base, topicFilters: nine }), (err: CodedError) => err.code === 'CONFIG_INVALID' && err.details?.field === 'topicFilters');
    assert.throws(() => parseWithSchema(AwsIotCoreConfigSpec, { ...base, clientId: undefined }), (err: CodedError) => err.details?.field === 'clientId');
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, topicFilters: [{ filter: 'a/#/b' }] }), (err: CodedError) => err.details?.field === 'topicFilters[0].filter');
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, downlinkTopicPattern: 'commands/+' }), (err: CodedError) => err.details?.field === 'downlinkTopicPattern');
  });

  it('refuses connections whose client ids AWS IoT would refuse, and shared settings that cannot work', () => {
    const long = 'c'.repeat(127);
    assert.deepEqual(validateAwsIotConfig({ ...base, clientId: long }).warnings, []);
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, clientId: long, connections: 4 }), (err: CodedError) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.details?.field, 'clientId');
      assert.match(err.message, new RegExp(`the last connection uses client id "${long}-4" \\(129 bytes\\); AWS IoT accepts at most 128: shorten clientId to 126 bytes`));
      return true;
    });
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, connections: 2, topicFilters: [{ filter: '$share/g/devices/+/telemetry' }] }),
      (err: CodedError) => err.details?.field === 'topicFilters[0].filter' && /write the plain filter "devices\/\+\/telemetry"/.test(err.message));
    assert.throws(() => awsIotCoreConnector.validate?.({ ...base, sharedGroup: 'a#' }), (err: CodedError) => err.details?.field === 'sharedGroup');
    assert.equal(resolveAwsIotConfig({ ...base, connections: 3 }).connections, 3);
  });

  it('checks connections with a client id of its own, so the running integration is not disconnected', () => {
    assert.equal(checkClientId('cloudbridge-1'), 'cloudbridge-1-check');
    assert.equal(Buffer.byteLength(checkClientId('x'.repeat(128))), 128);
  });

  it('generates docs whose pitfalls map each documented error to its fix', () => {
    const page = connectorDoc(awsIotCoreConnector);
    assert.match(page, /## Pitfalls/);
    for (const advice of [AUTH_ADVICE, PERMISSIONS_ADVICE, DUPLICATE_ADVICE, ENDPOINT_ADVICE, 'expired', 'CREDENTIAL_EXPIRY', 'too broad']) {
      assert.ok(page.includes(advice), `pitfalls mention "${advice}"`);
    }
    for (const field of ['endpoint', 'clientId', 'credentials', 'topicFilters', 'downlinkTopicPattern', 'protocolVersion', 'persistentSession']) {
      assert.ok(page.includes(`\`${field}\``), `documents ${field}`);
    }
  });
});
