/**
 * What a user sees for a wrong config: CONFIG_INVALID naming the field for a bad key or name, and
 * the translated gRPC errors (missing subscription, permission, key refused) with their fixes,
 * from the connection check, the start, and the error translation itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { gcpPubSubConnector, translatePubSubError, validatePubSubConfig, type PubSubErrorContext } from '../../../src/connectors/gcp-pubsub/index.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { startPubSubEmulator, type PubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { emulatorConfig, freshSubscription } from './helpers.ts';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const key = (fields: Record<string, unknown>): string => JSON.stringify({ type: 'service_account', project_id: 'my-iot-project', client_email: 'cb@my-iot-project.iam.gserviceaccount.com', private_key: PEM, ...fields });
const base = { projectId: 'my-iot-project', subscription: 'telemetry' };

describe('gcp-pubsub: config validation', () => {
  it('rejects a key that is not JSON, not a service account key, or incomplete, naming credentials', () => {
    assert.throws(() => validatePubSubConfig({ ...base, credentials: '{"type": "service_account", "project_id": "p' }), { code: 'CONFIG_INVALID', details: { field: 'credentials' }, message: /credentials is not JSON: paste the whole service account key file/ });
    assert.throws(() => validatePubSubConfig({ ...base, credentials: key({ type: 'authorized_user' }) }), { code: 'CONFIG_INVALID', message: /"authorized_user" credential: Cloudbridge needs a service account key/ });
    assert.throws(() => validatePubSubConfig({ ...base, credentials: key({ client_email: '', private_key: undefined }) }), { code: 'CONFIG_INVALID', message: /credentials lacks client_email, private_key/ });
    assert.throws(() => validatePubSubConfig({ ...base, credentials: key({ private_key: 'not a key' }) }), { code: 'CONFIG_INVALID', message: /private_key of cb@my-iot-project.iam.gserviceaccount.com is not a PEM private key/ });
  });

  it('rejects malformed subscription and topic names, accepts a full path in another project', () => {
    assert.throws(() => validatePubSubConfig({ ...base, subscription: 'projects/x/topics/t' }), { code: 'CONFIG_INVALID', details: { field: 'subscription' }, message: /is a path to topics, not to subscriptions/ });
    assert.throws(() => validatePubSubConfig({ ...base, subscription: 'goog-sub' }), { code: 'CONFIG_INVALID', message: /starts with "goog"/ });
    assert.throws(() => validatePubSubConfig({ ...base, downlinkTopic: 'a' }), { code: 'CONFIG_INVALID', details: { field: 'downlinkTopic' } });
    assert.deepEqual(validatePubSubConfig({ ...base, subscription: 'projects/other-project/subscriptions/telemetry', credentials: key({}) }, {}), []);
  });

  it('warns when the key belongs to another project than projectId, and about plaintext endpoints', () => {
    const warnings = validatePubSubConfig({ ...base, projectId: 'other-project', credentials: key({}) }, {});
    assert.match(warnings.join('\n'), /credentials belong to project my-iot-project but projectId is other-project/);
    assert.match(validatePubSubConfig({ ...base, apiEndpoint: 'http://10.0.0.5:8085' }, {}).join('\n'), /plaintext gRPC without credentials/);
  });
});

describe('gcp-pubsub: errors translated at the edge', () => {
  const ctx: PubSubErrorContext = { operation: 'StreamingPull', resource: 'projects/other-project/subscriptions/telemetry', resourceKind: 'subscription', field: 'subscription', projectId: 'my-iot-project', credentials: 'service account cb@my-iot-project.iam.gserviceaccount.com (from credentials, key project my-iot-project)', endpoint: undefined };
  const grpc = (code: number, details: string): Error => Object.assign(new Error(`${code} ${details}`), { code, details });

  it('UNAUTHENTICATED and a refused key: AUTH_FAILED, rotate the key, no key material', () => {
    const e = translatePubSubError(grpc(16, 'Request had invalid authentication credentials.'), ctx);
    assert.equal(e.code, 'AUTH_FAILED');
    assert.equal(e.retryable, false);
    assert.match(e.message, /Google rejected service account cb@my-iot-project.iam.gserviceaccount.com .* Rotate the key/);
    const refused = translatePubSubError(new Error(`Getting metadata from plugin failed with error: invalid_grant: Invalid JWT Signature. ${PEM}`), ctx);
    assert.equal(refused.code, 'AUTH_FAILED');
    assert.ok(!refused.message.includes(PEM.split('\n')[1] ?? 'x'), 'the key never appears');
  });

  it('PERMISSION_DENIED names the roles; NOT_FOUND names project and subscription', () => {
    const denied = translatePubSubError(grpc(7, 'User not authorized to perform this action.'), ctx);
    assert.equal(denied.code, 'PERMISSION_DENIED');
    assert.match(denied.message, /grant it roles\/pubsub.subscriber on the subscription \(and roles\/pubsub.publisher on downlinkTopic for downlinks\)/);
    const settings = translatePubSubError(grpc(7, 'User not authorized to perform this action.'), { ...ctx, operation: 'GetSubscription' });
    assert.match(settings.message, /may not GetSubscription .*grant it roles\/pubsub.viewer on the subscription \(reading its settings needs pubsub.subscriptions.get, which roles\/pubsub.subscriber does not include\)/);
    const topic = translatePubSubError(grpc(7, 'User not authorized to perform this action.'), { ...ctx, operation: 'GetTopic', resourceKind: 'topic', resource: 'projects/my-iot-project/topics/commands', field: 'downlinkTopic' });
    assert.match(topic.message, /grant it roles\/pubsub.viewer on the topic \(reading its settings needs pubsub.topics.get/);
    const missing = translatePubSubError(grpc(5, 'Resource not found (resource=telemetry).'), ctx);
    assert.equal(missing.code, 'NOT_FOUND');
    assert.match(missing.message, /Subscription projects\/other-project\/subscriptions\/telemetry does not exist \(in project other-project, not projectId my-iot-project\).*wrong project.*another project the service account cannot see/);
  });

  it('UNAVAILABLE and DEADLINE_EXCEEDED are retryable connection errors', () => {
    const down = translatePubSubError(grpc(14, 'No connection established'), ctx);
    assert.equal(down.code, 'CONNECTION_FAILED');
    assert.equal(down.retryable, true);
    assert.equal(translatePubSubError(grpc(4, 'Deadline exceeded'), ctx).code, 'CONNECTION_TIMEOUT');
  });
});

describe('gcp-pubsub: errors from the emulator', () => {
  let peer: PubSubEmulator;
  before(async () => { peer = await startPubSubEmulator(); });
  after(() => peer.stop());

  it('a missing subscription: the check and the start say NOT_FOUND naming project and subscription', async () => {
    const config = emulatorConfig(peer, 'no-such-subscription');
    const check = await gcpPubSubConnector.testConnection(config, AbortSignal.timeout(20_000));
    assert.equal(check.ok, false);
    assert.equal(check.error?.code, 'NOT_FOUND');
    assert.match(check.error?.message ?? '', /Subscription projects\/test-project\/subscriptions\/no-such-subscription does not exist.*check subscription and projectId/);
    const connector = gcpPubSubConnector.create(config, createTestContext());
    await assert.rejects(connector.start(), { code: 'NOT_FOUND', retryable: false, message: /no-such-subscription does not exist/ });
  });

  it('a bad key JSON fails the check as CONFIG_INVALID before any call', async () => {
    const check = await gcpPubSubConnector.testConnection(emulatorConfig(peer, 'x-sub', { credentials: '{not json' }), AbortSignal.timeout(20_000));
    assert.equal(check.error?.code, 'CONFIG_INVALID');
    assert.match(check.checks[0]?.message ?? '', /credentials is not JSON/);
  });

  it('the check describes the subscription and says what it could not test on the emulator', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'check', { enableMessageOrdering: true, filter: 'attributes.kind = "telemetry"' });
    const check = await gcpPubSubConnector.testConnection(emulatorConfig(peer, subscription, { downlinkTopic: topic }), AbortSignal.timeout(20_000));
    assert.equal(check.ok, true, JSON.stringify(check));
    const text = check.checks.map((c) => `${c.name}: ${c.message}`).join('\n');
    assert.match(text, /message ordering on/);
    assert.match(text, /filter attributes.kind = "telemetry"/);
    assert.match(text, /not checked: the server does not implement testIamPermissions/);
    assert.match(text, new RegExp(`downlink topic: topic projects/test-project/topics/${topic} found`));
    const missingTopic = await gcpPubSubConnector.testConnection(emulatorConfig(peer, subscription, { downlinkTopic: 'no-such-topic' }), AbortSignal.timeout(20_000));
    assert.equal(missingTopic.error?.code, 'NOT_FOUND');
    assert.match(missingTopic.error?.message ?? '', /Topic projects\/test-project\/topics\/no-such-topic does not exist.*check downlinkTopic/);
  });

  it('warns that the emulator does not apply a subscription filter', async () => {
    const { subscription } = await freshSubscription(peer, 'filter', { filter: 'attributes.kind = "telemetry"' });
    const ctx = createTestContext();
    const connector = gcpPubSubConnector.create(emulatorConfig(peer, subscription), ctx);
    await connector.start();
    await connector.stop();
    assert.match(ctx.warnings.map((w) => w.message).join('\n'), /stores but does not apply/);
  });
});
