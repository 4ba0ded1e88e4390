/**
 * The `gcp-pubsub` connector: a streaming pull on a Pub/Sub subscription, acknowledging each
 * message only after it is stored (or dead-lettered), with downlinks published to a topic.
 */
import type { CheckResult, ConnectorDefinition } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import { PubSubConfigSpec, resolvePubSubConfig, type ResolvedPubSubConfig } from './config-spec.ts';
import { checkPubSubConnection } from './connection-check.ts';
import { PUBSUB_GUIDE } from './guide.ts';
import { PUBSUB_PITFALLS } from './pitfalls.ts';
import type { PubSubApi } from './pubsub-api.ts';
import { PubSubSource } from './pubsub-source.ts';
import { validatePubSubConfig } from './validate.ts';

/**
 * A Pub/Sub client on @google-cloud/pubsub for this config. The SDK (and gRPC) is imported here,
 * on first use (an integration starting or testing its connection), never when the plugin is loaded.
 */
export async function sdkApiFor(c: ResolvedPubSubConfig): Promise<PubSubApi> {
  const { SdkPubSubApi } = await import('./sdk-pubsub-api.ts');
  return new SdkPubSubApi(c);
}

export const gcpPubSubConnector: ConnectorDefinition<typeof PubSubConfigSpec> = {
  type: 'gcp-pubsub',
  title: 'Google Cloud Pub/Sub',
  description: 'Consumes a Google Cloud Pub/Sub pull subscription with a streaming pull. A message is acknowledged only after its results, or its dead letter, are stored; until then its ack deadline is extended. A message that could not be stored goes back to Pub/Sub after the pipeline\'s retry delay. The message id makes redeliveries harmless: nothing is stored twice. The data reaches the converter as bytes; metadata carries every attribute, messageId (and pubSubMsgId, as ThingsBoard names it), publishTime, orderingKey and deliveryAttempt. Per ordering key, messages are stored in publish order. Exactly-once subscriptions get confirmed acknowledgements. Downlinks are published to downlinkTopic.',
  configSpec: PubSubConfigSpec,
  capabilities: { downlink: true, redelivery: 'ack-deadline' },
  validate: (config) => validatePubSubConfig(config),
  create(config, ctx) {
    const c = resolvePubSubConfig(config);
    return new PubSubSource({ config: c, createApi: () => sdkApiFor(c) }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    let c: ResolvedPubSubConfig;
    try {
      validatePubSubConfig(config);
      c = resolvePubSubConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    return checkPubSubConnection(c, await sdkApiFor(c), signal);
  },
  pitfalls: PUBSUB_PITFALLS,
  guide: PUBSUB_GUIDE,
};
