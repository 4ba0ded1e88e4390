import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorWithReasonCode } from 'mqtt';
import {
  AUTH_ADVICE, awsIotErrorAdvisor, DUPLICATE_ADVICE, ENDPOINT_ADVICE, PERMISSIONS_ADVICE,
} from '../../../src/connectors/aws-iot-core/index.ts';
import {
  connectionClosedError, downlinkError, serverDisconnectError, subscribeDeniedError, translateConnectError,
} from '../../../src/connectors/mqtt/mqtt-errors.ts';

const ctx = {
  endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com:8883', tls: true, clientId: 'plant-1', connectTimeoutMs: 5000,
  advise: awsIotErrorAdvisor({ clientId: 'plant-1', region: 'eu-west-1', port: 8883, defaultCa: true }),
};

function coded(message: string, code: string | number): Error {
  return Object.assign(new Error(message), { code });
}

describe('aws-iot-core: AWS advice on MQTT errors', () => {
  it('certificate not trusted or not active: authentication rejected, activate the certificate and attach a policy', () => {
    for (const err of [
      coded('alert unknown ca', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'),
      coded('alert bad certificate', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'),
      coded('read ECONNRESET', 'ECONNRESET'),
      new ErrorWithReasonCode('Connection refused: Not authorized', 0x87),
      new ErrorWithReasonCode('Connection refused: Not authorized', 5),
    ]) {
      const e = translateConnectError(err, ctx);
      assert.equal(e.code, 'AUTH_FAILED', err.message);
      assert.ok(e.message.includes(AUTH_ADVICE), e.message);
      assert.match(e.message, /arn:aws:iot:eu-west-1:<account-id>:client\/plant-1/);
      assert.equal(e.details.field, 'credentials.cert');
    }
    const closed = connectionClosedError(ctx, false);
    assert.equal(closed.code, 'AUTH_FAILED');
    assert.ok(closed.message.includes(AUTH_ADVICE));
  });

  it('an expired certificate: renew it', () => {
    const e = translateConnectError(coded('alert certificate expired', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'), ctx);
    assert.equal(e.code, 'AUTH_FAILED');
    assert.match(e.message, /rejected the client certificate as expired .*create a new certificate in AWS IoT/);
  });

  it('timeouts and unknown hosts: check the region-specific endpoint', () => {
    for (const err of [new Error('connack timeout'), coded('connect ETIMEDOUT', 'ETIMEDOUT'), coded('getaddrinfo ENOTFOUND x', 'ENOTFOUND')]) {
      const e = translateConnectError(err, ctx);
      assert.ok(e.message.includes(ENDPOINT_ADVICE), e.message);
      assert.equal(e.details.field, 'endpoint');
    }
    assert.equal(translateConnectError(new Error('connack timeout'), ctx).code, 'CONNECTION_TIMEOUT');
  });

  it('an untrusted endpoint certificate points at the ATS endpoint and credentials.ca', () => {
    const e = translateConnectError(coded('self signed', 'SELF_SIGNED_CERT_IN_CHAIN'), ctx);
    assert.equal(e.code, 'TLS_FAILED');
    assert.equal(e.details.field, 'credentials.ca');
    assert.match(e.message, /not trusted by the default credentials\.ca .*-ats\.iot\./);
    const pass = translateConnectError(coded('bad decrypt', 'ERR_OSSL_BAD_DECRYPT'), ctx);
    assert.equal(pass.details.field, 'credentials.passphrase');
    assert.match(pass.message, /credentials\.passphrase/);
  });

  it('denied subscribe or publish: grant iot:Connect, iot:Subscribe, iot:Receive, iot:Publish', () => {
    const sub = subscribeDeniedError('devices/#', 0x87, ctx);
    assert.equal(sub.code, 'PERMISSION_DENIED');
    assert.ok(sub.message.includes(PERMISSIONS_ADVICE));
    assert.match(sub.message, /iot:Subscribe on arn:aws:iot:eu-west-1:<account-id>:topicfilter\/devices\/#/);
    const pub = downlinkError(Object.assign(new Error('Publish error: Not authorized'), { code: 135 }), 'commands/x', ctx);
    assert.equal(pub.code, 'DOWNLINK_FAILED');
    assert.equal(pub.retryable, false);
    assert.match(pub.message, /not authorized \(reason code 135\): grant iot:Connect, iot:Subscribe, iot:Receive, iot:Publish: iot:Publish on arn:aws:iot:eu-west-1:<account-id>:topic\/commands\/x/);
    const kicked = serverDisconnectError(0x87, undefined, ctx);
    assert.equal(kicked.code, 'PERMISSION_DENIED');
    assert.ok(kicked.message.includes(PERMISSIONS_ADVICE));
  });

  it('a second connection with the same client id: duplicate client id', () => {
    const v5 = serverDisconnectError(0x8e, 'Session taken over', ctx);
    assert.ok(v5.message.includes(DUPLICATE_ADVICE));
    assert.equal(v5.details.field, 'clientId');
    const v311 = connectionClosedError(ctx, true);
    assert.ok(v311.message.includes(DUPLICATE_ADVICE));
    assert.ok(v311.message.includes(PERMISSIONS_ADVICE));
  });

  it('leaves errors it has nothing to add to unchanged', () => {
    const keepalive = translateConnectError(new Error('Keepalive timeout'), ctx, { kind: 'closed', established: true });
    assert.equal(keepalive.code, 'CONNECTION_TIMEOUT');
    assert.match(keepalive.message, /stopped answering keepalive pings/);
    const busy = serverDisconnectError(0x89, undefined, ctx);
    assert.match(busy.message, /reason code 137/);
  });
});
