/**
 * AWS SDK and network errors translated into CloudbridgeErrors, the part every AWS SDK connector
 * shares: reading the error code, the credential errors (unknown key, wrong secret, expired token,
 * clock skew, no credentials at all), the network errors (DNS, refused, unreachable, timeout), AWS
 * side failures and cancellation. A connector adds its own cases (permissions, missing resource,
 * throttling...) through `AwsErrorRules` and names itself in the messages; never a secret.
 */
import { CloudbridgeError, isCloudbridgeError } from '../../core/errors.ts';

export const AUTH_CODES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure']);
export const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature', 'IncompleteSignatureException']);
export const EXPIRED_TOKEN_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
export const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);
const SERVER_CODES = ['ServiceUnavailable', 'InternalError', 'InternalFailure', 'InternalServerError'];
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
export function awsErrorCode(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const e = err as ErrorShape;
  for (const v of [e.Code, e.code, e.name]) {
    if (typeof v === 'string' && v && v !== 'Error') return v;
  }
  if (e.cause && e.cause !== err) return awsErrorCode(e.cause);
  return '';
}

function messageOf(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as ErrorShape).message === 'string') return (err as { message: string }).message;
  return String(err);
}

/** Errors that the credentials (not the resource or network) caused. */
export function isAwsCredentialsError(err: unknown): boolean {
  const code = awsErrorCode(err);
  return AUTH_CODES.has(code) || SIGNATURE_CODES.has(code) || EXPIRED_TOKEN_CODES.has(code) || DENIED_CODES.has(code) || code === 'CredentialsProviderError';
}

/** What a connector's rules see of one error. */
export interface AwsErrorFacts {
  err: unknown;
  /** From `awsErrorCode`; '' when there is none. */
  code: string;
  /** The error's message. */
  detail: string;
  /** `{ operation, awsCode, ...extra }`: the details of every translated error. */
  details: Record<string, unknown>;
  /** `{ cause: err }`. */
  opts: { cause: unknown };
  /** The credentials, as described by the connector's API (`access key id AKIA… (from accessKeyId)`), or `the configured credentials`. */
  who: string;
}

export interface AwsErrorRules {
  /** The service as messages name it: `SQS`, `Kinesis`. */
  service: string;
  /** What is read, for "the key belongs to the <kind>'s partition": `queue`, `stream`. */
  resourceKind: string;
  /** The resource as messages name it, e.g. `stream "telemetry" (region eu-west-1)`. */
  resource: string;
  /** The action, e.g. `ReceiveMessage`. */
  operation: string;
  region: string | undefined;
  /** The configured endpoint override. */
  endpoint: string | undefined;
  /** The endpoint messages name: the override, else the one the SDK uses. */
  endpointShown: string;
  /** Host prefix of the regional endpoint, for the DNS hint: `sqs` → https://sqs.<region>.amazonaws.com. */
  endpointHost: string;
  /** What a VPC without internet access needs: `an SQS VPC endpoint`. */
  vpcEndpoint: string;
  /** From the connector's API describeCredentials(), for credential errors. */
  credentials?: string | undefined;
  /** Added to the details of every translated error. */
  details?: Record<string, unknown>;
  /** The fix when the request was signed for the wrong region, e.g. `set region to the region of …`. */
  wrongRegionFix: string;
  /** The message when no region is known at all. */
  noRegion: string;
  /** The connector's own cases, tried after the credential errors and before the network errors. */
  serviceErrors?: (f: AwsErrorFacts) => CloudbridgeError | undefined;
  /** The connector's own cases, tried after the network errors and before AWS side failures. */
  lateErrors?: (f: AwsErrorFacts) => CloudbridgeError | undefined;
  /** AWS error codes of failures on the AWS side beyond the common ones. */
  serverCodes?: string[];
}

export function translateAwsError(err: unknown, r: AwsErrorRules): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  const code = awsErrorCode(err);
  const detail = messageOf(err);
  const opts = { cause: err };
  const who = r.credentials ?? 'the configured credentials';
  const keyField = /from accessKeyId/.test(who) ? 'accessKeyId' : 'credentials';
  const details: Record<string, unknown> = { operation: r.operation, awsCode: code, ...r.details };
  const facts: AwsErrorFacts = { err, code, detail, details, opts, who };
  const at = r.endpointShown;

  if (SIGNATURE_CODES.has(code) && /scoped to a valid region|credential scope|region/i.test(detail)) {
    return new CloudbridgeError('CONNECTION_FAILED', `${r.service} rejected the request signature because it was made for the wrong region (${detail}): ${r.wrongRegionFix}.`, { ...details, field: 'region' }, { ...opts, retryable: false });
  }
  if (AUTH_CODES.has(code)) {
    return new CloudbridgeError('AUTH_FAILED', `AWS does not recognise ${who} (${code}): check accessKeyId, that the key is active in IAM, and that it belongs to the ${r.resourceKind}'s partition (aws, aws-cn, aws-us-gov). Temporary keys (ASIA…) also need sessionToken.`, { ...details, field: keyField });
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
  const own = r.serviceErrors?.(facts);
  if (own) return own;
  if (/region is missing/i.test(detail)) {
    return new CloudbridgeError('CONFIG_INVALID', r.noRegion, { ...details, field: 'region' });
  }
  if (DNS_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_FAILED', `The ${r.service} endpoint ${at} could not be resolved (DNS ${code}): check region${r.region ? ` ("${r.region}")` : ''} and endpoint; AWS endpoints look like https://${r.endpointHost}.<region>.amazonaws.com.`, { ...details, field: r.endpoint ? 'endpoint' : 'region' }, opts);
  }
  if (code === 'ECONNREFUSED') {
    return new CloudbridgeError('CONNECTION_FAILED', `Nothing accepts connections at ${at} (ECONNREFUSED): check endpoint (or remove it to use AWS) and region.`, { ...details, field: 'endpoint' }, opts);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new CloudbridgeError('CONNECTION_FAILED', `${at} is not reachable from this machine (${code}): check the network route, proxy and firewall (a VPC without internet access needs ${r.vpcEndpoint}, set as endpoint).`, details, opts);
  }
  if (TIMEOUT_CODES.has(code)) {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `${r.service} ${r.operation} at ${at} timed out (${code}): check region, endpoint and that outbound HTTPS to it is allowed; Cloudbridge retries.`, { ...details, field: 'region' }, opts);
  }
  const late = r.lateErrors?.(facts);
  if (late) return late;
  if (SERVER_CODES.includes(code) || r.serverCodes?.includes(code) || ((err as ErrorShape | null)?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new CloudbridgeError('CONNECTION_FAILED', `${r.service} ${r.operation} on ${r.resource} failed on the AWS side (${code || 'HTTP 5xx'}: ${detail}); Cloudbridge retries.`, details, opts);
  }
  if (code === 'AbortError') {
    return new CloudbridgeError('SHUTTING_DOWN', `${r.service} ${r.operation} was cancelled`, details, opts);
  }
  return new CloudbridgeError('CONNECTION_FAILED', `${r.service} ${r.operation} on ${r.resource} failed: ${code ? `${code}: ` : ''}${detail}`, details, opts);
}
