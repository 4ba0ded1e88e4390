/**
 * The narrow Pub/Sub surface the connector uses, so unit tests can use fakes and integration
 * tests the emulator. `sdk-pubsub-api.ts` implements it on @google-cloud/pubsub. Errors are thrown
 * (and emitted) as the SDK gives them (gRPC status errors); `pubsub-errors.ts` translates them.
 */

/** A received message: the SDK's Message satisfies this shape as it is (no copy per message). */
export interface PubSubReceivedMessage {
  readonly id: string;
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
  readonly publishTime: Date;
  readonly orderingKey?: string | undefined;
  /** 0 unless the subscription has a dead-letter policy. */
  readonly deliveryAttempt: number;
  /** Bytes of data, as flow control counts them. */
  readonly length: number;
  ack(): void;
  /** Acknowledges and waits for the server's confirmation (exactly-once subscriptions); rejects when it failed. */
  ackWithResponse(): Promise<unknown>;
  /** Gives the message back at once (ack deadline 0). */
  nack(): void;
}

export interface SubscriptionInfo {
  /** Full path of the subscription's topic (`_deleted-topic_` when the topic was deleted). */
  topic: string;
  ackDeadlineSeconds: number;
  enableMessageOrdering: boolean;
  enableExactlyOnceDelivery: boolean;
  filter: string;
  /** The dead-letter topic and its attempts, when the subscription has a dead-letter policy. */
  deadLetter: { topic: string; maxDeliveryAttempts: number } | null;
  /** A push subscription cannot be pulled from. */
  push: boolean;
}

export interface StreamOptions {
  maxMessages: number;
  maxBytes: number;
  maxExtensionSeconds: number;
}

export interface StreamHandlers {
  message(m: PubSubReceivedMessage): void;
  /** The stream failed (after the SDK's own retries); it is closed and its unacknowledged messages given back. */
  error(err: unknown): void;
}

/** One streaming pull. */
export interface PullStream {
  /** False once the stream closed (a failure, or `close`): its messages were given back. */
  readonly open: boolean;
  /** Stops receiving and gives every message not acknowledged yet back (nack). Acks may not be sent afterwards. */
  close(): Promise<void>;
}

export interface PublishRequest {
  topic: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string | undefined;
}

export interface PubSubApi {
  getSubscription(path: string, signal?: AbortSignal): Promise<SubscriptionInfo>;
  /** Throws the SDK's error when the topic does not exist or may not be read. */
  getTopic(path: string, signal?: AbortSignal): Promise<void>;
  /**
   * Which of `permissions` the caller holds on the subscription or topic, or null when the server
   * cannot tell (the emulator does not implement testIamPermissions).
   */
  testPermissions(resource: { subscription: string } | { topic: string }, permissions: string[], signal?: AbortSignal): Promise<string[] | null>;
  pull(path: string, opts: StreamOptions, handlers: StreamHandlers): PullStream;
  publish(req: PublishRequest, signal?: AbortSignal): Promise<string>;
  /** Which credentials are in use, for messages: `service account x@p.iam.gserviceaccount.com`. Never a secret. */
  describeCredentials(): string;
  close(): Promise<void>;
}

/** May return a promise: the SDK-backed factory loads the SDK on its first call. */
export type PubSubApiFactory = () => PubSubApi | Promise<PubSubApi>;
