/**
 * SqsApi on @aws-sdk/client-sqs. The HTTP request timeout is longer than the long poll (an SDK
 * regression once cut 20 s polls at 5 s, aws-sdk-js-v3#4618), the socket pool fits every
 * receiver plus deletes and heartbeats, and with an `endpoint` override the queue URL's host is
 * not used as endpoint (emulator and VPC endpoint hosts often do not resolve otherwise).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  SendMessageCommand, SQSClient, type BatchResultErrorEntry, type MessageAttributeValue, type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import type { BatchResult, SqsApi, SqsMessageAttribute, SqsReceivedMessage } from './sqs-api.ts';

export interface SdkSqsSettings {
  region: string | undefined;
  endpoint: string | undefined;
  /** Static credentials; undefined: the SDK default provider chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  /** Long-poll seconds; the request timeout is derived from it. */
  waitTimeSeconds: number;
  /** Concurrent requests to plan sockets for. */
  maxConcurrency: number;
  /** SDK attempts per call (default 3; 1 for connection checks, so errors show at once). */
  maxAttempts?: number | undefined;
}

/** HTTP request timeout: the long poll plus a margin for a slow answer. */
export function requestTimeoutMs(waitTimeSeconds: number): number {
  return (waitTimeSeconds + 10) * 1000;
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
  private readonly agents: Array<HttpAgent | HttpsAgent>;

  constructor(settings: SdkSqsSettings) {
    this.settings = settings;
    const maxSockets = Math.max(16, settings.maxConcurrency);
    const httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
    const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
    this.agents = [httpAgent, httpsAgent];
    const config: SQSClientConfig = {
      requestHandler: { requestTimeout: requestTimeoutMs(settings.waitTimeSeconds), connectionTimeout: 10_000, httpAgent, httpsAgent },
      maxAttempts: settings.maxAttempts ?? 3,
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint, useQueueUrlAsEndpoint: false } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
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

  async describeCredentials(): Promise<string> {
    if (this.settings.credentials) return `access key id ${this.settings.credentials.accessKeyId} (from accessKeyId)`;
    try {
      const identity = await this.client.config.credentials();
      return `access key id ${identity.accessKeyId} (found by the AWS SDK default provider chain)`;
    } catch {
      return 'no credentials (the AWS SDK default provider chain found none)';
    }
  }

  destroy(): void {
    this.client.destroy();
    for (const agent of this.agents) agent.destroy();
  }
}
