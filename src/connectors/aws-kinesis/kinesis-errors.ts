/**
 * Translates AWS SDK and network errors of Kinesis calls into CloudbridgeErrors whose message names
 * the cause and the fix. Messages name the stream, region, endpoint and access key id; never a
 * secret. The cases every AWS service shares are in `aws-common`; the Kinesis ones are here.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { awsErrorCode, DENIED_CODES, translateAwsError } from '../aws-common/index.ts';

export { isAwsCredentialsError as isCredentialsError } from '../aws-common/index.ts';

export interface KinesisErrorContext {
  /** The Kinesis action, e.g. `GetRecords`. */
  operation: string;
  streamName: string;
  /** The config field naming the stream (`streamName` or `downlinkStreamName`). */
  streamField?: string | undefined;
  region: string | undefined;
  endpoint: string | undefined;
  /** From KinesisApi.describeCredentials(), e.g. `access key id AKIA… (from accessKeyId)`. */
  credentials?: string | undefined;
  shardId?: string | undefined;
}

/** What to grant for reading (and, with a downlink stream, writing). */
export const READ_ACTIONS = 'kinesis:DescribeStreamSummary, kinesis:ListShards, kinesis:GetShardIterator and kinesis:GetRecords';

const KMS_CODES = new Set(['KMSAccessDeniedException', 'KMSDisabledException', 'KMSNotFoundException', 'KMSInvalidStateException', 'KMSOptInRequired']);
const THROTTLE_CODES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException', 'Throttling', 'ThrottlingException', 'RequestThrottled']);

/** The AWS error code (`ResourceNotFoundException`, …) or socket code (`ECONNREFUSED`). */
export const kinesisErrorCode = awsErrorCode;

export const isThroughputExceeded = (err: unknown): boolean => kinesisErrorCode(err) === 'ProvisionedThroughputExceededException';
export const isIteratorExpired = (err: unknown): boolean => kinesisErrorCode(err) === 'ExpiredIteratorException';
export const isNotFound = (err: unknown): boolean => kinesisErrorCode(err) === 'ResourceNotFoundException';

function endpointOf(ctx: KinesisErrorContext): string {
  return ctx.endpoint ?? (ctx.region ? `https://kinesis.${ctx.region}.amazonaws.com` : 'the Kinesis endpoint');
}

export function translateKinesisError(err: unknown, ctx: KinesisErrorContext): CloudbridgeError {
  const streamField = ctx.streamField ?? 'streamName';
  const stream = `stream "${ctx.streamName}"${ctx.region ? ` (region ${ctx.region})` : ''}`;
  return translateAwsError(err, {
    service: 'Kinesis',
    resourceKind: 'stream',
    resource: stream,
    operation: ctx.operation,
    region: ctx.region,
    endpoint: ctx.endpoint,
    endpointShown: endpointOf(ctx),
    endpointHost: 'kinesis',
    vpcEndpoint: 'a Kinesis interface VPC endpoint',
    credentials: ctx.credentials,
    details: ctx.shardId ? { shardId: ctx.shardId } : {},
    wrongRegionFix: `set region to the region of ${stream}`,
    noRegion: 'No AWS region: set region (or streamArn), or set AWS_REGION.',
    serverCodes: ['ServiceUnavailableException'],
    serviceErrors: ({ code, detail, details, opts, who }) => {
      if (KMS_CODES.has(code)) {
        return new CloudbridgeError('PERMISSION_DENIED', `${stream} is encrypted with a KMS key that ${who} may not use (${code}: ${detail}): grant kms:Decrypt on the stream's key (kms:GenerateDataKey too, to put downlinks on an encrypted stream), and check that the key is enabled.`, details);
      }
      if (DENIED_CODES.has(code)) {
        const needed = ctx.operation === 'PutRecord' ? `kinesis:PutRecord on ${stream}` : `${READ_ACTIONS} on ${stream} (kinesis:PutRecord on downlinkStreamName, kms:Decrypt on the key of an encrypted stream)`;
        return new CloudbridgeError('PERMISSION_DENIED', `${who} may not call kinesis:${ctx.operation} on ${stream} (${code}): grant ${needed} in the IAM policy.`, details);
      }
      if (code === 'ResourceNotFoundException') {
        const what = ctx.shardId && /shard/i.test(detail) ? `shard ${ctx.shardId} of ${stream}` : stream;
        return new CloudbridgeError('NOT_FOUND', `Kinesis says ${what} does not exist (${detail}): check ${streamField} and region${ctx.region ? ` (${ctx.region})` : ''}; a stream exists in one region and one account only.`, { ...details, field: streamField });
      }
      if (code === 'ResourceInUseException') {
        return new CloudbridgeError('CONNECTION_FAILED', `${stream} is not ready (${detail}): it is being created, updated or deleted; Cloudbridge retries.`, details, opts);
      }
      if (code === 'ProvisionedThroughputExceededException') {
        return new CloudbridgeError('CONNECTION_FAILED', `Kinesis throttled ${ctx.operation} on ${ctx.shardId ? `shard ${ctx.shardId} of ` : ''}${stream} (${code}): the stream's read or write limit per shard (5 GetRecords calls and 2 MB per second, shared by every consumer; 1000 records or 1 MB written per second) is used up. Cloudbridge backs off and retries; raise pollIntervalMs, lower maxRecords, remove other consumers, or add shards.`, details, opts);
      }
      if (code === 'ExpiredIteratorException') {
        return new CloudbridgeError('CONNECTION_FAILED', `The shard iterator of ${ctx.shardId ?? 'a shard'} expired (${detail}): iterators last 5 minutes. Cloudbridge gets a new one and resumes right after the last record it read.`, details, opts);
      }
      if (code === 'InvalidArgumentException' && /did not come from this stream|StartingSequenceNumber/i.test(detail)) {
        return new CloudbridgeError('CONFIG_INVALID', `The checkpoint of ${ctx.shardId ?? 'a shard'} does not belong to ${stream} (${detail}): the stream was deleted and created again under the same name. Set a new applicationName to read it from initialPosition.`, { ...details, field: 'applicationName' }, { ...opts, retryable: false });
      }
      if (THROTTLE_CODES.has(code)) {
        return new CloudbridgeError('CONNECTION_FAILED', `Kinesis throttled ${ctx.operation} on ${stream} (${code}); Cloudbridge backs off and retries.`, details, opts);
      }
      return undefined;
    },
    lateErrors: ({ code, detail, details, opts }) => {
      if (code === 'ECONNRESET' || code === 'EPIPE' || /Protocol error/i.test(detail)) {
        return new CloudbridgeError('CONNECTION_FAILED', `The connection to ${endpointOf(ctx)} failed during ${ctx.operation} (${code || detail}); Cloudbridge retries.`, details, opts);
      }
      return undefined;
    },
  });
}
