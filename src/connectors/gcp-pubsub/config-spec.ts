/**
 * Config spec of the `gcp-pubsub` connector, its defaults, and the resolved config (subscription
 * and downlink topic as full paths, the service account key parsed, the endpoint's transport).
 */
import { Type, type Static } from '@sinclair/typebox';
import { resolveResourceName, type ResourceName } from './resource-names.ts';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key.ts';

export const PUBSUB_DEFAULTS = {
  maxMessages: 1000,
  maxBytes: 100 * 1024 * 1024,
  maxAckExtensionSeconds: 3600,
} as const;

export const PubSubConfigSpec = Type.Object({
  projectId: Type.String({
    minLength: 6, maxLength: 100, pattern: '^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$',
    description: 'Google Cloud project id (not its name or number) of the subscription, unless subscription is a full path.',
    examples: ['my-iot-project'],
  }),
  subscription: Type.String({
    minLength: 3, maxLength: 400,
    description: 'The pull subscription to consume: its name in projectId, or its full path projects/<project>/subscriptions/<name> (a subscription in another project is allowed: the service account needs roles/pubsub.subscriber there). ThingsBoard calls it subscriptionId.',
    examples: ['cloudbridge-telemetry', 'projects/other-project/subscriptions/telemetry'],
  }),
  credentials: Type.Optional(Type.String({
    minLength: 2, secret: true, fromFile: true,
    description: 'The service account JSON key (the whole key file, as downloaded). Its project_id, client_email and private_key are checked when saved. Leave empty to use Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, the metadata server of a GCE/GKE/Cloud Run host).',
    examples: ['{"type": "service_account", "project_id": "my-iot-project", "client_email": "cloudbridge@my-iot-project.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\\n…"}'],
  })),
  apiEndpoint: Type.Optional(Type.String({
    minLength: 3, pattern: '^(https?://)?[^/\\s]+/?$',
    description: 'Endpoint override: a regional or Private Service Connect endpoint (TLS), or the Pub/Sub emulator as http://host:port (plaintext gRPC, no credentials). Default: pubsub.googleapis.com, or the PUBSUB_EMULATOR_HOST environment variable when set.',
    examples: ['europe-west1-pubsub.googleapis.com', 'http://127.0.0.1:8085'],
  })),
  maxMessages: Type.Optional(Type.Integer({
    minimum: 1, maximum: 100_000, default: PUBSUB_DEFAULTS.maxMessages,
    description: 'Flow control: most messages received and not yet acknowledged at once; the streaming pull pauses when reached. Higher drains a backlog faster, at the cost of memory and of more redeliveries should this instance crash.',
    examples: [1000],
  })),
  maxBytes: Type.Optional(Type.Integer({
    minimum: 1024, maximum: 1024 * 1024 * 1024, default: PUBSUB_DEFAULTS.maxBytes,
    description: 'Flow control: most bytes of message data received and not yet acknowledged at once (default 100 MiB).',
    examples: [104_857_600],
  })),
  maxAckExtensionSeconds: Type.Optional(Type.Integer({
    minimum: 10, maximum: 86_400, default: PUBSUB_DEFAULTS.maxAckExtensionSeconds,
    description: 'How long the client keeps extending the ack deadline of a message it has not acknowledged yet (the store is slow or stalled). After that Pub/Sub redelivers it; the redelivery is recognised by its message id and not stored twice.',
    examples: [3600],
  })),
  downlinkTopic: Type.Optional(Type.String({
    minLength: 3, maxLength: 400,
    description: 'Topic that downlinks are published to: its name in projectId or a full path projects/<project>/topics/<name>. The downlink converter\'s metadata become message attributes; metadata.orderingKey sets the ordering key. Needs roles/pubsub.publisher on the topic.',
    examples: ['device-commands'],
  })),
}, { additionalProperties: false, title: 'Google Cloud Pub/Sub' });

export type PubSubConfig = Static<typeof PubSubConfigSpec>;

export interface ResolvedPubSubConfig {
  projectId: string;
  subscription: ResourceName;
  key: ServiceAccountKey | undefined;
  /** The endpoint as given (without a scheme), or undefined for the default. */
  apiEndpoint: string | undefined;
  /** Plaintext gRPC without credentials: an `http://` endpoint (the emulator). */
  emulator: boolean;
  maxMessages: number;
  maxBytes: number;
  maxAckExtensionSeconds: number;
  downlinkTopic: ResourceName | undefined;
}

export function resolvePubSubConfig(config: PubSubConfig): ResolvedPubSubConfig {
  const endpoint = config.apiEndpoint?.trim() || undefined;
  return {
    projectId: config.projectId,
    subscription: resolveResourceName(config.subscription, 'subscriptions', config.projectId),
    key: config.credentials ? parseServiceAccountKey(config.credentials) : undefined,
    apiEndpoint: endpoint?.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    emulator: endpoint?.startsWith('http://') ?? false,
    maxMessages: config.maxMessages ?? PUBSUB_DEFAULTS.maxMessages,
    maxBytes: config.maxBytes ?? PUBSUB_DEFAULTS.maxBytes,
    maxAckExtensionSeconds: config.maxAckExtensionSeconds ?? PUBSUB_DEFAULTS.maxAckExtensionSeconds,
    downlinkTopic: config.downlinkTopic ? resolveResourceName(config.downlinkTopic, 'topics', config.projectId) : undefined,
  };
}
