/**
 * The `gcp-pubsub` connector plugin. The SDK client (`sdk-pubsub-api.ts`, on @google-cloud/pubsub)
 * is not exported: `sdkApiFor` loads it on first use, so importing the plugin loads no SDK (nor gRPC).
 */
export { gcpPubSubConnector, sdkApiFor } from './definition.ts';
export { validatePubSubConfig } from './validate.ts';
export { PubSubConfigSpec, resolvePubSubConfig, PUBSUB_DEFAULTS, type PubSubConfig, type ResolvedPubSubConfig } from './config-spec.ts';
export { PubSubSource, type PubSubSourceOptions } from './pubsub-source.ts';
export type { PubSubApi, PubSubApiFactory, PubSubReceivedMessage, PullStream, StreamHandlers, StreamOptions, SubscriptionInfo, PublishRequest } from './pubsub-api.ts';
export { translatePubSubError, GRPC, type PubSubErrorContext } from './pubsub-errors.ts';
export { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key.ts';
export { resolveResourceName, resourceNameProblem, type ResourceName } from './resource-names.ts';
export { toUplinkMessage } from './uplink-message.ts';
export { buildPublishRequest } from './downlink.ts';
