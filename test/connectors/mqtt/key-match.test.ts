/**
 * The private key must belong to the client certificate whatever the key types: an EC key beside
 * an RSA certificate used to pass (OpenSSL compares a key only with a certificate of its own type)
 * and failed at run time as "activate the certificate in AWS IoT". Every connector with client
 * certificates (mqtt, aws-iot-core, the thingsboard-gateway forwarder) refuses it when saved and
 * in `config lint`, naming the key field and both key types.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintConfig } from '../../../src/app/config-lint.ts';
import { awsIotCoreConnector } from '../../../src/connectors/aws-iot-core/index.ts';
import { mqttConnector } from '../../../src/connectors/mqtt/index.ts';
import { thingsboardGatewayForwarder } from '../../../src/forwarders/thingsboard-gateway/index.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown> };
type Kind = 'rsa' | 'ec' | 'ed25519' | 'ed448';
interface Pair { key: string; cert: string; label: string }

const KINDS: Kind[] = ['rsa', 'ec', 'ed25519', 'ed448'];
const LABEL: Record<Kind, string> = { rsa: 'RSA 2048 bits', ec: 'EC P-256', ed25519: 'Ed25519', ed448: 'Ed448' };

function keyPem(kind: Kind): string {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

describe('client certificate and private key: they must match, for every key type', () => {
  let dir: string;
  const pairs = new Map<Kind, Pair>();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cb-key-match-'));
    for (const kind of KINDS) {
      const key = keyPem(kind);
      const keyFile = join(dir, `${kind}.key`);
      writeFileSync(keyFile, key);
      const cert = execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${kind}-device`, '-days', '30'], { encoding: 'utf8' });
      pairs.set(kind, { key, cert, label: LABEL[kind] });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const pair = (kind: Kind): Pair => pairs.get(kind) as Pair;
  const aws = (cert: string, key: string): unknown => awsIotCoreConnector.validate?.({
    endpoint: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com', clientId: 'cb-1', credentials: { cert, key }, topicFilters: [{ filter: 'd/#' }],
  });
  const mqtt = (cert: string, key: string): unknown => mqttConnector.validate?.({
    host: 'broker', clientId: 'cb-1', topicFilters: [{ filter: 'd/#', qos: 1 }], tls: { enabled: true, cert, key },
  } as never);
  const tb = (cert: string, key: string): unknown => thingsboardGatewayForwarder.validate?.({
    host: 'tb.example.com', port: 8883, credentials: { type: 'x509' }, tls: { cert, key },
  } as never);
  const users: Array<[string, (cert: string, key: string) => unknown, string]> = [['aws-iot-core', aws, 'credentials.key'], ['mqtt', mqtt, 'tls.key'], ['thingsboard-gateway', tb, 'tls.key']];

  it('accepts each key type with its own certificate', () => {
    for (const kind of KINDS) {
      for (const [name, validate] of users) assert.doesNotThrow(() => validate(pair(kind).cert, pair(kind).key), `${name} ${kind}`);
    }
  });

  it('refuses a key of another type than the certificate, naming the key field and both types', () => {
    for (const certKind of KINDS) {
      for (const keyKind of KINDS) {
        if (certKind === keyKind) continue;
        for (const [name, validate, field] of users) {
          assert.throws(() => validate(pair(certKind).cert, pair(keyKind).key), (err: CodedError) => {
            assert.equal(err.code, 'CONFIG_INVALID', `${name}: ${keyKind} key, ${certKind} cert`);
            assert.equal(err.details?.field, field);
            assert.ok(err.message.includes(`the key is ${LABEL[keyKind]}, the certificate's key is ${LABEL[certKind]}`), err.message);
            assert.ok(!err.message.includes('PRIVATE KEY'), err.message);
            return true;
          });
        }
      }
    }
  });

  it('refuses a key of the same type from another key pair', () => {
    for (const kind of KINDS) {
      const other = keyPem(kind);
      for (const [name, validate, field] of users) {
        assert.throws(() => validate(pair(kind).cert, other), (err: CodedError) => {
          assert.equal(err.details?.field, field, name);
          assert.match(err.message, new RegExp(`does not belong to the client certificate \\(both are ${LABEL[kind]}, but of different key pairs\\)`));
          return true;
        });
      }
    }
  });

  it('config lint fails on an EC key with an RSA certificate in aws-iot-core, naming the field', async () => {
    const indent = (pem: string): string => pem.trim().split('\n').map((l) => `          ${l}`).join('\n');
    const file = join(dir, 'aws.yaml');
    writeFileSync(file, `converters:
  - name: d
    type: uplink
    script: "return {deviceName: 'x'};"
integrations:
  - name: iot
    type: aws-iot-core
    uplinkConverter: d
    config:
      endpoint: a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com
      clientId: cb-1
      topicFilters: [{ filter: d/# }]
      credentials:
        cert: |
${indent(pair('rsa').cert)}
        key: |
${indent(pair('ec').key)}
`);
    const result = await lintConfig(file);
    assert.equal(result.ok, false);
    const problem = result.problems.find((p) => p.field === 'integrations[0].config.credentials.key');
    assert.ok(problem, JSON.stringify(result.problems));
    assert.match(problem.message, /does not belong to the client certificate \(the key is EC P-256, the certificate's key is RSA 2048 bits\)/);
  });
});
