/** Each ThingsBoard type imported (the eight clouds and MQTT) gives a config file that `config lint` accepts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintConfig } from '../../src/app/config-lint.ts';
import { envFor, fixtureSecrets, importFiles, IOT_HUB_SERVICE_STRING, TYPE_FILES } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cb-tb-lint-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const EXPECTED_WARNINGS: Record<string, string[]> = {
  AWS_IOT: ['topicFilters[1].filter "plant/+/status" uses QoS 0'],
  AZURE_IOT_HUB: ['consumerGroup is $Default'],
  IBM_WATSON_IOT: ['events[1].qos is 0'],
  MQTT_CERT_PEM: ['cleanSession is true', 'topic filters "line2/#" use QoS 0'],
};

describe('import-thingsboard output passes config lint', () => {
  for (const [type, files] of Object.entries(TYPE_FILES)) {
    it(`${type}: lints with the env vars set, and holds no secret of the export`, async () => {
      const r = importFiles(files);
      assert.equal(r.config.integrations.length, 1, JSON.stringify(r.skipped));
      assert.deepEqual(r.skipped, []);
      const file = join(dir, `${type}.yaml`);
      writeFileSync(file, r.yaml);
      const env = envFor(files, { CB_AZURE_IOT_HUB_IOT_HUB_DEVICE_CONNECTION_STRING: IOT_HUB_SERVICE_STRING });
      assert.deepEqual(Object.keys(env).sort(), r.env.map((e) => e.name).sort());
      const lint = await lintConfig(file, env);
      assert.deepEqual(lint.problems, [], r.yaml);
      assert.equal(lint.ok, true);
      // Only the warnings the export itself calls for: a QoS 0 filter, IoT Hub's shared $Default group, a clean session.
      const warned = lint.warnings.map((w) => w.replace(/^integrations\[\d+\]: /, '').replace(/:.*/s, ''));
      assert.deepEqual(warned, EXPECTED_WARNINGS[type] ?? []);
      for (const secret of fixtureSecrets(files)) {
        assert.ok(!r.yaml.includes(secret), `${type}: a secret of the export is in the YAML`);
        for (const l of secret.split('\n').filter((x) => x.length > 20 && !x.startsWith('-----'))) assert.ok(!r.yaml.includes(l), `${type}: a line of a secret is in the YAML`);
      }
    });
  }

  it('without the env vars, lint names the missing variable', async () => {
    const r = importFiles(TYPE_FILES.AWS_SQS ?? []);
    const file = join(dir, 'noenv.yaml');
    writeFileSync(file, r.yaml);
    const lint = await lintConfig(file, {});
    assert.equal(lint.ok, false);
    assert.match(lint.problems[0]?.message ?? '', /CB_AWS_SQS_ORDERS_ACCESS_KEY_ID is not set/);
  });
});
