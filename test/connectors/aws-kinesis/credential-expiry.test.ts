/**
 * Temporary AWS credentials of the aws-kinesis connector report their expiry, as aws-sqs's do
 * (test/connectors/aws-sqs/credential-expiry.test.ts): a Cloudbridge child process with
 * AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION and no keys in the config, on kinesalite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { KINESALITE_CREDENTIALS, startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { spawnCloudbridge, stopAllChildren, TEST_TOKEN, waitFor } from '../../e2e/harness.ts';
import { kinesisIntegrationYaml } from './e2e-fixtures.ts';

const DAY = 86_400_000;
interface Status { state: string; credentials?: Array<{ credential: string; expiresAt: number; state: string }> }

describe('aws-kinesis: expiry of temporary credentials', () => {
  let peer: KinesalitePeer;
  let dir: string;
  before(async () => {
    peer = await startKinesalite();
    dir = mkdtempSync(join(tmpdir(), 'cb-kinesis-cred-'));
  });
  after(async () => {
    await stopAllChildren();
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session credentials with an expiration from the environment: status and metric', async () => {
    await peer.createStream('cred', 1);
    const config = parse(kinesisIntegrationYaml(peer, 'cred')) as { integrations: Array<{ config: Record<string, unknown> }> };
    const integration = config.integrations[0];
    assert.ok(integration);
    delete integration.config.accessKeyId;
    delete integration.config.secretAccessKey;
    const expiresAt = new Date(Date.now() + 40 * DAY);
    expiresAt.setMilliseconds(0);
    const child = await spawnCloudbridge(dir, config, {
      AWS_ACCESS_KEY_ID: KINESALITE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: KINESALITE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: 'test-session-token', AWS_CREDENTIAL_EXPIRATION: expiresAt.toISOString(), AWS_REGION: 'us-east-1',
    });
    const status = await waitFor(async () => {
      const s = await child.api.get<Status>('/integrations/stream/status');
      return s.state === 'RUNNING' && s.credentials ? s : null;
    }, 'stream running with its credentials listed');
    // 40 days ahead: known, but not within the default 30 days of warning.
    assert.deepEqual(status.credentials?.map((c) => [c.credential, c.expiresAt, c.state]), [['credentials', expiresAt.getTime(), 'valid']]);
    const metrics = await fetch(`${child.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    assert.match(metrics, /cloudbridge_credential_expiry_seconds\{integration="stream",credential="credentials"\} 34\d{5}/);
    await child.kill('SIGTERM');
  });
});
