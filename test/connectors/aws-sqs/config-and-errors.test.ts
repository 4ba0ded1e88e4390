import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { awsSqsConnector } from '../../../src/connectors/aws-sqs/definition.ts';
import { validateSqsConfig } from '../../../src/connectors/aws-sqs/validate.ts';
import { resolveSqsConfig, SqsConfigSpec } from '../../../src/connectors/aws-sqs/config-spec.ts';
import { parseQueueUrl } from '../../../src/connectors/aws-sqs/queue-url.ts';
import { translateSqsError, type SqsErrorContext } from '../../../src/connectors/aws-sqs/sqs-errors.ts';
import { toUplinkMessage } from '../../../src/connectors/aws-sqs/uplink-message.ts';
import { buildSendRequest } from '../../../src/connectors/aws-sqs/downlink.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/telemetry';

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, Code: name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

const ctx: SqsErrorContext = { operation: 'ReceiveMessage', queueUrl: QUEUE, region: 'eu-west-1', endpoint: undefined, credentials: 'access key id AKIAEXAMPLE000000001 (from accessKeyId)' };

describe('aws-sqs config', () => {
  it('takes the region from the queue URL and recognises FIFO queues', () => {
    const c = resolveSqsConfig({ queueUrl: 'https://sqs.ap-southeast-2.amazonaws.com/123456789012/orders.fifo' }, {});
    assert.equal(c.region, 'ap-southeast-2');
    assert.equal(c.fifo, true);
    assert.equal(c.queueName, 'orders.fifo');
    assert.equal(c.credentials, undefined, 'no keys: the SDK default provider chain');
    assert.equal(c.waitTimeSeconds, 20);
    assert.equal(c.maxMessages, 10);
    assert.equal(resolveSqsConfig({ queueUrl: 'http://127.0.0.1:4566/000000000000/q' }, { AWS_REGION: 'us-west-2' }).region, 'us-west-2');
  });

  it('parses the queue URL forms', () => {
    assert.equal(parseQueueUrl('https://eu-central-1.queue.amazonaws.com/1/q').region, 'eu-central-1');
    assert.equal(parseQueueUrl('https://vpce-0abc-xyz.sqs.us-east-2.vpce.amazonaws.com/123/q').region, 'us-east-2');
    assert.deepEqual(parseQueueUrl(QUEUE), { host: 'sqs.eu-west-1.amazonaws.com', name: 'telemetry', account: '123456789012', region: 'eu-west-1', fifo: false });
  });

  it('rejects what cannot work, naming the field and the fix', () => {
    assert.throws(() => validateSqsConfig({ queueUrl: QUEUE, accessKeyId: 'AKIAEXAMPLE000000001' }), { code: 'CONFIG_INVALID', details: { field: 'secretAccessKey' } });
    assert.throws(() => validateSqsConfig({ queueUrl: QUEUE, sessionToken: 'x' }), { code: 'CONFIG_INVALID', details: { field: 'sessionToken' } });
    assert.throws(() => validateSqsConfig({ queueUrl: QUEUE, region: 'us-east-1' }), { code: 'CONFIG_INVALID', message: /Set region to eu-west-1/ });
    assert.throws(() => validateSqsConfig({ queueUrl: QUEUE, maxInFlight: 5 }), { code: 'CONFIG_INVALID', details: { field: 'maxInFlight' } });
    assert.deepEqual(validateSqsConfig({ queueUrl: QUEUE }, {}), []);
    assert.deepEqual(validateSqsConfig({ queueUrl: QUEUE, redelivery: { initialDelaySeconds: 60, maxDelaySeconds: 10 } }, {}),
      ['redelivery is ignored: a message that could not be stored becomes visible again after the pipeline\'s own retry delay (the same for every connector). Remove redelivery from the config'], 'the old backoff setting is accepted, with a warning');
    const warnings = validateSqsConfig({ queueUrl: 'http://10.0.0.5:4566/000000000000/q', endpoint: 'http://10.0.0.5:4566', visibilityTimeoutSeconds: 2 }, {});
    assert.equal(warnings.length, 3, warnings.join('\n'));
  });

  it('the spec marks secrets and bounds maxMessages to what SQS allows', () => {
    const props = SqsConfigSpec.properties as Record<string, { secret?: boolean }>;
    assert.equal(props.secretAccessKey?.secret, true);
    assert.equal(props.sessionToken?.secret, true);
    assert.equal(props.accessKeyId?.secret, undefined);
    assert.equal(Value.Check(SqsConfigSpec, { queueUrl: QUEUE, maxMessages: 11 }), false);
    assert.equal(Value.Check(SqsConfigSpec, { queueUrl: QUEUE, waitTimeSeconds: 21 }), false);
    assert.equal(Value.Check(SqsConfigSpec, { queueUrl: QUEUE, maxMessages: 10, waitTimeSeconds: 20 }), true);
    assert.equal(awsSqsConnector.capabilities.redelivery, 'visibility-timeout');
    assert.ok((awsSqsConnector.pitfalls ?? []).length >= 10);
  });
});

describe('aws-sqs error translation', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown key', awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'AUTH_FAILED', /does not recognise access key id AKIAEXAMPLE000000001.*check accessKeyId/],
    ['unknown key (JSON name)', awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'AUTH_FAILED', /check accessKeyId/],
    ['wrong secret', awsError('SignatureDoesNotMatch', 'The request signature we calculated does not match', 403), 'AUTH_FAILED', /Check secretAccessKey/],
    ['wrong region', awsError('SignatureDoesNotMatch', 'Credential should be scoped to a valid region.', 403), 'CONNECTION_FAILED', /wrong region.*check region/],
    ['expired token', awsError('ExpiredToken', 'The security token included in the request is expired'), 'AUTH_FAILED', /expired.*default provider chain/],
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'AUTH_FAILED', /No AWS credentials found/],
    ['access denied', awsError('AccessDenied', 'not authorized to perform: sqs:receivemessage', 403), 'PERMISSION_DENIED', /may not call sqs:ReceiveMessage on queue "telemetry".*grant sqs:ReceiveMessage/],
    ['kms', awsError('KMS.AccessDeniedException', 'denied'), 'PERMISSION_DENIED', /kms:Decrypt/],
    ['missing queue', awsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'), 'NOT_FOUND', /queue "telemetry" \(account 123456789012, region eu-west-1\) does not exist: check queueUrl/],
    ['missing queue (JSON name)', awsError('QueueDoesNotExist', 'The specified queue does not exist.'), 'NOT_FOUND', /check queueUrl/],
    ['no region', new Error('Region is missing'), 'CONFIG_INVALID', /set region/],
    ['dns', socketError('ENOTFOUND'), 'CONNECTION_FAILED', /could not be resolved.*check region \("eu-west-1"\)/],
    ['refused', socketError('ECONNREFUSED'), 'CONNECTION_FAILED', /ECONNREFUSED.*check endpoint/],
    ['timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'CONNECTION_TIMEOUT', /timed out/],
    ['throttled', awsError('RequestThrottled', 'slow down'), 'CONNECTION_FAILED', /throttled/],
    ['server', awsError('InternalError', 'oops', 500), 'CONNECTION_FAILED', /AWS side/],
  ];
  for (const [what, err, code, message] of cases) {
    it(`${what} → ${code}`, () => {
      const e = translateSqsError(err, ctx);
      assert.equal(e.code, code);
      assert.match(e.message, message);
    });
  }

  it('retryable network errors stay retryable, credential errors do not', () => {
    assert.equal(translateSqsError(socketError('ECONNRESET'), ctx).retryable, true);
    assert.equal(translateSqsError(awsError('InvalidClientTokenId', 'x'), ctx).retryable, false);
    assert.equal(translateSqsError(awsError('SignatureDoesNotMatch', 'Credential should be scoped to a valid region.'), ctx).retryable, false);
  });
});

describe('aws-sqs message mapping', () => {
  it('uplink metadata: system attributes win over message attributes of the same name', () => {
    const m = toUplinkMessage({
      messageId: 'id-1', receiptHandle: 'rh', body: 'x',
      attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1700000000000', MessageGroupId: 'g' },
      messageAttributes: { messageId: { dataType: 'String', stringValue: 'spoofed' }, 'n': { dataType: 'Number.float', stringValue: '1.5' } },
    }, 5, 'text');
    assert.deepEqual(m.metadata, { messageId: 'id-1', n: '1.5', approximateReceiveCount: '3', sentTimestamp: '1700000000000', messageGroupId: 'g' });
    assert.equal(m.receivedAt, 5);
  });

  it('downlink: metadata keys for SendMessage parameters are not attributes; delaySeconds is checked', () => {
    const data = new TextEncoder().encode('on');
    const req = buildSendRequest({ contentType: 'TEXT', data, metadata: { delaySeconds: '5', deviceName: 'd' } }, QUEUE, false);
    assert.equal(req.delaySeconds, 5);
    assert.deepEqual(Object.keys(req.attributes), ['deviceName']);
    assert.throws(() => buildSendRequest({ contentType: 'TEXT', data, metadata: { delaySeconds: '901' } }, QUEUE, false), { code: 'DOWNLINK_FAILED' });
    assert.throws(() => buildSendRequest({ contentType: 'TEXT', data, metadata: { a: '' } }, QUEUE, false), { code: 'DOWNLINK_FAILED', message: /"a" is empty/ });
    assert.throws(() => buildSendRequest({ contentType: 'TEXT', data, metadata: {} }, `${QUEUE}.fifo`, true), { code: 'DOWNLINK_FAILED', message: /messageGroupId/ });
    const fifo = buildSendRequest({ contentType: 'TEXT', data, metadata: { deviceName: 'd', messageDeduplicationId: 'x1' } }, `${QUEUE}.fifo`, true);
    assert.equal(fifo.messageGroupId, 'd');
    assert.equal(fifo.messageDeduplicationId, 'x1');
  });
});
