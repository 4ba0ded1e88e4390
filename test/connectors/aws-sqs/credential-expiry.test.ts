/**
 * Temporary AWS credentials from the SDK default provider chain report their expiry: Cloudbridge
 * (a child process, so the SDK reads its environment) with AWS_SESSION_TOKEN and
 * AWS_CREDENTIAL_EXPIRATION and no keys in the config shows them in the integration's status as
 * `expiring`, in cloudbridge_credential_expiry_seconds and as a CREDENTIAL_EXPIRY warning.
 * Keys given in the config have no known expiry and are not listed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { spawnCloudbridge, stopAllChildren, TEST_TOKEN, waitFor } from '../../e2e/harness.ts';
import { uniqueName } from './helpers.ts';
import { sqsIntegrationYaml } from './e2e-fixtures.ts';

const DAY = 86_400_000;
interface Status { state: string; credentials?: Array<{ credential: string; expiresAt: number; state: string; what: string }> }
interface Event { body: { code?: string; message?: string } }

describe('aws-sqs: expiry of temporary credentials', () => {
  let peer: FauxqsPeer;
  let dir: string;
  before(async () => {
    peer = await startFauxqsPeer();
    dir = mkdtempSync(join(tmpdir(), 'cb-sqs-cred-'));
  });
  after(async () => {
    await stopAllChildren();
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session credentials with an expiration from the environment: status, metric, warning', async () => {
    const url = await peer.createQueue(uniqueName('cred'));
    const config = parse(sqsIntegrationYaml(peer, { queueUrl: url })) as { integrations: Array<{ config: Record<string, unknown> }> };
    const integration = config.integrations[0];
    assert.ok(integration);
    delete integration.config.accessKeyId;
    delete integration.config.secretAccessKey;
    const expiresAt = new Date(Date.now() + 3 * DAY);
    expiresAt.setMilliseconds(0);
    const child = await spawnCloudbridge(dir, config, {
      AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: 'test-session-token', AWS_CREDENTIAL_EXPIRATION: expiresAt.toISOString(), AWS_REGION: 'us-east-1',
    });
    const status = await waitFor(async () => {
      const s = await child.api.get<Status>('/integrations/queue/status');
      return s.state === 'RUNNING' && s.credentials ? s : null;
    }, 'queue running with its credentials listed');
    assert.deepEqual(status.credentials, [{ credential: 'credentials', expiresAt: expiresAt.getTime(), what: 'temporary AWS credentials (from the AWS SDK default provider chain)', state: 'expiring' }]);
    const metrics = await fetch(`${child.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    const line = metrics.split('\n').find((l) => l.startsWith('cloudbridge_credential_expiry_seconds{') && l.includes('integration="queue"') && l.includes('credential="credentials"'));
    assert.ok(line, 'gauge present');
    const seconds = Number(line.split(' ').at(-1));
    assert.ok(seconds > 2.9 * 86_400 && seconds <= 3 * 86_400, `gauge ${seconds}`);
    const warning = await waitFor(async () => (await child.api.get<Event[]>('/events?integration=queue&type=WARNING')).find((e) => e.body.code === 'CREDENTIAL_EXPIRY') ?? null,
      'the CREDENTIAL_EXPIRY warning', 90_000);
    assert.match(warning.body.message ?? '', /^integration "queue": credentials: the temporary AWS credentials \(from the AWS SDK default provider chain\) expire on \S+ \(in 3 days\): before then, check that the AWS SDK provider chain can renew them/);
    await child.kill('SIGTERM');
  });
});
