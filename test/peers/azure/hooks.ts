/**
 * Test hooks: inject events and messages, inspect state, and inject faults (dropped connections,
 * server-busy rejections, refused attaches), for each namespace of the double.
 */
import { peekMessage } from './amqp-message.ts';
import { CONDITIONS, amqpError } from './conditions.ts';
import type { ConsumerSummary, EventHubsService } from './event-hubs/service.ts';
import type { PartitionInfo } from './event-hubs/partition-log.ts';
import type { AttachRefusal } from './faults.ts';
import type { FeedbackRecord, FeedbackStatus } from './iot-hub/devices.ts';
import type { D2cOptions, FileUploadNotification, IotHubService } from './iot-hub/service.ts';
import type { MessageSpec } from './message-builder.ts';
import { decodeBody } from './message-builder.ts';
import type { AmqpNamespace } from './namespace.ts';
import type { MessageState } from './service-bus/message-store.ts';
import type { ServiceBusService } from './service-bus/service.ts';

export type ServiceName = 'eventHubs' | 'serviceBus' | 'iotHub';

export interface EventSnapshot {
  sequenceNumber: number;
  offset: string;
  enqueuedTime: Date;
  partitionKey: string | undefined;
  body: unknown;
  properties: Record<string, unknown> | undefined;
}

export interface SbMessageSnapshot {
  sequenceNumber: number;
  messageId: string | undefined;
  sessionId: string | undefined;
  body: unknown;
  properties: Record<string, unknown> | undefined;
  /** Delivery attempts so far (locks taken). */
  attempts: number;
  state: MessageState;
  /** The lock token as the SDK reports it (`message.lockToken`), while locked. */
  lockToken: string | undefined;
  lockedUntil: Date | undefined;
}

export interface C2dSnapshot { messageId: string; ack: string; body: unknown; properties: Record<string, unknown> | undefined; expiresAt: Date }

export interface ConnectionSnapshot { id: string; grants: { scope: string; keyName: string; expiresAt: Date }[] }

export interface AzureDoubleHooks {
  eventHubs: {
    /** Appends events as a producer would (routed by `partitionKey`, fixed by `partitionId`, else round robin). */
    publish(hub: string, events: MessageSpec[], opts?: { partitionId?: string; partitionKey?: string }): { partitionId: string; sequenceNumbers: number[] };
    partitionInfo(hub: string, partitionId: string): PartitionInfo;
    events(hub: string, partitionId: string): EventSnapshot[];
    consumers(hub?: string): ConsumerSummary[];
    /** Detaches consumer links with an error (default `amqp:link:detach-forced`). */
    disconnectConsumers(hub: string, opts?: { consumerGroup?: string; partitionId?: string; condition?: string; description?: string }): number;
    /** Retention: drops events before a sequence number. */
    truncate(hub: string, partitionId: string, beforeSequenceNumber: number): number;
  };
  serviceBus: {
    send(entity: string, messages: MessageSpec[]): number[];
    /** Messages of `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1`, ... (including locked, deferred, scheduled). */
    messages(path: string): SbMessageSnapshot[];
  };
  iotHub: {
    sendD2c(deviceId: string, message: MessageSpec, opts?: D2cOptions): { partitionId: string; sequenceNumber: number };
    c2dQueue(deviceId: string): C2dSnapshot[];
    /** Completes queued C2D messages as the device would, emitting feedback when an ack was requested. */
    completeC2d(deviceId: string, status: FeedbackStatus, opts?: { messageId?: string; count?: number }): FeedbackRecord[];
    addDevice(deviceId: string): void;
    removeDevice(deviceId: string): boolean;
    notifyFileUpload(n: FileUploadNotification): void;
    /** The device twin as the registry REST API returns it (undefined for an unknown device). */
    twin(deviceId: string): Record<string, unknown> | undefined;
    /** Reported properties as the device would send them (merge patch). */
    reportTwin(deviceId: string, reported: Record<string, unknown>): void;
    /** Feedback messages waiting (not locked by a receiver), and those dropped (max deliveries or expiry). */
    feedbackQueue(): { pending: number; dropped: number };
  };
  faults: {
    dropConnections(service: ServiceName | 'all', mode?: 'close' | 'destroy'): number;
    refuseAttach(service: ServiceName, rule: AttachRefusal): void;
    /** Rejects the next `times` incoming messages with `com.microsoft:server-busy`. */
    serverBusy(service: ServiceName, times?: number): void;
    clear(): void;
  };
  connections(service: ServiceName): ConnectionSnapshot[];
}

export interface HookTargets {
  eventHubs: { service: EventHubsService; namespace: AmqpNamespace };
  serviceBus: { service: ServiceBusService; namespace: AmqpNamespace };
  iotHub: { service: IotHubService; namespace: AmqpNamespace } | undefined;
}

export function createHooks(t: HookTargets): AzureDoubleHooks {
  const namespaceOf = (s: ServiceName): AmqpNamespace => {
    if (s === 'iotHub') {
      if (t.iotHub === undefined) throw new RangeError('The double runs no IoT Hub (topology.iotHub is not set)');
      return t.iotHub.namespace;
    }
    return t[s].namespace;
  };
  const iot = (): IotHubService => {
    if (t.iotHub === undefined) throw new RangeError('The double runs no IoT Hub (topology.iotHub is not set)');
    return t.iotHub.service;
  };
  const partition = (hub: string, id: string) => {
    const log = t.eventHubs.service.partition(hub, id);
    if (log === undefined) throw new RangeError(`No partition '${id}' in event hub '${hub}'`);
    return log;
  };
  const all: ServiceName[] = ['eventHubs', 'serviceBus', 'iotHub'];
  const present = (): ServiceName[] => all.filter((s) => s !== 'iotHub' || t.iotHub !== undefined);

  return {
    eventHubs: {
      publish: (hub, events, opts) => t.eventHubs.service.publish(hub, events, opts),
      partitionInfo: (hub, id) => partition(hub, id).info(),
      events: (hub, id) => partition(hub, id).list().map((e) => {
        const msg = peekMessage(e.raw);
        return {
          sequenceNumber: e.sequenceNumber, offset: String(e.offset), enqueuedTime: new Date(e.enqueuedTimeMs),
          partitionKey: e.partitionKey, body: decodeBody(msg), properties: msg.application_properties,
        };
      }),
      consumers: (hub) => t.eventHubs.service.consumers(hub),
      disconnectConsumers: (hub, opts = {}) => t.eventHubs.service.disconnectConsumers(hub,
        amqpError(opts.condition ?? CONDITIONS.detachForced, opts.description ?? 'The link was detached by an injected fault.'), opts),
      truncate: (hub, id, before) => partition(hub, id).truncateBefore(before),
    },
    serviceBus: {
      send: (entity, messages) => t.serviceBus.service.send(entity, messages),
      messages: (path) => {
        const store = t.serviceBus.service.store(path);
        if (store === undefined) throw new RangeError(`No Service Bus entity '${path}'`);
        return store.list().map((m) => {
          const msg = peekMessage(m.raw);
          return {
            sequenceNumber: m.sequenceNumber, messageId: m.messageId, sessionId: m.sessionId, body: decodeBody(msg), properties: msg.application_properties,
            attempts: m.attempts, state: m.state, lockToken: m.lock?.token, lockedUntil: m.lock === undefined ? undefined : new Date(m.lock.lockedUntilMs),
          };
        });
      },
    },
    iotHub: {
      sendD2c: (deviceId, message, opts) => iot().sendD2c(deviceId, message, opts),
      c2dQueue: (deviceId) => iot().registry.queued(deviceId).map((m) => ({
        messageId: m.messageId, ack: m.ack, body: m.body, properties: m.message.application_properties, expiresAt: new Date(m.expiresAtMs),
      })),
      completeC2d: (deviceId, status, opts) => iot().completeC2d(deviceId, status, opts),
      addDevice: (deviceId) => iot().registry.add(deviceId),
      removeDevice: (deviceId) => iot().registry.remove(deviceId),
      notifyFileUpload: (n) => iot().notifyFileUpload(n),
      twin: (deviceId) => iot().twins.get(deviceId),
      reportTwin: (deviceId, reported) => iot().twins.report(deviceId, reported),
      feedbackQueue: () => ({ pending: iot().feedback.pending(), dropped: iot().feedback.dropped }),
    },
    faults: {
      dropConnections: (service, mode = 'destroy') => (service === 'all' ? present() : [service])
        .reduce((n, s) => n + namespaceOf(s).dropConnections(mode), 0),
      refuseAttach: (service, rule) => namespaceOf(service).faults.refuseAttach(rule),
      serverBusy: (service, times = 1) => namespaceOf(service).faults.serverBusy(times),
      clear: () => { for (const s of present()) namespaceOf(s).faults.clear(); },
    },
    connections: (service) => namespaceOf(service).openConnections().map((c) => ({
      id: c.id,
      grants: c.grants.map((g) => ({ scope: g.scope, keyName: g.keyName, expiresAt: new Date(g.expiresAtMs) })),
    })),
  };
}
