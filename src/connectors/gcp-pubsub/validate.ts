/**
 * Cross-field rules of the `gcp-pubsub` connector, run when the config is saved and again in the
 * connection check: CONFIG_INVALID naming the field for what cannot work (a malformed key or
 * resource name); warnings for what works but is likely a mistake.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { PubSubConfig } from './config-spec.ts';
import { resourceNameProblem } from './resource-names.ts';
import { parseServiceAccountKey } from './service-account-key.ts';

const LOOPBACK = /^http:\/\/(127\.|localhost|\[::1\])/;

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validatePubSubConfig(config: PubSubConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const invalid = (field: string, message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field });
  const subscriptionProblem = resourceNameProblem(config.subscription, 'subscriptions');
  if (subscriptionProblem) throw invalid('subscription', `subscription: ${subscriptionProblem}`);
  if (config.downlinkTopic) {
    const topicProblem = resourceNameProblem(config.downlinkTopic, 'topics');
    if (topicProblem) throw invalid('downlinkTopic', `downlinkTopic: ${topicProblem}`);
  }
  const key = config.credentials ? parseServiceAccountKey(config.credentials) : undefined;
  const warnings: string[] = [];
  const emulator = config.apiEndpoint?.startsWith('http://') ?? false;
  if (key && key.projectId !== config.projectId && !emulator) {
    warnings.push(`credentials belong to project ${key.projectId} but projectId is ${config.projectId}: this works only when ${key.clientEmail} was granted roles/pubsub.subscriber in ${config.projectId}. Check projectId`);
  }
  if (config.apiEndpoint && emulator && !LOOPBACK.test(config.apiEndpoint)) {
    warnings.push(`apiEndpoint ${config.apiEndpoint} uses plaintext gRPC without credentials (the emulator's transport): messages travel unencrypted. Give a Pub/Sub endpoint without http:// for TLS`);
  }
  if (emulator && key) warnings.push('credentials are ignored: an http:// apiEndpoint is the emulator, which takes no credentials');
  if (!config.credentials && !config.apiEndpoint && !env.GOOGLE_APPLICATION_CREDENTIALS && !env.PUBSUB_EMULATOR_HOST) {
    warnings.push('credentials is empty and GOOGLE_APPLICATION_CREDENTIALS is not set: Application Default Credentials work only on a Google Cloud host with a service account attached (or after gcloud auth application-default login). Paste a service account JSON key into credentials otherwise');
  }
  if (config.maxAckExtensionSeconds !== undefined && config.maxAckExtensionSeconds < 60) {
    warnings.push(`maxAckExtensionSeconds is ${config.maxAckExtensionSeconds}: a commit that takes longer (a database failover) makes Pub/Sub redeliver the messages (recognised as duplicates, but wasted work). 600 or more is usual`);
  }
  return warnings;
}
