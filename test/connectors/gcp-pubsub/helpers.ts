/** What the gcp-pubsub tests share: a fresh topic and subscription on the emulator, and the connector config for it. */
import { randomUUID } from 'node:crypto';
import type { CreateSubscriptionOptions } from '@google-cloud/pubsub';
import type { PubSubConfig } from '../../../src/connectors/gcp-pubsub/index.ts';
import type { PubSubEmulator } from '../../peers/pubsub-emulator.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TopicAndSubscription {
  topic: string;
  subscription: string;
}

/** A new topic with one subscription (`opts` as for createSubscription). */
export async function freshSubscription(peer: PubSubEmulator, prefix: string, opts: CreateSubscriptionOptions = {}): Promise<TopicAndSubscription> {
  const topic = uniqueName(`${prefix}-t`);
  const subscription = uniqueName(`${prefix}-s`);
  await peer.createTopic(topic);
  await peer.createSubscription(topic, subscription, opts);
  return { topic, subscription };
}

export function emulatorConfig(peer: PubSubEmulator, subscription: string, extra: Partial<PubSubConfig> = {}): PubSubConfig {
  return { projectId: peer.project, subscription, apiEndpoint: peer.endpoint, ...extra };
}
