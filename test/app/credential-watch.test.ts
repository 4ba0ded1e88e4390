/**
 * The credential watch is the one place expiring credentials are warned about: one warning per
 * credential per day, naming the integration or forwarder, the field (never the value), the date,
 * the days left and the fix (the connector's own advice where it has one). Certificates from a
 * test CA; the watch's clock is moved, nothing waits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { watchUnderTest } from '../support/credential-watch.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';

function mqttConfig(pki: TestPki, device: IssuedCert): Record<string, unknown> {
  return { host: 'localhost', port: 8883, clientId: 'c1', topicFilters: [{ filter: 'x/#', qos: 1 }], tls: { enabled: true, ca: pki.ca, cert: device.cert, key: device.key } };
}

describe('credential watch: one warning per expiring credential', () => {
  let pki: TestPki;
  let fiveDays: IssuedCert;
  let fortyDays: IssuedCert;
  let apiFiveDays: IssuedCert;
  let apiRenewed: IssuedCert;
  before(async () => {
    pki = await createTestPki();
    fiveDays = await pki.issue('cloudbridge', { days: 5 });
    fortyDays = await pki.issue('later', { days: 40 });
    apiFiveDays = await pki.issue('cloudbridge-api', { server: true, days: 5 });
    apiRenewed = await pki.issue('cloudbridge-api', { server: true, days: 90 });
  });
  after(() => pki?.dispose());

  it('an integration with one expiring certificate: exactly one warning per day, hourly checks or not, then the expired one', () => {
    const t = watchUnderTest();
    const plant = t.integration('plant', 'mqtt', mqttConfig(pki, fiveDays));
    for (let hour = 0; hour < 24; hour++) {
      t.watch.check([{ config: plant }]);
      t.advance(HOUR - 1);
    }
    assert.equal(t.warnings.length, 1, t.warnings.map((w) => w.message).join('\n'));
    const [first] = t.warnings;
    assert.deepEqual(first?.owner, { kind: 'integration', id: 'id-plant', name: 'plant' });
    assert.match(first?.message ?? '', new RegExp(`^integration "plant": tls\\.cert: the certificate "CN=cloudbridge" expires on ${ISO} \\(in 5 days\\): before then, put a renewed certificate in tls\\.cert \\(and its private key in the key field beside it\\); Cloudbridge reconnects with it without losing messages$`));
    assert.deepEqual([first?.details.credential, first?.details.state, first?.details.daysLeft], ['tls.cert', 'expiring', 5]);
    assert.ok(!JSON.stringify(t.warnings).includes('BEGIN'), 'no certificate or key material');

    t.advance(24);
    t.watch.check([{ config: plant }]);
    assert.equal(t.warnings.length, 2, 'the next day: once more');
    assert.match(t.warnings[1]?.message ?? '', /\(in 4 days\)/);

    t.advance(5 * DAY);
    t.watch.check([{ config: plant }]);
    t.watch.check([{ config: plant }]);
    assert.equal(t.warnings.length, 3, 'expired: at once, and once');
    assert.match(t.warnings[2]?.message ?? '', new RegExp(`^integration "plant": tls\\.cert: the certificate "CN=cloudbridge" expired on ${ISO} \\(1 day ago\\) and is refused: put a renewed certificate in tls\\.cert`));
    assert.equal(t.warnings[2]?.details.state, 'expired');
  });

  it('a certificate entering the warning window while running is warned about at the next check', () => {
    const t = watchUnderTest(30);
    const plant = t.integration('plant', 'mqtt', mqttConfig(pki, fortyDays));
    t.watch.check([{ config: plant }]);
    assert.equal(t.warnings.length, 0);
    t.advance(15 * DAY);
    t.watch.check([{ config: plant }]);
    assert.deepEqual(t.warnings.map((w) => w.message.match(/\(in \d+ days\)/)?.[0]), ['(in 25 days)']);
  });

  it('aws-iot-core: the fix is the connector\'s renewal steps for credentials.cert', () => {
    const t = watchUnderTest();
    const iot = t.integration('iot', 'aws-iot-core', {
      endpoint: 'a1b2c3-ats.iot.eu-west-1.amazonaws.com', clientId: 'cb-1', credentials: { cert: fiveDays.cert, key: fiveDays.key }, topicFilters: [{ filter: 'devices/+/telemetry' }],
    });
    t.watch.check([{ config: iot }]);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0]?.message ?? '', /^integration "iot": credentials\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, create a new certificate in AWS IoT .*put it in credentials\.cert and its key in credentials\.key; Cloudbridge reconnects/);
  });

  it('a thingsboard-gateway forwarder\'s client certificate: one warning labelled with the forwarder, with ThingsBoard\'s steps', () => {
    const t = watchUnderTest();
    const tb = { name: 'tb', type: 'thingsboard-gateway', config: { host: 'tb.example.com', credentials: { type: 'x509' }, tls: { ca: pki.ca, cert: fiveDays.cert, key: fiveDays.key } } };
    assert.deepEqual(t.watch.forwarderExpiries(tb).map((e) => e.credential), ['tls.ca', 'tls.cert']);
    t.watch.check([], [tb]);
    t.watch.check([], [tb]);
    assert.equal(t.warnings.length, 1, t.warnings.map((w) => w.message).join('\n'));
    assert.deepEqual(t.warnings[0]?.owner, { kind: 'forwarder', name: 'tb' });
    assert.match(t.warnings[0]?.message ?? '', /^forwarder "tb": tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, issue a new certificate for the gateway device, set it as the device's X\.509 credentials in ThingsBoard/);
  });

  it('the API\'s own certificate (server.tls.cert): warned about as owner "server" once a day; once renewed, no more warning', () => {
    const t = watchUnderTest();
    t.watch.setServerCertificate(apiFiveDays.cert + pki.ca);
    t.watch.checkServer();
    t.watch.checkServer();
    assert.equal(t.warnings.length, 1, t.warnings.map((w) => w.message).join('\n'));
    assert.deepEqual(t.warnings[0]?.owner, { kind: 'server', name: 'api' });
    assert.match(t.warnings[0]?.message ?? '', new RegExp(`^server: server\\.tls\\.cert: the certificate "CN=cloudbridge-api" expires on ${ISO} \\(in 5 days\\): before then, renew it and replace server\\.tls\\.cert and server\\.tls\\.key \\(same paths are fine\\); \`systemctl reload cloudbridge\` \\(SIGHUP\\) serves it without a restart$`));
    assert.deepEqual([t.warnings[0]?.details.credential, t.warnings[0]?.details.daysLeft], ['server.tls.cert', 5]);
    t.advance(DAY + HOUR);
    t.watch.checkServer();
    assert.equal(t.warnings.length, 2, 'not renewed: the next day, once more');

    t.watch.setServerCertificate(apiRenewed.cert);
    assert.equal(Math.round((t.watch.serverExpiries()[0]?.expiresAt ?? 0) / DAY), Math.round((Date.now() + 90 * DAY) / DAY), 'the renewed certificate is the one watched');
    t.watch.checkServer();
    t.advance(DAY + HOUR);
    t.watch.checkServer();
    assert.equal(t.warnings.length, 2, 'renewed: no more warning');
    t.watch.setServerCertificate(undefined);
    assert.deepEqual(t.watch.serverExpiries(), [], 'plain HTTP: nothing to watch');
  });
});
