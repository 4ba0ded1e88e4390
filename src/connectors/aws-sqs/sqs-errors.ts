/**
 * Translates AWS SDK and network errors into CloudbridgeErrors whose message names the cause and
 * the fix. Messages name the queue, region, endpoint and access key id; never a secret.
 */
import { CloudbridgeError, isCloudbridgeError } from '../../core/errors.ts';
import { describeQueue } from './queue-url.ts';

export interface SqsErrorContext {
  /** The SQS action, e.g. `ReceiveMessage`. */
  operation: string;
  queueUrl: string;
  region: string | undefined;
  endpoint: string | undefined;
  /** From SqsApi.describeCredentials(), e.g. `access key id AKIA… (from accessKeyId)`. */
  credentials?: string | undefined;
  /** The config field holding queueUrl (`queueUrl` or `downlinkQueueUrl`). */
  queueField?: string | undefined;
}

const AUTH_CODES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure']);
const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature', 'IncompleteSignatureException']);
const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);
const KMS_CODES = new Set(['KmsAccessDenied', 'KMS.AccessDeniedException', 'KmsDisabled', 'KMS.DisabledException', 'KmsNotFound', 'KMS.NotFoundException', 'KmsInvalidState', 'KMS.KMSInvalidStateException']);
const MISSING_QUEUE_CODES = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);
const THROTTLE_CODES = new Set(['Throttling', 'ThrottlingException', 'RequestThrottled', 'OverLimit', 'KmsThrottled', 'KMS.ThrottlingException']);
const SERVER_CODES = new Set(['ServiceUnavailable', 'InternalError', 'InternalFailure', 'InternalServerError']);
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

/** The AWS error code (`QueueDoesNotExist`, `InvalidClientTokenId`…) or socket code (`ECONNREFUSED`). */
export function sqsErrorCode(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const e = err as ErrorShape;
  for (const v of [e.Code, e.code, e.name]) {
    if (typeof v === 'string' && v && v !== 'Error') return v;
  }
  if (e.cause && e.cause !== err) return sqsErrorCode(e.cause);
  return '';
}

function messageOf(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as ErrorShape).message === 'string') return (err as { message: string }).message;
  return String(err);
}

/** Errors that the credentials (not the queue or network) caused. */
export function isCredentialsError(err: unknown): boolean {
  const code = sqsErrorCode(err);
  return AUTH_CODES.has(code) || SIGNATURE_CODES.has(code) || EXPIRED_CODES.has(code) || DENIED_CODES.has(code) || code === 'CredentialsProviderError';
}

function endpointOf(ctx: SqsErrorContext): string {
  if (ctx.endpoint) return ctx.endpoint;
  try {
    return new URL(ctx.queueUrl).origin;
  } catch {
    return ctx.queueUrl;
  }
}

export function translateSqsError(err: unknown, ctx: SqsErrorContext): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  const code = sqsErrorCode(err);
  const detail = messageOf(err);
  const opts = { cause: err };
  const queue = describeQueue(ctx.queueUrl, ctx.region);
  const queueField = ctx.queueField ?? 'queueUrl';
  const who = ctx.credentials ?? 'the configured credentials';
  const keyField = /from accessKeyId/.test(who) ? 'accessKeyId' : 'credentials';
  const details = { operation: ctx.operation, awsCode: code };

  if (SIGNATURE_CODES.has(code) && /scoped to a valid region|credential scope|region/i.test(detail)) {
    return new CloudbridgeError('CONNECTION_FAILED', `SQS rejected the request signature because it was made for the wrong region (${detail}): check region, it must be the region in ${queueField} ${queue}.`, { ...details, field: 'region' }, { ...opts, retryable: false });
  }
  if (AUTH_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `AWS does not recognise ${who} (${code}): check accessKeyId, that the key is active in IAM, and that it belongs to the queue's partition (aws, aws-cn, aws-us-gov). Temporary keys (ASIA…) also need sessionToken.`, { ...details, field: keyField });
  }
  if (SIGNATURE_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `AWS rejected the request signature made with ${who} (${code}): the secret access key does not belong to this access key id. Check secretAccessKey (no spaces or line breaks), and that the system clock is correct.`, { ...details, field: 'secretAccessKey' });
  }
  if (EXPIRED_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `The session token of ${who} has expired (${code}): temporary credentials must be refreshed. Leave accessKeyId/secretAccessKey/sessionToken empty and let the default provider chain (web identity, instance role) refresh them, or use long-term keys.`, { ...details, field: 'sessionToken' });
  }
  if (code === 'RequestExpired' || code === 'RequestTimeTooSkewed') {
    return new CloudbridgeError('AUTH_FAILED', `AWS rejected the request time (${code}): the system clock of this machine is off by more than 5 minutes. Synchronise it (NTP).`, details);
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(detail)) {
    return new CloudbridgeError('AUTH_FAILED', `No AWS credentials found: set accessKeyId and secretAccessKey, or give the process credentials the SDK default provider chain finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, an ECS/EC2 instance role, or AWS_PROFILE). ${detail}`, { ...details, field: 'accessKeyId' });
  }
  if (KMS_CODES.has(code)) {
    return new CloudbridgeError('PERMISSION_DENIED', `The queue is encrypted with a KMS key that ${who} may not use (${code}: ${detail}): grant kms:Decrypt (and kms:GenerateDataKey to send) on the queue's key.`, details);
  }
  if (DENIED_CODES.has(code)) {
    return new CloudbridgeError('PERMISSION_DENIED', `${who} may not call sqs:${ctx.operation} on ${queue} (${code}): grant sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and sqs:GetQueueAttributes on the queue (sqs:SendMessage on the downlink queue), in the IAM policy or the queue policy.`, details);
  }
  if (MISSING_QUEUE_CODES.has(code)) {
    return new CloudbridgeError('NOT_FOUND', `SQS says ${queue} does not exist: check ${queueField} (copy it from the SQS console) and region${ctx.region ? ` (${ctx.region})` : ''}; a queue exists in one region and one account only.`, { ...details, field: queueField });
  }
  if (code === 'InvalidAddress' || (code === 'InvalidParameterValue' && /queue ?url/i.test(detail))) {
    return new CloudbridgeError('CONFIG_INVALID', `SQS does not accept ${queueField} "${ctx.queueUrl}" (${code}: ${detail}): use the queue URL from the SQS console.`, { ...details, field: queueField });
  }
  if (/region is missing/i.test(detail)) {
    return new CloudbridgeError('CONFIG_INVALID', 'No AWS region: set region, use a queue URL of the form https://sqs.<region>.amazonaws.com/…, or set AWS_REGION.', { ...details, field: 'region' });
  }
  if (DNS_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_FAILED', `The SQS endpoint ${endpointOf(ctx)} could not be resolved (DNS ${code}): check region${ctx.region ? ` ("${ctx.region}")` : ''} and endpoint; AWS endpoints look like https://sqs.<region>.amazonaws.com.`, { ...details, field: ctx.endpoint ? 'endpoint' : 'region' }, opts);
  }
  if (code === 'ECONNREFUSED') {
    return new CloudbridgeError('CONNECTION_FAILED', `Nothing accepts connections at ${endpointOf(ctx)} (ECONNREFUSED): check endpoint (or remove it to use AWS) and region.`, { ...details, field: 'endpoint' }, opts);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new CloudbridgeError('CONNECTION_FAILED', `${endpointOf(ctx)} is not reachable from this machine (${code}): check the network route, proxy and firewall (a VPC without internet access needs an SQS VPC endpoint, set as endpoint).`, details, opts);
  }
  if (TIMEOUT_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `SQS ${ctx.operation} at ${endpointOf(ctx)} timed out (${code}): check region, endpoint and that outbound HTTPS to it is allowed; Cloudbridge retries.`, { ...details, field: 'region' }, opts);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new CloudbridgeError('CONNECTION_FAILED', `The connection to ${endpointOf(ctx)} was reset during ${ctx.operation} (${code}); Cloudbridge retries.`, details, opts);
  }
  if (THROTTLE_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_FAILED', `SQS throttled ${ctx.operation} on ${queue} (${code}): Cloudbridge backs off and retries; lower maxReceivers if this persists.`, details, opts);
  }
  if (SERVER_CODES.has(code) || ((err as ErrorShape | null)?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new CloudbridgeError('CONNECTION_FAILED', `SQS ${ctx.operation} on ${queue} failed on the AWS side (${code || 'HTTP 5xx'}: ${detail}); Cloudbridge retries.`, details, opts);
  }
  if (code === 'AbortError') {
    return new CloudbridgeError('SHUTTING_DOWN', `SQS ${ctx.operation} was cancelled`, details, opts);
  }
  return new CloudbridgeError('CONNECTION_FAILED', `SQS ${ctx.operation} on ${queue} failed: ${code ? `${code}: ` : ''}${detail}`, details, opts);
}
