/**
 * The narrow SQS surface the connector uses, so unit tests can use fakes and integration tests
 * a real peer. `sdk-sqs-api.ts` implements it on @aws-sdk/client-sqs. Errors are thrown as the
 * SDK throws them; `sqs-errors.ts` translates them.
 */

export interface SqsMessageAttribute {
  dataType: string;
  stringValue?: string | undefined;
  binaryValue?: Uint8Array | undefined;
}

export interface SqsReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** System attributes (ApproximateReceiveCount, SentTimestamp, MessageGroupId, SequenceNumber…). */
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsMessageAttribute>;
}

export interface ReceiveRequest {
  queueUrl: string;
  maxMessages: number;
  waitTimeSeconds: number;
  visibilityTimeoutSeconds?: number | undefined;
}

export interface BatchEntryFailure {
  id: string;
  code: string;
  message: string;
  senderFault: boolean;
}

export interface BatchResult {
  failed: BatchEntryFailure[];
}

export interface SendRequest {
  queueUrl: string;
  body: string;
  attributes: Record<string, SqsMessageAttribute>;
  messageGroupId?: string | undefined;
  messageDeduplicationId?: string | undefined;
  delaySeconds?: number | undefined;
}

export interface SqsApi {
  receive(req: ReceiveRequest, signal: AbortSignal): Promise<SqsReceivedMessage[]>;
  /** At most 10 entries. */
  deleteBatch(queueUrl: string, entries: Array<{ id: string; receiptHandle: string }>, signal?: AbortSignal): Promise<BatchResult>;
  /** At most 10 entries. */
  changeVisibilityBatch(queueUrl: string, entries: Array<{ id: string; receiptHandle: string; visibilityTimeoutSeconds: number }>, signal?: AbortSignal): Promise<BatchResult>;
  getQueueAttributes(queueUrl: string, signal?: AbortSignal): Promise<Record<string, string>>;
  send(req: SendRequest, signal?: AbortSignal): Promise<{ messageId: string }>;
  /** Which credentials are in use, for error messages: e.g. `access key id AKIA…`. Never a secret. */
  describeCredentials(): Promise<string>;
  /** When the credentials in use expire (epoch ms; null: not known, e.g. long-term keys). */
  credentialExpiry?(): Promise<number | null>;
  /** Closes sockets; the instance is not used afterwards. */
  destroy(): void;
}

/**
 * Creates a fresh client (at start, and when the watchdog replaces a stalled one). May return a
 * promise: the SDK-backed factory loads the SDK on its first call.
 */
export type SqsApiFactory = () => SqsApi | Promise<SqsApi>;
