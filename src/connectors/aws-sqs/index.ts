/**
 * The `aws-sqs` connector plugin. The SDK client (`sdk-sqs-api.ts`, on @aws-sdk/client-sqs) is not
 * exported: `sdkApiFor` loads it on first use, so importing the plugin loads no SDK.
 */
export { awsSqsConnector, sdkApiFor } from './definition.ts';
export { validateSqsConfig } from './validate.ts';
export { SqsConfigSpec, resolveSqsConfig, SQS_DEFAULTS, type SqsConfig, type ResolvedSqsConfig } from './config-spec.ts';
export { SqsSource, type SqsSourceOptions } from './sqs-source.ts';
export { requestTimeoutMs } from './request-timeout.ts';
export type { SdkSqsSettings } from './sdk-sqs-api.ts';
export type { SqsApi, SqsApiFactory, SqsReceivedMessage, SqsMessageAttribute, SendRequest, ReceiveRequest, BatchResult } from './sqs-api.ts';
export { translateSqsError, sqsErrorCode, isCredentialsError, type SqsErrorContext } from './sqs-errors.ts';
export { parseQueueUrl, type QueueUrlParts } from './queue-url.ts';
export { toUplinkMessage } from './uplink-message.ts';
export { buildSendRequest } from './downlink.ts';
