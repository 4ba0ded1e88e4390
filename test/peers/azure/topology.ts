/**
 * The double's topology: Event Hubs namespace (hubs, partitions, consumer groups), Service Bus
 * namespace (queues, topics, subscriptions), IoT Hub (devices, built-in Event Hub-compatible
 * endpoint) and the SAS keys of each. `normalizeTopology` fills defaults and validates.
 */
import { CloudbridgeError } from '../../../src/core/errors.ts';
import type { QueueRules } from './iot-hub/service-bound-queue.ts';
import { FEEDBACK_QUEUE_DEFAULTS } from './iot-hub/service-bound-queue.ts';
import type { SasKey } from './sas.ts';

export interface HubTopology {
  name: string;
  /** Default 4. */
  partitions?: number;
  /** Extra consumer groups; `$Default` always exists. */
  consumerGroups?: string[];
  /** Entity-level keys, valid for this hub only. */
  keys?: SasKey[];
  /** Default 1 MiB. */
  maxMessageSizeBytes?: number;
}

export interface EntityRules {
  /** Peek-lock duration; default 60 s (Azure's default). */
  lockDurationMs?: number;
  /** Default 10. */
  maxDeliveryCount?: number;
  /** Time to live applied when a message has none; default: no expiry. */
  defaultTtlMs?: number;
  /** Move expired messages to the dead-letter queue (else drop them); default false. */
  deadLetterOnExpiration?: boolean;
  /** Session-enabled (Azure's `requiresSession`): receivers must accept a session, senders must set a session id; default false. */
  requiresSession?: boolean;
}

export interface QueueTopology extends EntityRules { name: string }
export interface SubscriptionTopology extends EntityRules { name: string }
export interface TopicTopology { name: string; subscriptions?: SubscriptionTopology[] }

export interface IotHubTopology {
  /** The hub name; also the name of its Event Hub-compatible endpoint. Default `myiothub`. */
  name?: string;
  /** Shared access policies; default `iothubowner` and `service`. */
  keys?: SasKey[];
  devices?: string[];
  /** Partitions of the Event Hub-compatible endpoint; default 4. */
  partitions?: number;
  consumerGroups?: string[];
  /** Cloud-to-device queue depth per device; default 50 (the IoT Hub limit). */
  c2dMaxQueueDepth?: number;
  /** Time to live of queued cloud-to-device messages; default 1 hour. */
  c2dTtlMs?: number;
  /** The feedback queue (and file notifications): lock 60 s, 10 deliveries, 1 hour to live by default. */
  feedback?: Partial<QueueRules>;
}

export interface AzureDoubleTopology {
  eventHubs?: { keys?: SasKey[]; hubs?: HubTopology[] };
  serviceBus?: { keys?: SasKey[]; queues?: QueueTopology[]; topics?: TopicTopology[]; maxMessageSizeBytes?: number };
  iotHub?: IotHubTopology;
}

export interface NormalizedHub { name: string; partitions: number; consumerGroups: string[]; keys: SasKey[]; maxMessageSizeBytes: number }
export interface NormalizedRules { lockDurationMs: number; maxDeliveryCount: number; defaultTtlMs: number | undefined; deadLetterOnExpiration: boolean; requiresSession: boolean }
export interface NormalizedQueue extends NormalizedRules { name: string }
export interface NormalizedTopic { name: string; subscriptions: (NormalizedRules & { name: string })[] }
export interface NormalizedIotHub {
  name: string; keys: SasKey[]; devices: string[]; partitions: number; consumerGroups: string[];
  c2dMaxQueueDepth: number; c2dTtlMs: number; feedback: QueueRules;
}

export interface NormalizedTopology {
  eventHubs: { keys: SasKey[]; hubs: NormalizedHub[] };
  serviceBus: { keys: SasKey[]; queues: NormalizedQueue[]; topics: NormalizedTopic[]; maxMessageSizeBytes: number };
  iotHub: NormalizedIotHub | undefined;
}

export const DEFAULT_NAMESPACE_KEY: SasKey = { name: 'RootManageSharedAccessKey', key: 'SAS_KEY_VALUE' };
export const DEFAULT_IOT_KEYS: SasKey[] = [
  { name: 'iothubowner', key: 'aW90aHViLWtleQ==' },
  { name: 'service', key: 'c2VydmljZS1rZXk=' },
];
const ONE_MIB = 1024 * 1024;

/** The topology used when `startAzureDouble()` gets none (docs/azure-amqp.md §7 example). */
export const DEFAULT_TOPOLOGY: AzureDoubleTopology = {
  eventHubs: { hubs: [{ name: 'hub1', partitions: 4, consumerGroups: ['cg1'] }, { name: 'routing', partitions: 3 }] },
  serviceBus: {
    queues: [{ name: 'q1', lockDurationMs: 3000, maxDeliveryCount: 3 }],
    topics: [{ name: 't1', subscriptions: [{ name: 's1' }, { name: 's2' }] }],
  },
  iotHub: { name: 'myiothub', devices: ['dev1', 'dev2'] },
};

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `Azure double topology: ${message}`, { field });
}

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9$][A-Za-z0-9._\-$]*$/.test(name)) throw invalid(field, `invalid entity name ${JSON.stringify(name)}`);
  return name;
}

function checkUnique(names: string[], field: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    const k = n.toLowerCase();
    if (seen.has(k)) throw invalid(field, `duplicate name "${n}"`);
    seen.add(k);
  }
}

function checkCount(value: number | undefined, fallback: number, min: number, max: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(field, `must be an integer from ${min} to ${max}`);
  return v;
}

function checkKeys(keys: SasKey[] | undefined, fallback: SasKey[], field: string): SasKey[] {
  const list = keys ?? fallback;
  for (const [i, k] of list.entries()) {
    if (typeof k.name !== 'string' || k.name === '' || typeof k.key !== 'string' || k.key === '') throw invalid(`${field}[${i}]`, 'a key needs a name and a key');
  }
  return list.map((k) => ({ ...k }));
}

function consumerGroups(extra: string[] | undefined, field: string): string[] {
  const groups = ['$Default', ...(extra ?? []).filter((g) => g.toLowerCase() !== '$default')];
  groups.forEach((g, i) => checkName(g, `${field}[${i}]`));
  checkUnique(groups, field);
  return groups;
}

function rules(r: EntityRules, field: string): NormalizedRules {
  const lockDurationMs = checkCount(r.lockDurationMs, 60_000, 100, 300_000, `${field}.lockDurationMs`);
  const maxDeliveryCount = checkCount(r.maxDeliveryCount, 10, 1, 2000, `${field}.maxDeliveryCount`);
  if (r.defaultTtlMs !== undefined && (!Number.isFinite(r.defaultTtlMs) || r.defaultTtlMs <= 0)) throw invalid(`${field}.defaultTtlMs`, 'must be positive');
  return { lockDurationMs, maxDeliveryCount, defaultTtlMs: r.defaultTtlMs, deadLetterOnExpiration: r.deadLetterOnExpiration ?? false, requiresSession: r.requiresSession ?? false };
}

export function normalizeTopology(t: AzureDoubleTopology = DEFAULT_TOPOLOGY): NormalizedTopology {
  const hubs = (t.eventHubs?.hubs ?? []).map((h, i): NormalizedHub => ({
    name: checkName(h.name, `eventHubs.hubs[${i}].name`),
    partitions: checkCount(h.partitions, 4, 1, 32, `eventHubs.hubs[${i}].partitions`),
    consumerGroups: consumerGroups(h.consumerGroups, `eventHubs.hubs[${i}].consumerGroups`),
    keys: checkKeys(h.keys, [], `eventHubs.hubs[${i}].keys`),
    maxMessageSizeBytes: checkCount(h.maxMessageSizeBytes, ONE_MIB, 1024, 100 * ONE_MIB, `eventHubs.hubs[${i}].maxMessageSizeBytes`),
  }));
  let iotHub: NormalizedIotHub | undefined;
  if (t.iotHub !== undefined) {
    const i = t.iotHub;
    const devices = (i.devices ?? []).map((d, n) => checkName(d, `iotHub.devices[${n}]`));
    checkUnique(devices, 'iotHub.devices');
    iotHub = {
      name: checkName(i.name ?? 'myiothub', 'iotHub.name'),
      keys: checkKeys(i.keys, DEFAULT_IOT_KEYS, 'iotHub.keys'),
      devices,
      partitions: checkCount(i.partitions, 4, 1, 32, 'iotHub.partitions'),
      consumerGroups: consumerGroups(i.consumerGroups, 'iotHub.consumerGroups'),
      c2dMaxQueueDepth: checkCount(i.c2dMaxQueueDepth, 50, 1, 5000, 'iotHub.c2dMaxQueueDepth'),
      c2dTtlMs: checkCount(i.c2dTtlMs, 3_600_000, 1000, 172_800_000, 'iotHub.c2dTtlMs'),
      feedback: {
        lockDurationMs: checkCount(i.feedback?.lockDurationMs, FEEDBACK_QUEUE_DEFAULTS.lockDurationMs, 100, 300_000, 'iotHub.feedback.lockDurationMs'),
        maxDeliveryCount: checkCount(i.feedback?.maxDeliveryCount, FEEDBACK_QUEUE_DEFAULTS.maxDeliveryCount, 1, 100, 'iotHub.feedback.maxDeliveryCount'),
        ttlMs: checkCount(i.feedback?.ttlMs, FEEDBACK_QUEUE_DEFAULTS.ttlMs, 100, 172_800_000, 'iotHub.feedback.ttlMs'),
      },
    };
    hubs.push({ name: iotHub.name, partitions: iotHub.partitions, consumerGroups: iotHub.consumerGroups, keys: iotHub.keys, maxMessageSizeBytes: 256 * 1024 });
  }
  checkUnique(hubs.map((h) => h.name), 'eventHubs.hubs (including the IoT Hub endpoint)');

  const queues = (t.serviceBus?.queues ?? []).map((q, i): NormalizedQueue => ({
    name: checkName(q.name, `serviceBus.queues[${i}].name`), ...rules(q, `serviceBus.queues[${i}]`),
  }));
  const topics = (t.serviceBus?.topics ?? []).map((tp, i): NormalizedTopic => {
    const subscriptions = (tp.subscriptions ?? []).map((s, j) => ({
      name: checkName(s.name, `serviceBus.topics[${i}].subscriptions[${j}].name`), ...rules(s, `serviceBus.topics[${i}].subscriptions[${j}]`),
    }));
    checkUnique(subscriptions.map((s) => s.name), `serviceBus.topics[${i}].subscriptions`);
    return { name: checkName(tp.name, `serviceBus.topics[${i}].name`), subscriptions };
  });
  checkUnique([...queues.map((q) => q.name), ...topics.map((tp) => tp.name)], 'serviceBus (queues and topics)');

  return {
    eventHubs: { keys: checkKeys(t.eventHubs?.keys, [DEFAULT_NAMESPACE_KEY], 'eventHubs.keys'), hubs },
    serviceBus: {
      keys: checkKeys(t.serviceBus?.keys, [DEFAULT_NAMESPACE_KEY], 'serviceBus.keys'), queues, topics,
      maxMessageSizeBytes: checkCount(t.serviceBus?.maxMessageSizeBytes, ONE_MIB, 1024, 100 * ONE_MIB, 'serviceBus.maxMessageSizeBytes'),
    },
    iotHub,
  };
}
