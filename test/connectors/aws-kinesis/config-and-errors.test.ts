/** aws-kinesis config rules, error translation (cause and fix), downlink records. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { awsKinesisConnector } from '../../../src/connectors/aws-kinesis/definition.ts';
import { validateKinesisConfig } from '../../../src/connectors/aws-kinesis/validate.ts';
import { KinesisConfigSpec, resolveKinesisConfig } from '../../../src/connectors/aws-kinesis/config-spec.ts';
import { translateKinesisError, type KinesisErrorContext } from '../../../src/connectors/aws-kinesis/kinesis-errors.ts';
import { buildPutRecord } from '../../../src/connectors/aws-kinesis/downlink.ts';
import { formatPosition, parsePosition, resumeFrom } from '../../../src/connectors/aws-kinesis/position.ts';
import { awsError } from './fake-kinesis.ts';

const ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/telemetry';
const ctx: KinesisErrorContext = { operation: 'GetRecords', streamName: 'telemetry', region: 'eu-west-1', endpoint: undefined, credentials: 'access key id AKIAEXAMPLE000000001 (from accessKeyId)', shardId: 'shardId-000000000002' };

describe('aws-kinesis config', () => {
  it('takes stream name and region from streamArn, and defaults the lease namespace to the integration name', () => {
    const c = resolveKinesisConfig({ streamArn: ARN }, 'plant', {});
    assert.equal(c.streamName, 'telemetry');
    assert.equal(c.region, 'eu-west-1');
    assert.equal(c.applicationName, 'plant');
    assert.equal(c.initialPosition, 'LATEST');
    assert.equal(c.maxRecords, 10_000);
    assert.equal(c.leaseDurationSeconds, 10);
    assert.equal(c.credentials, undefined, 'no keys: the SDK default provider chain');
    assert.equal(resolveKinesisConfig({ streamName: 's', applicationName: 'app' }, 'plant', { AWS_REGION: 'us-west-2' }).region, 'us-west-2');
  });

  it('rejects what cannot work, naming the field and the fix', () => {
    assert.throws(() => validateKinesisConfig({}), { code: 'CONFIG_INVALID', details: { field: 'streamName' } });
    assert.throws(() => validateKinesisConfig({ streamArn: ARN, region: 'us-east-1' }), { code: 'CONFIG_INVALID', message: /Set region to eu-west-1/ });
    assert.throws(() => validateKinesisConfig({ streamArn: ARN, streamName: 'other' }), { code: 'CONFIG_INVALID', details: { field: 'streamName' } });
    assert.throws(() => validateKinesisConfig({ streamName: 's', accessKeyId: 'AKIAEXAMPLE000000001' }), { code: 'CONFIG_INVALID', details: { field: 'secretAccessKey' } });
    assert.throws(() => validateKinesisConfig({ streamName: 's', initialPosition: 'AT_TIMESTAMP' }), { code: 'CONFIG_INVALID', details: { field: 'initialTimestamp' } });
    assert.throws(() => validateKinesisConfig({ streamName: 's', initialPosition: 'AT_TIMESTAMP', initialTimestamp: '2999-01-01T00:00:00Z' }), { code: 'CONFIG_INVALID', message: /future/ });
    assert.deepEqual(validateKinesisConfig({ streamName: 's', region: 'eu-west-1', initialPosition: 'AT_TIMESTAMP', initialTimestamp: '2026-01-01T00:00:00Z' }, {}), []);
    const warnings = validateKinesisConfig({ streamName: 's', endpoint: 'http://10.0.0.5:4567', initialTimestamp: '2026-01-01T00:00:00Z' }, {});
    assert.equal(warnings.length, 3, warnings.join('\n'));
  });

  it('the spec marks secrets and bounds maxRecords and pollIntervalMs to what Kinesis allows', () => {
    const props = KinesisConfigSpec.properties as Record<string, { secret?: boolean }>;
    assert.equal(props.secretAccessKey?.secret, true);
    assert.equal(props.sessionToken?.secret, true);
    assert.equal(Value.Check(KinesisConfigSpec, { streamName: 's', maxRecords: 10_001 }), false);
    assert.equal(Value.Check(KinesisConfigSpec, { streamName: 's', pollIntervalMs: 100 }), false, 'more than 5 calls per second per shard');
    assert.equal(Value.Check(KinesisConfigSpec, { streamName: 's', initialTimestamp: 'yesterday' }), false);
    assert.equal(Value.Check(KinesisConfigSpec, { streamName: 'bad name' }), false);
    assert.equal(Value.Check(KinesisConfigSpec, { streamName: 's', maxRecords: 10_000, initialTimestamp: '2026-01-31T00:00:00Z' }), true);
    assert.equal(awsKinesisConnector.capabilities.redelivery, 'checkpoint');
  });
});

describe('aws-kinesis errors name the cause and the fix', () => {
  it('stream not found: check the name and the region', () => {
    const e = translateKinesisError(awsError('ResourceNotFoundException', 'Stream telemetry under account 123 not found.'), { ...ctx, operation: 'DescribeStreamSummary', shardId: undefined });
    assert.equal(e.code, 'NOT_FOUND');
    assert.match(e.message, /stream "telemetry" \(region eu-west-1\) does not exist.*check streamName and region/);
  });

  it('access denied: lists every action to grant, and kms:Decrypt for an encrypted stream', () => {
    const e = translateKinesisError(awsError('AccessDeniedException', 'User is not authorized'), ctx);
    assert.equal(e.code, 'PERMISSION_DENIED');
    for (const action of ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:PutRecord', 'kms:Decrypt']) {
      assert.ok(e.message.includes(action), `${action} in: ${e.message}`);
    }
    assert.match(translateKinesisError(awsError('KMSAccessDeniedException', 'no'), ctx).message, /grant kms:Decrypt/);
  });

  it('throughput exceeded and expired iterators say what Cloudbridge does about them', () => {
    const t = translateKinesisError(awsError('ProvisionedThroughputExceededException', 'Rate exceeded'), ctx);
    assert.equal(t.retryable, true);
    assert.match(t.message, /shard shardId-000000000002.*5 GetRecords calls and 2 MB per second.*raise pollIntervalMs/);
    assert.match(translateKinesisError(awsError('ExpiredIteratorException', 'Iterator expired'), ctx).message, /iterators last 5 minutes.*right after the last record/);
  });

  it('bad credentials: unknown key, wrong secret, expired session, none found', () => {
    assert.deepEqual([
      translateKinesisError(awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'), ctx).details.field,
      translateKinesisError(awsError('InvalidSignatureException', 'The request signature we calculated does not match'), ctx).details.field,
      translateKinesisError(awsError('ExpiredTokenException', 'expired'), ctx).details.field,
      translateKinesisError(awsError('CredentialsProviderError', 'Could not load credentials from any providers'), ctx).details.field,
    ], ['accessKeyId', 'secretAccessKey', 'sessionToken', 'accessKeyId']);
    const e = translateKinesisError(awsError('UnrecognizedClientException', 'invalid'), ctx);
    assert.equal(e.code, 'AUTH_FAILED');
    assert.match(e.message, /AKIAEXAMPLE000000001/);
  });

  it('a checkpoint of a re-created stream asks for a new applicationName', () => {
    const e = translateKinesisError(awsError('InvalidArgumentException', 'StartingSequenceNumber 123 used in GetShardIterator on shard x is invalid because it did not come from this stream.'), ctx);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.details.field, 'applicationName');
  });

  it('network errors point at region and endpoint', () => {
    const dns = translateKinesisError(Object.assign(new Error('getaddrinfo ENOTFOUND kinesis.eu-wset-1.amazonaws.com'), { code: 'ENOTFOUND' }), { ...ctx, region: 'eu-wset-1' });
    assert.equal(dns.code, 'CONNECTION_FAILED');
    assert.match(dns.message, /check region \("eu-wset-1"\)/);
    const refused = translateKinesisError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { ...ctx, endpoint: 'http://127.0.0.1:1' });
    assert.equal(refused.details.field, 'endpoint');
  });
});

describe('aws-kinesis positions and downlinks', () => {
  it('checkpoints round-trip, and say where to resume', () => {
    assert.equal(formatPosition({ sequenceNumber: '123' }), '123');
    assert.equal(formatPosition({ sequenceNumber: '123', subSequenceNumber: 4 }), '123/4');
    assert.deepEqual(parsePosition('123/4'), { sequenceNumber: '123', subSequenceNumber: 4 });
    assert.equal(parsePosition('SHARD_END'), null);
    assert.deepEqual(resumeFrom('123', { type: 'LATEST' }), { start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '123' } });
    assert.deepEqual(resumeFrom(null, { type: 'LATEST' }), { start: { type: 'LATEST' } });
    assert.deepEqual(resumeFrom('123/4', { type: 'LATEST' }), { start: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '123' }, skip: { sequenceNumber: '123', throughSub: 4 } });
  });

  it('a downlink record: partition key from metadata.partitionKey, else the device name', () => {
    const data = Buffer.from('{"cmd":"on"}');
    assert.deepEqual(buildPutRecord({ contentType: 'JSON', data, metadata: { deviceName: 'dev-1' } }, 'commands'), { streamName: 'commands', partitionKey: 'dev-1', data });
    assert.equal(buildPutRecord({ contentType: 'JSON', data, metadata: { deviceName: 'dev-1', partitionKey: 'group-7', explicitHashKey: '42' } }, 'c').partitionKey, 'group-7');
    assert.throws(() => buildPutRecord({ contentType: 'JSON', data, metadata: {} }, 'c'), { code: 'DOWNLINK_FAILED', message: /partition key/ });
    assert.throws(() => buildPutRecord({ contentType: 'BINARY', data: new Uint8Array(0), metadata: { deviceName: 'd' } }, 'c'), { code: 'DOWNLINK_FAILED', message: /empty/ });
    assert.throws(() => buildPutRecord({ contentType: 'BINARY', data: new Uint8Array(1024 * 1024), metadata: { deviceName: 'd' } }, 'c'), { code: 'DOWNLINK_FAILED', message: /at most/ });
    assert.throws(() => buildPutRecord({ contentType: 'JSON', data, metadata: { deviceName: 'd', explicitHashKey: 'x' } }, 'c'), { code: 'DOWNLINK_FAILED', message: /explicitHashKey/ });
  });
});
