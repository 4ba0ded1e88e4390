/**
 * PubSubApi on @google-cloud/pubsub (streaming pull through its Subscription, publishing through
 * its Topic). Only this file imports the SDK; `sdkApiFor` in definition.ts loads it on first use.
 *
 * Transport: an `http://` apiEndpoint is the emulator (plaintext gRPC, no credentials,
 * `emulatorMode: true`); any other endpoint uses TLS and credentials (`emulatorMode: false`, so
 * a private endpoint outside googleapis.com is not mistaken for an emulator).
 */
import { Duration, PubSub, type ClientConfig, type Subscription, type Topic } from '@google-cloud/pubsub';
import type { ResolvedPubSubConfig } from './config-spec.ts';
import type { PublishRequest, PubSubApi, PullStream, StreamHandlers, StreamOptions, SubscriptionInfo } from './pubsub-api.ts';

const GRPC_UNIMPLEMENTED = 12;

/** Rejects with the signal's reason when it aborts first (the SDK's unary calls take no AbortSignal). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function clientConfig(c: ResolvedPubSubConfig): ClientConfig {
  const config: ClientConfig = { projectId: c.projectId };
  if (c.apiEndpoint) {
    config.apiEndpoint = c.apiEndpoint;
    config.emulatorMode = c.emulator;
    // The emulator takes no credentials: naming the universe spares the client a metadata-server probe for ADC.
    if (c.emulator) config.universeDomain = 'googleapis.com';
  }
  if (c.key && !c.emulator) config.credentials = { client_email: c.key.clientEmail, private_key: c.key.privateKey };
  return config;
}

export class SdkPubSubApi implements PubSubApi {
  private readonly cfg: ResolvedPubSubConfig;
  private readonly client: PubSub;
  private readonly topics = new Map<string, Topic>();

  constructor(config: ResolvedPubSubConfig) {
    this.cfg = config;
    this.client = new PubSub(clientConfig(config));
  }

  async getSubscription(path: string, signal?: AbortSignal): Promise<SubscriptionInfo> {
    const [m] = await abortable(this.client.subscription(path).getMetadata(), signal);
    const deadLetter = m.deadLetterPolicy?.deadLetterTopic
      ? { topic: m.deadLetterPolicy.deadLetterTopic, maxDeliveryAttempts: m.deadLetterPolicy.maxDeliveryAttempts ?? 5 }
      : null;
    return {
      topic: m.topic ?? '',
      ackDeadlineSeconds: m.ackDeadlineSeconds ?? 10,
      enableMessageOrdering: m.enableMessageOrdering === true,
      enableExactlyOnceDelivery: m.enableExactlyOnceDelivery === true,
      filter: m.filter ?? '',
      deadLetter,
      push: Boolean(m.pushConfig?.pushEndpoint),
    };
  }

  async getTopic(path: string, signal?: AbortSignal): Promise<void> {
    await abortable(this.client.topic(path).getMetadata(), signal);
  }

  async testPermissions(resource: { subscription: string } | { topic: string }, permissions: string[], signal?: AbortSignal): Promise<string[] | null> {
    const iam = 'subscription' in resource ? this.client.subscription(resource.subscription).iam : this.client.topic(resource.topic).iam;
    try {
      const [granted] = await abortable(iam.testPermissions(permissions), signal);
      return permissions.filter((p) => granted[p] === true);
    } catch (err) {
      if ((err as { code?: unknown }).code === GRPC_UNIMPLEMENTED) return null;
      throw err;
    }
  }

  pull(path: string, opts: StreamOptions, handlers: StreamHandlers): PullStream {
    const subscription: Subscription = this.client.subscription(path, {
      flowControl: { maxMessages: opts.maxMessages, maxBytes: opts.maxBytes, allowExcessMessages: false },
      maxExtensionTime: Duration.from({ seconds: opts.maxExtensionSeconds }),
      closeOptions: { behavior: 'NACK' },
      // A message counts against flow control until its ack is sent: send acks within 10 ms, not
      // the SDK's 100 ms, or the commit latency plus 100 ms bounds the intake (maxMessages per cycle).
      batching: { maxMilliseconds: 10 },
    });
    let closing = false;
    subscription.on('message', handlers.message);
    subscription.on('error', handlers.error);
    // The SDK closes the subscriber after a stream failure; one not reported as an error still ends intake.
    subscription.on('close', () => {
      if (!closing) handlers.error(Object.assign(new Error('the streaming pull closed'), { code: 14 }));
    });
    return {
      get open() {
        return subscription.isOpen;
      },
      close: async () => {
        closing = true;
        await subscription.close();
        subscription.removeAllListeners();
        // A late stream error after the close has no one to report to.
        subscription.on('error', () => undefined);
      },
    };
  }

  async publish(req: PublishRequest, signal?: AbortSignal): Promise<string> {
    const topic = this.topic(req.topic, req.orderingKey !== undefined);
    try {
      return await abortable(topic.publishMessage({ data: req.data, attributes: req.attributes, ...(req.orderingKey !== undefined ? { orderingKey: req.orderingKey } : {}) }), signal);
    } catch (err) {
      // A failed publish pauses its ordering key until resumed: later downlinks of the key may go.
      if (req.orderingKey !== undefined) topic.resumePublishing(req.orderingKey);
      throw err;
    }
  }

  describeCredentials(): string {
    if (this.cfg.emulator) return `no credentials (the emulator at ${this.cfg.apiEndpoint ?? ''})`;
    if (this.cfg.key) return `service account ${this.cfg.key.clientEmail} (from credentials, key project ${this.cfg.key.projectId})`;
    return 'Application Default Credentials (credentials is empty)';
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.topics.values()].map((t) => t.flush()));
    await this.client.close();
  }

  private topic(path: string, ordered: boolean): Topic {
    const id = `${ordered ? 'ordered' : 'plain'}:${path}`;
    let topic = this.topics.get(id);
    if (!topic) {
      topic = this.client.topic(path, ordered ? { messageOrdering: true } : {});
      this.topics.set(id, topic);
    }
    return topic;
  }
}
