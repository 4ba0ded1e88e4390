/**
 * Translates AWS SDK and network errors into CloudbridgeErrors whose message names the cause and
 * the fix. Messages name the queue, region, endpoint and access key id; never a secret. The cases
 * every AWS service shares are in `aws-common`; the SQS ones are here.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { awsErrorCode, DENIED_CODES, translateAwsError } from '../aws-common/index.ts';
import { describeQueue } from './queue-url.ts';

export { isAwsCredentialsError as isCredentialsError } from '../aws-common/index.ts';

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

const KMS_CODES = new Set(['KmsAccessDenied', 'KMS.AccessDeniedException', 'KmsDisabled', 'KMS.DisabledException', 'KmsNotFound', 'KMS.NotFoundException', 'KmsInvalidState', 'KMS.KMSInvalidStateException']);
const MISSING_QUEUE_CODES = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);
const THROTTLE_CODES = new Set(['Throttling', 'ThrottlingException', 'RequestThrottled', 'OverLimit', 'KmsThrottled', 'KMS.ThrottlingException']);

/** The AWS error code (`QueueDoesNotExist`, `InvalidClientTokenId`…) or socket code (`ECONNREFUSED`). */
export const sqsErrorCode = awsErrorCode;

function endpointOf(ctx: SqsErrorContext): string {
  if (ctx.endpoint) return ctx.endpoint;
  try {
    return new URL(ctx.queueUrl).origin;
  } catch {
    return ctx.queueUrl;
  }
}

export function translateSqsError(err: unknown, ctx: SqsErrorContext): CloudbridgeError {
  const queue = describeQueue(ctx.queueUrl, ctx.region);
  const queueField = ctx.queueField ?? 'queueUrl';
  return translateAwsError(err, {
    service: 'SQS',
    resourceKind: 'queue',
    resource: queue,
    operation: ctx.operation,
    region: ctx.region,
    endpoint: ctx.endpoint,
    endpointShown: endpointOf(ctx),
    endpointHost: 'sqs',
    vpcEndpoint: 'an SQS VPC endpoint',
    credentials: ctx.credentials,
    wrongRegionFix: `check region, it must be the region in ${queueField} ${queue}`,
    noRegion: 'No AWS region: set region, use a queue URL of the form https://sqs.<region>.amazonaws.com/…, or set AWS_REGION.',
    serviceErrors: ({ code, detail, details, who }) => {
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
      return undefined;
    },
    lateErrors: ({ code, details, opts }) => {
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        return new CloudbridgeError('CONNECTION_FAILED', `The connection to ${endpointOf(ctx)} was reset during ${ctx.operation} (${code}); Cloudbridge retries.`, details, opts);
      }
      if (THROTTLE_CODES.has(code)) {
        return new CloudbridgeError('CONNECTION_FAILED', `SQS throttled ${ctx.operation} on ${queue} (${code}): Cloudbridge backs off and retries; lower maxReceivers if this persists.`, details, opts);
      }
      return undefined;
    },
  });
}
