/** Validation errors name the field and the fix, and never print a secret value. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { awsSqsConnector } from '../../src/connectors/aws-sqs/index.ts';
import { mqttConnector } from '../../src/connectors/mqtt/index.ts';
import { awsIotCoreConnector } from '../../src/connectors/aws-iot-core/index.ts';
import { looksSecret } from '../../src/app/secret-names.ts';
import { parseWithSchema, runConnectorValidate, schemaProblems } from '../../src/app/validate.ts';
import { ConfigFileSpec } from '../../src/app/config-file.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import type { ConnectorDefinition } from '../../src/core/connector.ts';

const SECRET = 'AKIA-SUPER-SECRET';

const lines = (problems: Array<{ field: string; message: string }>): string => problems.map((p) => `${p.field}: ${p.message}`).join('\n');

function problemsText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CloudbridgeError, String(err));
    return JSON.stringify(err.toJSON());
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('secret-looking field names', () => {
  it('recognises secret names in camelCase, snake_case, kebab-case and upper case', () => {
    for (const name of [
      'secretAccessKey', 'secretAccesKey', 'secret_access_key', 'SECRET_ACCESS_KEY', 'clientSecret', 'password', 'password_', 'dbPasswd', 'PWD',
      'passphrase', 'apiKey', 'api_key', 'apikey', 'API-KEY', 'sasToken', 'SharedAccessKey', 'sharedaccesskey', 'sas', 'sig',
      'connectionString', 'connection_string', 'CONNECTIONSTRING', 'privateKey', 'private_key', 'key', 'keys', 'sessionToken', 'token',
      'credentials', 'authorization', 'basicAuth', 'x-auth', 'Signature', 'cookie', 'jwt', 'pin', 'salt', 'masterKey', 'pass',
    ]) assert.ok(looksSecret(name), name);
  });

  it('leaves ordinary names alone', () => {
    for (const name of [
      'host', 'port', 'clientId', 'topicFilters', 'rejectUnauthorized', 'keepaliveSeconds', 'username', 'queueUrl', 'region',
      'endpoint', 'maxInFlight', 'cleanSession', 'filter', 'qos', 'enabled', 'servername', 'ca', 'cert', 'spinner', 'monitoring',
    ]) assert.ok(!looksSecret(name), name);
  });
});

describe('validation errors never print a secret', () => {
  it('an unknown property: the field and the closest known name, never its value', () => {
    const text = problemsText(() => parseWithSchema(awsSqsConnector.configSpec, { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', secretAccesKey: SECRET }, 'config'));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /config\.secretAccesKey: unknown property; did you mean secretAccessKey\?/);
  });

  it('finds the intended name across snake_case and case differences', () => {
    const text = problemsText(() => parseWithSchema(awsSqsConnector.configSpec, { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', secret_access_key: SECRET }, 'config'));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /config\.secret_access_key: unknown property; did you mean secretAccessKey\?/);
  });

  it('an unknown property with no close match lists the allowed names', () => {
    const text = problemsText(() => parseWithSchema(mqttConnector.configSpec, { host: 'h', topicFilters: [{ filter: 'a' }], bogus: SECRET }, 'config'));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /config\.bogus: unknown property; remove it, or use one of: port, tls, username, password/);
  });

  it('a nested unknown property (tls.passprase) is hidden too', () => {
    const text = problemsText(() => parseWithSchema(mqttConnector.configSpec, { host: 'h', topicFilters: [{ filter: 'a' }], tls: { enabled: true, passprase: SECRET } }, 'config'));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /config\.tls\.passprase: unknown property; did you mean passphrase\?/);
  });

  it('a wrong value of a secret field or of a secret-looking field names the type, not the value', () => {
    const text = lines(schemaProblems(awsSqsConnector.configSpec, { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', accessKeyId: 'AKIA-SHORT', secretAccessKey: 12345678 }, 'config'));
    assert.ok(!text.includes('AKIA-SHORT') && !text.includes('12345678'), text);
    assert.match(text, /config\.accessKeyId: Expected string length greater or equal to 16; got a string \(value not shown\)/);
    assert.match(text, /config\.secretAccessKey: Expected string; got a number \(value not shown\)/);
  });

  it('a metadata entry under a secret-looking key is hidden; an object value is only named', () => {
    const spec = Type.Object({ metadata: Type.Record(Type.String(), Type.String()), tls: Type.Boolean() });
    const text = lines(schemaProblems(spec, { metadata: { apiKey: 42424242 }, tls: { key: SECRET } }));
    assert.ok(!text.includes('42424242') && !text.includes(SECRET), text);
    assert.match(text, /metadata\.apiKey: Expected string; got a number \(value not shown\)/);
    assert.match(text, /tls: Expected boolean; got an object/);
  });

  it('a mapping typed without the space after the colon (a string where an object belongs) is not printed', () => {
    const text = lines(schemaProblems(mqttConnector.configSpec, { host: 'h', topicFilters: [{ filter: 'a' }], tls: `passphrase:${SECRET}` }, 'config'));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /config\.tls: Expected object; got a string \(value not shown\)/);
  });

  it('ordinary fields still show what was given', () => {
    const text = lines(schemaProblems(mqttConnector.configSpec, { host: 'h', port: 70000, topicFilters: [{ filter: 'a' }] }, 'config'));
    assert.match(text, /config\.port: Expected integer to be less or equal to 65535; got 70000/);
  });

  it('the config file: a misspelled postgres url is not echoed', () => {
    const url = `postgres://cb:${SECRET}@db/cb`;
    const text = problemsText(() => parseWithSchema(ConfigFileSpec, { store: { postgres: { uri: url } } }));
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /store\.postgres\.uri: unknown property; did you mean url\?/);
  });

  it('a connector validate() message that quotes a secret by mistake gets "***" instead', async () => {
    const leaky: ConnectorDefinition = {
      ...awsIotCoreConnector,
      validate: (config) => {
        const c = config as { credentials: { passphrase?: string } };
        if (c.credentials.passphrase === SECRET) throw new CloudbridgeError('CONFIG_INVALID', `credentials.passphrase: ${SECRET} is wrong`, { field: 'credentials.passphrase' });
        return [`warning about ${c.credentials.passphrase ?? ''}`];
      },
    } as ConnectorDefinition;
    const err = await runConnectorValidate(leaky, { credentials: { passphrase: SECRET } }, 'config').then(() => null, (e: unknown) => e);
    assert.ok(err instanceof CloudbridgeError);
    assert.ok(!JSON.stringify(err.toJSON()).includes(SECRET));
    assert.match(err.message, /config\.credentials\.passphrase: \*\*\* is wrong/);
    const warnings = await runConnectorValidate(leaky, { credentials: { passphrase: 'other-secret-1' } }, 'config');
    assert.deepEqual(warnings, ['warning about ***']);
  });
});
