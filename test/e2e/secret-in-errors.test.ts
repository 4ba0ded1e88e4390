/**
 * A secret under a misspelled (unknown) field name, or under any field whose name looks secret,
 * never comes back in an API error; the error still names the field and the fix.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './harness.ts';
import { TB_DECODER } from './fixtures.ts';

const SECRET = 'AKIA-SUPER-SECRET';

interface ApiError { error: { code: string; message: string; details: { field?: string } } }

describe('no secret in API errors', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
    const r = await t.api.call('POST', '/converters', { name: 'dec', type: 'uplink', script: TB_DECODER });
    assert.equal(r.status, 201, r.text);
  });
  after(() => t.close());

  const base = { uplinkConverter: 'dec', enabled: false };
  const cases: Array<{ what: string; body: Record<string, unknown>; field: string; fix: RegExp }> = [
    {
      what: 'aws-sqs secretAccesKey',
      body: { ...base, name: 'sqs', type: 'aws-sqs', config: { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccesKey: SECRET } },
      field: 'config.secretAccesKey', fix: /did you mean secretAccessKey\?/,
    },
    {
      what: 'mqtt passwrd',
      body: { ...base, name: 'mq', type: 'mqtt', config: { host: '127.0.0.1', username: 'u', passwrd: SECRET, topicFilters: [{ filter: 'a/#' }] } },
      field: 'config.passwrd', fix: /did you mean password\?/,
    },
    {
      what: 'aws-iot-core credentials.privateKey',
      body: { ...base, name: 'iot', type: 'aws-iot-core', config: { endpoint: 'x-ats.iot.eu-west-1.amazonaws.com', clientId: 'c', topicFilters: [{ filter: 'a/#' }], credentials: { cert: 'c', key: 'k', privateKey: SECRET } } },
      field: 'config.credentials.privateKey', fix: /unknown property; remove it, or use one of: passphrase, ca/,
    },
    {
      what: 'a secret-looking metadata value of the wrong type',
      body: { ...base, name: 'meta', type: 'mqtt', metadata: { apiToken: { value: SECRET } }, config: { host: 'h', topicFilters: [{ filter: 'a/#' }] } },
      field: 'metadata.apiToken', fix: /Expected string; got an object/,
    },
    {
      what: 'an unknown top-level field',
      body: { ...base, name: 'top', type: 'mqtt', sasToken: SECRET, config: { host: 'h', topicFilters: [{ filter: 'a/#' }] } },
      field: 'sasToken', fix: /unknown property/,
    },
  ];

  for (const c of cases) {
    it(`POST and PUT /integrations with ${c.what}: 400 naming the field and the fix, without the secret`, async () => {
      const created = await t.api.call('POST', '/integrations', c.body);
      const ok = await t.api.call('POST', '/integrations', { ...c.body, name: `${String(c.body.name)}-ok`, config: { host: 'h', topicFilters: [{ filter: 'a/#' }] }, type: 'mqtt', metadata: {}, sasToken: undefined });
      assert.equal(ok.status, 201, ok.text);
      const updated = await t.api.call('PUT', `/integrations/${String(c.body.name)}-ok`, { ...c.body, name: `${String(c.body.name)}-ok` });
      const checked = await t.api.call('POST', '/integrations/check', c.body);
      for (const r of [created, updated]) {
        assert.equal(r.status, 400, r.text);
        assert.ok(!r.text.includes(SECRET), `the secret is echoed: ${r.text}`);
        const err = (r.body as ApiError).error;
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.details.field, c.field);
        assert.match(err.message, new RegExp(`${c.field.replace(/[.[\]]/g, '\\$&')}: `));
        assert.match(err.message, c.fix);
      }
      assert.ok(!checked.text.includes(SECRET), `the check echoes the secret: ${checked.text}`);
    });
  }

  it('POST /converters with an unknown property: refused (not silently dropped), without its value', async () => {
    const r = await t.api.call('POST', '/converters', { name: 'dec2', type: 'uplink', script: TB_DECODER, apiKey: SECRET });
    assert.equal(r.status, 400, r.text);
    assert.ok(!r.text.includes(SECRET), r.text);
    assert.match((r.body as ApiError).error.message, /apiKey: unknown property/);
    const typo = await t.api.call('PUT', '/converters/dec', { name: 'dec', type: 'uplink', script: TB_DECODER, limts: { timeoutMs: 500 } });
    assert.equal(typo.status, 400, typo.text);
    assert.match((typo.body as ApiError).error.message, /limts: unknown property; did you mean limits\?/);
  });

  it('no log line carries the secret', () => {
    for (const line of t.logs) assert.ok(!line.includes(SECRET), line);
  });
});
