/**
 * Translates AWS SDK and network errors of Kinesis calls into CloudbridgeErrors whose message names
 * the cause and the fix. Messages name the stream, region, endpoint and access key id; never a
 * secret.
 */
import { CloudbridgeError, isCloudbridgeError } from '../../core/errors.ts';

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

const AUTH_CODES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure']);
const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature', 'IncompleteSignatureException']);
const EXPIRED_TOKEN_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);
const KMS_CODES = new Set(['KMSAccessDeniedException', 'KMSDisabledException', 'KMSNotFoundException', 'KMSInvalidStateException', 'KMSOptInRequired']);
const THROTTLE_CODES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException', 'Throttling', 'ThrottlingException', 'RequestThrottled']);
const SERVER_CODES = new Set(['ServiceUnavailable', 'InternalError', 'InternalFailure', 'InternalServerError', 'ServiceUnavailableException']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ESOCKETTIMEDOUT']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code (`ResourceNotFoundException`, …) or socket code (`ECONNREFUSED`). */
export function kinesisErrorCode(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const e = err as ErrorShape;
  for (const v of [e.Code, e.code, e.name]) {
    if (typeof v === 'string' && v && v !== 'Error') return v;
  }
  if (e.cause && e.cause !== err) return kinesisErrorCode(e.cause);
  return '';
}

function messageOf(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as ErrorShape).message === 'string') return (err as { message: string }).message;
  return String(err);
}

/** Errors that the credentials (not the stream or network) caused. */
export function isCredentialsError(err: unknown): boolean {
  const code = kinesisErrorCode(err);
  return AUTH_CODES.has(code) || SIGNATURE_CODES.has(code) || EXPIRED_TOKEN_CODES.has(code) || DENIED_CODES.has(code) || code === 'CredentialsProviderError';
}

export const isThroughputExceeded = (err: unknown): boolean => kinesisErrorCode(err) === 'ProvisionedThroughputExceededException';
export const isIteratorExpired = (err: unknown): boolean => kinesisErrorCode(err) === 'ExpiredIteratorException';
export const isNotFound = (err: unknown): boolean => kinesisErrorCode(err) === 'ResourceNotFoundException';

function endpointOf(ctx: KinesisErrorContext): string {
  return ctx.endpoint ?? (ctx.region ? `https://kinesis.${ctx.region}.amazonaws.com` : 'the Kinesis endpoint');
}

export function translateKinesisError(err: unknown, ctx: KinesisErrorContext): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  const code = kinesisErrorCode(err);
  const detail = messageOf(err);
  const opts = { cause: err };
  const streamField = ctx.streamField ?? 'streamName';
  const stream = `stream "${ctx.streamName}"${ctx.region ? ` (region ${ctx.region})` : ''}`;
  const who = ctx.credentials ?? 'the configured credentials';
  const keyField = /from accessKeyId/.test(who) ? 'accessKeyId' : 'credentials';
  const details = { operation: ctx.operation, awsCode: code, ...(ctx.shardId ? { shardId: ctx.shardId } : {}) };

  if (SIGNATURE_CODES.has(code) && /scoped to a valid region|credential scope|region/i.test(detail)) {
    return new CloudbridgeError('CONNECTION_FAILED', `Kinesis rejected the request signature because it was made for the wrong region (${detail}): set region to the region of ${stream}.`, { ...details, field: 'region' }, { ...opts, retryable: false });
  }
  if (AUTH_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `AWS does not recognise ${who} (${code}): check accessKeyId, that the key is active in IAM, and that it belongs to the stream's partition (aws, aws-cn, aws-us-gov). Temporary keys (ASIA…) also need sessionToken.`, { ...details, field: keyField });
  }
  if (SIGNATURE_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `AWS rejected the request signature made with ${who} (${code}): the secret access key does not belong to this access key id. Check secretAccessKey (no spaces or line breaks), and that the system clock is correct.`, { ...details, field: 'secretAccessKey' });
  }
  if (EXPIRED_TOKEN_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `The session token of ${who} has expired (${code}): temporary credentials must be refreshed. Leave accessKeyId/secretAccessKey/sessionToken empty and let the default provider chain (web identity, instance role) refresh them, or use long-term keys.`, { ...details, field: 'sessionToken' });
  }
  if (code === 'RequestExpired' || code === 'RequestTimeTooSkewed') {
    return new CloudbridgeError('AUTH_FAILED', `AWS rejected the request time (${code}): the system clock of this machine is off by more than 5 minutes. Synchronise it (NTP).`, details);
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(detail)) {
    return new CloudbridgeError('AUTH_FAILED', `No AWS credentials found: set accessKeyId and secretAccessKey, or give the process credentials the SDK default provider chain finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, an ECS/EC2 instance role, or AWS_PROFILE). ${detail}`, { ...details, field: 'accessKeyId' });
  }
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
  if (/region is missing/i.test(detail)) {
    return new CloudbridgeError('CONFIG_INVALID', 'No AWS region: set region (or streamArn), or set AWS_REGION.', { ...details, field: 'region' });
  }
  if (DNS_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_FAILED', `The Kinesis endpoint ${endpointOf(ctx)} could not be resolved (DNS ${code}): check region${ctx.region ? ` ("${ctx.region}")` : ''} and endpoint; AWS endpoints look like https://kinesis.<region>.amazonaws.com.`, { ...details, field: ctx.endpoint ? 'endpoint' : 'region' }, opts);
  }
  if (code === 'ECONNREFUSED') {
    return new CloudbridgeError('CONNECTION_FAILED', `Nothing accepts connections at ${endpointOf(ctx)} (ECONNREFUSED): check endpoint (or remove it to use AWS) and region.`, { ...details, field: 'endpoint' }, opts);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new CloudbridgeError('CONNECTION_FAILED', `${endpointOf(ctx)} is not reachable from this machine (${code}): check the network route, proxy and firewall (a VPC without internet access needs a Kinesis interface VPC endpoint, set as endpoint).`, details, opts);
  }
  if (TIMEOUT_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `Kinesis ${ctx.operation} at ${endpointOf(ctx)} timed out (${code}): check region, endpoint and that outbound HTTPS to it is allowed; Cloudbridge retries.`, { ...details, field: 'region' }, opts);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /Protocol error/i.test(detail)) {
    return new CloudbridgeError('CONNECTION_FAILED', `The connection to ${endpointOf(ctx)} failed during ${ctx.operation} (${code || detail}); Cloudbridge retries.`, details, opts);
  }
  if (SERVER_CODES.has(code) || ((err as ErrorShape | null)?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new CloudbridgeError('CONNECTION_FAILED', `Kinesis ${ctx.operation} on ${stream} failed on the AWS side (${code || 'HTTP 5xx'}: ${detail}); Cloudbridge retries.`, details, opts);
  }
  if (code === 'AbortError') {
    return new CloudbridgeError('SHUTTING_DOWN', `Kinesis ${ctx.operation} was cancelled`, details, opts);
  }
  return new CloudbridgeError('CONNECTION_FAILED', `Kinesis ${ctx.operation} on ${stream} failed: ${code ? `${code}: ` : ''}${detail}`, details, opts);
}
