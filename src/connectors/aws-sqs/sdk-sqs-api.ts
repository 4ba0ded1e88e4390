/**
 * SqsApi on @aws-sdk/client-sqs. The HTTP request timeout is longer than the long poll (an SDK
 * regression once cut 20 s polls at 5 s, aws-sdk-js-v3#4618), the socket pool fits every
 * receiver plus deletes and heartbeats, and with an `endpoint` override the queue URL's host is
 * not used as endpoint (emulator and VPC endpoint hosts often do not resolve otherwise).
 *
 * Loaded on first use only (`sdkApiFor` in definition.ts imports it dynamically): nothing else
 * imports this file, so the SDK stays out of memory until an aws-sqs integration starts or
 * tests its connection.
 */
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  SendMessageCommand, SQSClient, type BatchResultErrorEntry, type MessageAttributeValue, type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { awsCredentialExpiry, awsSdkClientParts, describeAwsCredentials, type AwsSdkClientSettings } from '../aws-common/index.ts';
import { requestTimeoutMs } from './request-timeout.ts';
import type { BatchResult, SqsApi, SqsMessageAttribute, SqsReceivedMessage } from './sqs-api.ts';

export interface SdkSqsSettings extends AwsSdkClientSettings {
  /** Long-poll seconds; the request timeout is derived from it. */
  waitTimeSeconds: number;
}

function toAttribute(v: MessageAttributeValue): SqsMessageAttribute {
  return { dataType: v.DataType ?? 'String', stringValue: v.StringValue, binaryValue: v.BinaryValue };
}

function fromAttribute(v: SqsMessageAttribute): MessageAttributeValue {
  return {
    DataType: v.dataType,
    ...(v.stringValue !== undefined ? { StringValue: v.stringValue } : {}),
    ...(v.binaryValue !== undefined ? { BinaryValue: v.binaryValue } : {}),
  };
}

function batchResult(failed: BatchResultErrorEntry[] | undefined): BatchResult {
  return {
    failed: (failed ?? []).map((f) => ({ id: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? true })),
  };
}

export class SdkSqsApi implements SqsApi {
  readonly client: SQSClient;
  private readonly settings: SdkSqsSettings;
  private readonly destroyAgents: () => void;

  constructor(settings: SdkSqsSettings) {
    this.settings = settings;
    const parts = awsSdkClientParts(settings, { requestTimeout: requestTimeoutMs(settings.waitTimeSeconds) });
    this.destroyAgents = parts.destroyAgents;
    const config: SQSClientConfig = {
      ...parts.config,
      ...(settings.endpoint ? { useQueueUrlAsEndpoint: false } : {}),
    };
    this.client = new SQSClient(config);
  }

  async receive(req: Parameters<SqsApi['receive']>[0], signal: AbortSignal): Promise<SqsReceivedMessage[]> {
    const out = await this.client.send(new ReceiveMessageCommand({
      QueueUrl: req.queueUrl,
      MaxNumberOfMessages: req.maxMessages,
      WaitTimeSeconds: req.waitTimeSeconds,
      ...(req.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: req.visibilityTimeoutSeconds } : {}),
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }), { abortSignal: signal });
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: { ...(m.Attributes as Record<string, string> | undefined) },
      messageAttributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, toAttribute(v)])),
    }));
  }

  async deleteBatch(queueUrl: string, entries: Array<{ id: string; receiptHandle: string }>, signal?: AbortSignal): Promise<BatchResult> {
    const out = await this.client.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle })),
    }), signal ? { abortSignal: signal } : {});
    return batchResult(out.Failed);
  }

  async changeVisibilityBatch(queueUrl: string, entries: Array<{ id: string; receiptHandle: string; visibilityTimeoutSeconds: number }>, signal?: AbortSignal): Promise<BatchResult> {
    const out = await this.client.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle, VisibilityTimeout: e.visibilityTimeoutSeconds })),
    }), signal ? { abortSignal: signal } : {});
    return batchResult(out.Failed);
  }

  async getQueueAttributes(queueUrl: string, signal?: AbortSignal): Promise<Record<string, string>> {
    const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }), signal ? { abortSignal: signal } : {});
    return { ...(out.Attributes as Record<string, string> | undefined) };
  }

  async send(req: Parameters<SqsApi['send']>[0], signal?: AbortSignal): Promise<{ messageId: string }> {
    const attributes = Object.entries(req.attributes);
    const out = await this.client.send(new SendMessageCommand({
      QueueUrl: req.queueUrl,
      MessageBody: req.body,
      ...(attributes.length > 0 ? { MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, fromAttribute(v)])) } : {}),
      ...(req.messageGroupId !== undefined ? { MessageGroupId: req.messageGroupId } : {}),
      ...(req.messageDeduplicationId !== undefined ? { MessageDeduplicationId: req.messageDeduplicationId } : {}),
      ...(req.delaySeconds !== undefined ? { DelaySeconds: req.delaySeconds } : {}),
    }), signal ? { abortSignal: signal } : {});
    return { messageId: out.MessageId ?? '' };
  }

  describeCredentials(): Promise<string> {
    return describeAwsCredentials(this.settings.credentials, () => this.client.config.credentials());
  }

  credentialExpiry(): Promise<number | null> {
    return awsCredentialExpiry(this.settings.credentials, () => this.client.config.credentials());
  }

  destroy(): void {
    this.client.destroy();
    this.destroyAgents();
  }
}
