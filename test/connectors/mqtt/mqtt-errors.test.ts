import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorWithReasonCode } from 'mqtt';
import {
  connackError, downlinkError, serverDisconnectError, subscribeDeniedError, translateConnectError,
} from '../../../src/connectors/mqtt/mqtt-errors.ts';

const ctx = { endpoint: 'broker.example.com:8883', tls: true, username: 'svc', clientId: 'cb-1', connectTimeoutMs: 5000 };

function coded(message: string, code: string | number): Error {
  return Object.assign(new Error(message), { code });
}

describe('MQTT error translation', () => {
  it('maps CONNACK refusals of MQTT 3.1.1 and 5', () => {
    const cases: Array<[number, string, string | undefined]> = [
      [4, 'AUTH_FAILED', 'password'], [0x86, 'AUTH_FAILED', 'password'], [5, 'AUTH_FAILED', undefined], [0x87, 'AUTH_FAILED', undefined],
      [0x8a, 'AUTH_FAILED', undefined], [2, 'CONFIG_INVALID', 'clientId'], [0x85, 'CONFIG_INVALID', 'clientId'],
      [1, 'CONFIG_INVALID', 'protocolVersion'], [3, 'CONNECTION_FAILED', undefined], [0x89, 'CONNECTION_FAILED', undefined],
    ];
    for (const [rc, code, field] of cases) {
      const err = translateConnectError(new ErrorWithReasonCode(`Connection refused: x`, rc), ctx);
      assert.equal(err.code, code, `reason ${rc}`);
      assert.equal(err.details.field, field, `reason ${rc}`);
      assert.match(err.message, /broker\.example\.com:8883/);
    }
    assert.match(connackError(4, ctx).message, /user "svc", client id "cb-1"/);
  });

  it('maps socket errors with the fix in the message', () => {
    assert.equal(translateConnectError(coded('connect ECONNREFUSED', 'ECONNREFUSED'), ctx).code, 'CONNECTION_FAILED');
    const dns = translateConnectError(coded('getaddrinfo ENOTFOUND x', 'ENOTFOUND'), ctx);
    assert.equal(dns.code, 'CONNECTION_FAILED');
    assert.match(dns.message, /could not be resolved.*host name/);
    assert.equal(translateConnectError(coded('connect ETIMEDOUT', 'ETIMEDOUT'), ctx).code, 'CONNECTION_TIMEOUT');
    const connack = translateConnectError(new Error('connack timeout'), ctx);
    assert.equal(connack.code, 'CONNECTION_TIMEOUT');
    assert.match(connack.message, /within 5000 ms/);
    assert.equal(translateConnectError(new Error('Keepalive timeout'), ctx).code, 'CONNECTION_TIMEOUT');
  });

  it('maps TLS failures to TLS_FAILED naming the field to fix', () => {
    const cases: Array<[string, string]> = [
      ['SELF_SIGNED_CERT_IN_CHAIN', 'tls.ca'], ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls.ca'], ['CERT_HAS_EXPIRED', 'tls.ca'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls.servername'], ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tls.cert'],
      ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'tls.cert'], ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tls.cert'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'port'], ['ERR_OSSL_BAD_DECRYPT', 'tls.passphrase'],
    ];
    for (const [code, field] of cases) {
      const err = translateConnectError(coded(`tls says ${code}`, code), ctx);
      assert.equal(err.code, 'TLS_FAILED', code);
      assert.equal(err.details.field, field, code);
      assert.equal(err.retryable, false);
    }
  });

  it('names the refused filter of a SUBACK failure', () => {
    const err = subscribeDeniedError('plant/+/secret', 0x80, ctx);
    assert.equal(err.code, 'PERMISSION_DENIED');
    assert.match(err.message, /"plant\/\+\/secret"/);
    assert.equal(subscribeDeniedError('a', 0x87, ctx).details.reasonCode, 0x87);
  });

  it('explains a session take-over (MQTT 5 DISCONNECT 0x8E)', () => {
    const err = serverDisconnectError(0x8e, undefined, ctx);
    assert.equal(err.details.field, 'clientId');
    assert.match(err.message, /same client id/);
  });

  it('maps a PUBACK reason >= 0x80 to DOWNLINK_FAILED with the reason', () => {
    const err = downlinkError(new ErrorWithReasonCode('Publish error: Not authorized', 0x87), 'cmd/x', ctx);
    assert.equal(err.code, 'DOWNLINK_FAILED');
    assert.equal(err.details.reasonCode, 0x87);
    assert.equal(err.retryable, false, 'not authorized does not fix itself');
    assert.equal(downlinkError(new ErrorWithReasonCode('Publish error: Quota exceeded', 0x97), 'cmd/x', ctx).retryable, true);
  });
});
