import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { awsSqsConnector } from '../../../src/connectors/aws-sqs/index.ts';
import type { SqsConfig } from '../../../src/connectors/aws-sqs/config-spec.ts';
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { freePort } from '../../peers/free-port.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { createSqsSource, uniqueName } from './helpers.ts';
import { startSigV4Gate, type SigV4Gate } from './sigv4-gate.ts';
import { waitFor } from '../../support/wait.ts';

const GOOD = FAUXQS_CREDENTIALS;
const UNKNOWN_KEY = 'AKIAUNKNOWNKEY000001';
const WRONG_SECRET = 'this-secret-is-wrong-and-must-never-be-shown';

describe('aws-sqs connector: documented errors (fauxqs behind a SigV4-checking gate)', () => {
  let peer: FauxqsPeer;
  let gate: SigV4Gate;
  let queueUrl: string;
  before(async () => {
    peer = await startFauxqsPeer();
    gate = await startSigV4Gate({ target: peer.endpoint, region: peer.region, keys: { [GOOD.accessKeyId]: GOOD.secretAccessKey } });
    queueUrl = await peer.createQueue(uniqueName('auth'));
  });
  after(async () => {
    await gate.close();
    await peer.stop();
  });

  const config = (extra: Partial<SqsConfig> = {}): SqsConfig => ({
    queueUrl, endpoint: gate.endpoint, accessKeyId: GOOD.accessKeyId, secretAccessKey: GOOD.secretAccessKey, waitTimeSeconds: 1, ...extra,
  });

  it('works through the gate with the right credentials', async () => {
    const result = await awsSqsConnector.testConnection(config(), AbortSignal.timeout(5000));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.match(result.checks.find((c) => c.name === 'credentials')?.message ?? '', new RegExp(GOOD.accessKeyId));
    assert.match(result.checks.find((c) => c.name === 'queue')?.message ?? '', /found: standard, visibility timeout 30 s/);
  });

  it('an unknown access key id: AUTH_FAILED naming the key id, at start and in testConnection', async () => {
    const lines: string[] = [];
    const { source, ctx } = createSqsSource(config({ accessKeyId: UNKNOWN_KEY }), createTestContext({ log: recordingLogger(lines) }));
    await assert.rejects(source.start(), (err: { code: string; message: string; details: { field?: string } }) => {
      assert.equal(err.code, 'AUTH_FAILED');
      assert.match(err.message, /does not recognise access key id AKIAUNKNOWNKEY000001/);
      assert.match(err.message, /check accessKeyId/);
      assert.equal(err.details.field, 'accessKeyId');
      return true;
    });
    assert.equal(ctx.states.at(-1)?.state, 'disconnected');
    const result = await awsSqsConnector.testConnection(config({ accessKeyId: UNKNOWN_KEY }), AbortSignal.timeout(5000));
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'AUTH_FAILED');
  });

  it('a wrong secret: AUTH_FAILED pointing at secretAccessKey, and the secret appears nowhere', async () => {
    const lines: string[] = [];
    const { source } = createSqsSource(config({ secretAccessKey: WRONG_SECRET }), createTestContext({ log: recordingLogger(lines) }));
    const err = await source.start().then(() => null, (e: unknown) => e as { code: string; message: string; details: Record<string, unknown> });
    assert.equal(err?.code, 'AUTH_FAILED');
    assert.match(err?.message ?? '', /signature made with access key id AKIAFAUXQSTEST000001.*Check secretAccessKey/);
    const result = await awsSqsConnector.testConnection(config({ secretAccessKey: WRONG_SECRET }), AbortSignal.timeout(5000));
    assert.equal(result.error?.code, 'AUTH_FAILED');
    const everything = JSON.stringify([err?.message, err?.details, result, lines]);
    assert.ok(!everything.includes(WRONG_SECRET), 'the secret is never shown');
  });

  it('a missing queue: NOT_FOUND naming the queue and the fix', async () => {
    const missing = queueUrl.replace(/[^/]+$/, 'does-not-exist');
    const { source } = createSqsSource(config({ queueUrl: missing }));
    await assert.rejects(source.start(), { code: 'NOT_FOUND', message: /queue "does-not-exist" \(account 000000000000, region us-east-1\) does not exist: check queueUrl/ });
    const result = await awsSqsConnector.testConnection(config({ queueUrl: missing }), AbortSignal.timeout(5000));
    assert.equal(result.error?.code, 'NOT_FOUND');
  });

  it('the wrong region: CONFIG_INVALID before connecting when the queue URL names another region', async () => {
    assert.throws(() => awsSqsConnector.validate?.(config({ region: 'eu-west-1' })), { code: 'CONFIG_INVALID', message: /region is eu-west-1 but queueUrl is a queue in us-east-1.*Set region to us-east-1/ });
    const result = await awsSqsConnector.testConnection(config({ region: 'eu-west-1' }), AbortSignal.timeout(5000));
    assert.equal(result.error?.code, 'CONFIG_INVALID');
  });

  it('the wrong region where the URL does not tell: CONNECTION_FAILED saying to check region', async () => {
    const plainUrl = `${peer.endpoint}/000000000000/${queueUrl.split('/').at(-1)}`;
    const { source } = createSqsSource(config({ queueUrl: plainUrl, region: 'eu-west-1' }));
    await assert.rejects(source.start(), { code: 'CONNECTION_FAILED', message: /wrong region.*check region/ });
  });

  it('an endpoint where nothing listens: CONNECTION_FAILED naming the endpoint', async () => {
    const port = await freePort();
    const result = await awsSqsConnector.testConnection(config({ endpoint: `http://127.0.0.1:${port}` }), AbortSignal.timeout(10_000));
    assert.equal(result.error?.code, 'CONNECTION_FAILED');
    assert.match(result.error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*check endpoint`));
  });

  it('a queue deleted while running: status turns disconnected with NOT_FOUND, and receiving resumes once it exists again', async () => {
    const name = uniqueName('vanish');
    const url = await peer.createQueue(name);
    const { source, ctx } = createSqsSource(config({ queueUrl: url }));
    await source.start();
    try {
      await peer.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      await waitFor(() => ctx.states.some((s) => s.state === 'disconnected'), 'the disconnect', 10_000);
      const lost = ctx.states.find((s) => s.state === 'disconnected');
      assert.equal((lost?.error as { code?: string } | undefined)?.code, 'NOT_FOUND');
      await peer.createQueue(name);
      await peer.sendAll(url, ['back']);
      await waitFor(() => ctx.delivered.length === 1, 'the message after the queue came back', 15_000);
      assert.equal(ctx.states.at(-1)?.state, 'connected');
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });
});
