/**
 * The `aws-sqs` connector: long-polls an SQS queue (standard or FIFO), deletes each message only
 * after it is stored (or dead-lettered), keeps received messages invisible with a visibility
 * heartbeat, and sends downlinks to another queue.
 */
import { type CheckResult, type ConnectorDefinition, configCheckFailure } from '../../core/connector.ts';
import { resolveSqsConfig, SqsConfigSpec, type ResolvedSqsConfig } from './config-spec.ts';
import { checkSqsConnection } from './connection-check.ts';
import type { SqsApi } from './sqs-api.ts';
import { SqsSource } from './sqs-source.ts';
import { SQS_GUIDE } from './guide.ts';
import { SQS_PITFALLS } from './pitfalls.ts';
import { validateSqsConfig } from './validate.ts';

/**
 * An SQS client on the AWS SDK for this config. The SDK is imported here, on first use (an
 * integration starting or testing its connection), never when the plugin is loaded.
 */
export async function sdkApiFor(c: ResolvedSqsConfig, maxAttempts?: number): Promise<SqsApi> {
  const { SdkSqsApi } = await import('./sdk-sqs-api.ts');
  return new SdkSqsApi({
    region: c.region,
    endpoint: c.endpoint,
    credentials: c.credentials,
    waitTimeSeconds: c.waitTimeSeconds,
    // Receivers, their deletes and releases, heartbeats, attribute refresh and downlinks.
    maxConcurrency: c.maxReceivers * 3 + 8,
    maxAttempts,
  });
}

export const awsSqsConnector: ConnectorDefinition<typeof SqsConfigSpec> = {
  type: 'aws-sqs',
  title: 'AWS SQS',
  description: 'Consumes an Amazon SQS queue (standard or FIFO) with long polling. A message is deleted from the queue only after its results, or its dead letter, are stored; until then a visibility heartbeat keeps it invisible, however long the store takes. A message that could not be stored becomes visible again after the pipeline\'s retry delay. The MessageId makes redeliveries harmless: nothing is stored twice. The body reaches the converter as bytes, whatever its format (JSON, text, base64); metadata carries messageId, approximateReceiveCount, sentTimestamp, messageGroupId (FIFO) and every message attribute. Telemetry the converter returns without ts is stored at the message\'s SentTimestamp (the time SQS accepted it), not at the time Cloudbridge received it. FIFO queues keep order per MessageGroupId. Downlinks are sent with SendMessage to downlinkQueueUrl.',
  configSpec: SqsConfigSpec,
  capabilities: { downlink: true, redelivery: 'visibility-timeout' },
  validate: (config) => validateSqsConfig(config),
  create(config, ctx) {
    const c = resolveSqsConfig(config);
    return new SqsSource({ config: c, createApi: () => sdkApiFor(c) }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    try {
      validateSqsConfig(config);
    } catch (err) {
      return configCheckFailure(err);
    }
    const c = resolveSqsConfig(config);
    return checkSqsConnection(c, await sdkApiFor(c, 1), signal);
  },
  guide: SQS_GUIDE,
  pitfalls: SQS_PITFALLS,
};
