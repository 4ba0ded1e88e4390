/**
 * Config spec of the `aws-sqs` connector, its defaults, and the resolved config (defaults applied,
 * region derived from the queue URL when not given).
 */
import { Type, type Static } from '@sinclair/typebox';
import { awsConnectionFields, resolveAwsConnection, type AwsStaticCredentials } from '../aws-common/index.ts';
import { parseQueueUrl } from './queue-url.ts';

export const SQS_DEFAULTS = {
  waitTimeSeconds: 20,
  maxMessages: 10,
  maxInFlight: 1000,
  maxReceivers: 8,
  bodyEncoding: 'text' as 'text' | 'base64',
} as const;

/**
 * Accepted so that existing configs stay valid, and ignored: a message that could not be stored
 * becomes visible again after the pipeline's own retry delay (validate warns).
 */
const RedeliverySpec = Type.Object({
  initialDelaySeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 43_200, description: 'Ignored (see redelivery).' })),
  maxDelaySeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 43_200, description: 'Ignored (see redelivery).' })),
}, { additionalProperties: false, description: 'Deprecated and ignored: a message that could not be stored becomes visible again after the delay Cloudbridge\'s pipeline waits before it takes deliveries again (growing while failures continue, at most 30 s). Remove it from the config.' });

export const SqsConfigSpec = Type.Object({
  queueUrl: Type.String({
    minLength: 1, pattern: '^https?://[^/]+/.+',
    description: 'URL of the queue to consume, as shown in the SQS console (a FIFO queue ends in .fifo).',
    examples: ['https://sqs.eu-west-1.amazonaws.com/123456789012/telemetry', 'https://sqs.us-east-1.amazonaws.com/123456789012/telemetry.fifo'],
  }),
  ...awsConnectionFields({
    region: 'AWS region of the queue. Default: taken from queueUrl (https://sqs.REGION.amazonaws.com/…), else the AWS_REGION environment variable.',
    endpoint: 'Endpoint override: an interface VPC endpoint, or a local SQS emulator for tests. Default: the queue URL\'s host.',
    endpointExamples: ['https://vpce-0123456789abcdef0-abcdefgh.sqs.eu-west-1.vpce.amazonaws.com', 'http://127.0.0.1:4566'],
  }),
  waitTimeSeconds: Type.Optional(Type.Integer({
    minimum: 1, maximum: 20, default: SQS_DEFAULTS.waitTimeSeconds,
    description: 'Long-poll duration of each ReceiveMessage call. 20 (default) gives the fewest empty (billed) receives; an HTTP request timeout and a stall watchdog above this value recover hung polls.',
    examples: [20],
  })),
  maxMessages: Type.Optional(Type.Integer({
    minimum: 1, maximum: 10, default: SQS_DEFAULTS.maxMessages,
    description: 'Messages requested per ReceiveMessage call (SQS allows at most 10).',
    examples: [10],
  })),
  visibilityTimeoutSeconds: Type.Optional(Type.Integer({
    minimum: 1, maximum: 43_200,
    description: 'Visibility timeout requested on receive. Default: the queue\'s own. Cloudbridge extends it (ChangeMessageVisibility at about half of it) for every message received and not yet deleted, so a slow store never causes a redelivery; a crashed instance\'s messages come back after this time.',
    examples: [60],
  })),
  maxInFlight: Type.Optional(Type.Integer({
    minimum: 1, maximum: 100_000, default: SQS_DEFAULTS.maxInFlight,
    description: 'Most messages received and not yet deleted at once; receiving pauses when reached. Keep it below the 120,000 in-flight limit of a standard queue (20,000 for FIFO) shared by all consumers.',
    examples: [1000],
  })),
  maxReceivers: Type.Optional(Type.Integer({
    minimum: 1, maximum: 64, default: SQS_DEFAULTS.maxReceivers,
    description: 'Most concurrent long-poll receivers. Cloudbridge starts with one and adds receivers while receives return full batches, dropping back to one when the queue is empty.',
    examples: [8],
  })),
  bodyEncoding: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('base64')], {
    default: SQS_DEFAULTS.bodyEncoding,
    description: 'text (default): the converter gets the message body\'s UTF-8 bytes (JSON, text or base64 alike). base64: bodies are base64-decoded first, for binary payloads; a body that is not valid base64 is passed as text and metadata.bodyEncoding says "text".',
    examples: ['text'],
  })),
  redelivery: Type.Optional(RedeliverySpec),
  downlinkQueueUrl: Type.Optional(Type.String({
    minLength: 1, pattern: '^https?://[^/]+/.+',
    description: 'Queue that downlinks are sent to (SendMessage). The downlink converter\'s metadata become message attributes; for a FIFO queue metadata.messageGroupId (default: metadata.deviceName) sets the message group. Same region and credentials as queueUrl.',
    examples: ['https://sqs.eu-west-1.amazonaws.com/123456789012/commands'],
  })),
}, { additionalProperties: false, title: 'AWS SQS' });

export type SqsConfig = Static<typeof SqsConfigSpec>;

export interface ResolvedSqsConfig {
  queueUrl: string;
  queueName: string;
  fifo: boolean;
  region: string | undefined;
  credentials: AwsStaticCredentials | undefined;
  endpoint: string | undefined;
  waitTimeSeconds: number;
  maxMessages: number;
  visibilityTimeoutSeconds: number | undefined;
  maxInFlight: number;
  maxReceivers: number;
  bodyEncoding: 'text' | 'base64';
  downlinkQueueUrl: string | undefined;
}

export function resolveSqsConfig(config: SqsConfig, env: NodeJS.ProcessEnv = process.env): ResolvedSqsConfig {
  const queue = parseQueueUrl(config.queueUrl);
  return {
    queueUrl: config.queueUrl,
    queueName: queue.name,
    fifo: queue.fifo,
    ...resolveAwsConnection(config, queue.region, env),
    waitTimeSeconds: config.waitTimeSeconds ?? SQS_DEFAULTS.waitTimeSeconds,
    maxMessages: config.maxMessages ?? SQS_DEFAULTS.maxMessages,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    maxInFlight: config.maxInFlight ?? SQS_DEFAULTS.maxInFlight,
    maxReceivers: config.maxReceivers ?? SQS_DEFAULTS.maxReceivers,
    bodyEncoding: config.bodyEncoding ?? SQS_DEFAULTS.bodyEncoding,
    downlinkQueueUrl: config.downlinkQueueUrl || undefined,
  };
}
