/**
 * The IoT Hub device registry and cloud-to-device queues: a queue per device with the hub's
 * depth limit (50) and time to live, and completion of queued messages with a feedback status,
 * which produces feedback records when the sender asked for acknowledgement (`iothub-ack`). A
 * message whose expiry passes leaves its queue when it passes (`sweep`, driven by the service's
 * timer) with an `Expired` record, as IoT Hub dead-letters it.
 */
import { randomUUID } from 'node:crypto';
import rhea from 'rhea';
import type { Message } from 'rhea';
import type { AmqpErrorInfo } from '../conditions.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import { decodeBody } from '../message-builder.ts';

export type FeedbackStatus = 'Success' | 'Expired' | 'DeliveryCountExceeded' | 'Rejected' | 'Purged';

export interface FeedbackRecord {
  originalMessageId: string;
  deviceId: string;
  deviceGenerationId: string;
  enqueuedTimeUtc: string;
  statusCode: FeedbackStatus;
  description: string;
}

export interface C2dMessage {
  deviceId: string;
  messageId: string;
  ack: string;
  enqueuedTimeMs: number;
  expiresAtMs: number;
  message: Message;
  body: unknown;
}

const DESCRIPTIONS: Record<FeedbackStatus, string> = {
  Success: 'Success',
  Expired: 'Message expired',
  DeliveryCountExceeded: 'Delivery count exceeded',
  Rejected: 'Message rejected',
  Purged: 'Message purged',
};

export function messageIdString(id: unknown): string {
  if (Buffer.isBuffer(id) && id.length === 16) return rhea.uuid_to_string(id);
  return id === undefined || id === null ? '' : String(id);
}

function wantsFeedback(ack: string, status: FeedbackStatus): boolean {
  if (ack === 'full') return true;
  if (ack === 'positive') return status === 'Success';
  if (ack === 'negative') return status !== 'Success';
  return false;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, { generationId: string; queue: C2dMessage[] }>();
  private readonly maxDepth: number;
  private readonly ttlMs: number;
  private readonly emit: (records: FeedbackRecord[]) => void;

  /** `emit` receives the feedback records of messages that expire. */
  constructor(deviceIds: string[], maxDepth: number, ttlMs: number, emit: (records: FeedbackRecord[]) => void) {
    this.maxDepth = maxDepth;
    this.ttlMs = ttlMs;
    this.emit = emit;
    for (const id of deviceIds) this.add(id);
  }

  add(deviceId: string): void {
    if (!this.devices.has(deviceId)) this.devices.set(deviceId, { generationId: `6380000000000${String(10000 + this.devices.size)}`, queue: [] });
  }

  remove(deviceId: string): boolean {
    return this.devices.delete(deviceId);
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  ids(): string[] {
    return [...this.devices.keys()];
  }

  generationId(deviceId: string): string {
    return this.devices.get(deviceId)?.generationId ?? '0';
  }

  /** Queues a cloud-to-device message; returns an AMQP error when the device is unknown or its queue is full. */
  enqueue(deviceId: string, message: Message, nowMs = Date.now()): AmqpErrorInfo | undefined {
    const device = this.devices.get(deviceId);
    if (device === undefined) return amqpError(CONDITIONS.notFound, `Device '${deviceId}' not registered.`);
    this.expire(deviceId, nowMs);
    if (device.queue.length >= this.maxDepth) {
      return amqpError(CONDITIONS.resourceLimitExceeded, `Total number of messages on Device '${deviceId}' exceeds the allocated quota. Max allowed message count: ${this.maxDepth}.`);
    }
    device.queue.push({
      deviceId, messageId: messageIdString(message.message_id), ack: String(message.application_properties?.['iothub-ack'] ?? 'none'),
      enqueuedTimeMs: nowMs, expiresAtMs: this.expiry(message, nowMs), message, body: decodeBody(message),
    });
    return undefined;
  }

  /**
   * The message's expiry: its `absolute_expiry_time` (what azure-iothub sends for `expiryTimeUtc`),
   * else its `ttl`, capped by the hub's time to live.
   */
  private expiry(message: Message, nowMs: number): number {
    const cap = nowMs + this.ttlMs;
    const absolute = message.absolute_expiry_time;
    const at = absolute instanceof Date ? absolute.getTime() : typeof absolute === 'number' ? absolute : undefined;
    if (at !== undefined && at > 0) return Math.min(at, cap);
    if (typeof message.ttl === 'number' && message.ttl > 0) return Math.min(nowMs + message.ttl, cap);
    return cap;
  }

  /** Drops a device's expired messages and emits their `Expired` feedback. */
  expire(deviceId: string, nowMs = Date.now()): void {
    const device = this.devices.get(deviceId);
    if (device === undefined) return;
    const expired = device.queue.filter((m) => m.expiresAtMs <= nowMs);
    if (expired.length === 0) return;
    device.queue = device.queue.filter((m) => m.expiresAtMs > nowMs);
    const records = this.records(expired, 'Expired');
    if (records.length > 0) this.emit(records);
  }

  /** Expires what is due in every queue; returns the next expiry (epoch ms) still queued, if any. */
  sweep(nowMs = Date.now()): number | undefined {
    let next: number | undefined;
    for (const id of this.devices.keys()) {
      this.expire(id, nowMs);
      for (const m of this.devices.get(id)?.queue ?? []) next = next === undefined ? m.expiresAtMs : Math.min(next, m.expiresAtMs);
    }
    return next;
  }

  queuedCount(deviceId: string): number {
    return this.devices.get(deviceId)?.queue.length ?? 0;
  }

  queued(deviceId: string): readonly C2dMessage[] {
    this.expire(deviceId);
    return this.devices.get(deviceId)?.queue ?? [];
  }

  /**
   * Completes queued messages as the device would (oldest first, or the one with `messageId`),
   * and returns the feedback records their `iothub-ack` asks for.
   */
  complete(deviceId: string, status: FeedbackStatus, opts: { messageId?: string; count?: number } = {}): FeedbackRecord[] {
    const device = this.devices.get(deviceId);
    if (device === undefined) throw new RangeError(`No device '${deviceId}'`);
    this.expire(deviceId);
    const chosen = opts.messageId === undefined
      ? device.queue.slice(0, status === 'Purged' ? device.queue.length : (opts.count ?? 1))
      : device.queue.filter((m) => m.messageId === opts.messageId);
    device.queue = device.queue.filter((m) => !chosen.includes(m));
    return this.records(chosen, status);
  }

  private records(messages: C2dMessage[], status: FeedbackStatus): FeedbackRecord[] {
    return messages.filter((m) => wantsFeedback(m.ack, status)).map((m) => ({
      originalMessageId: m.messageId,
      deviceId: m.deviceId,
      deviceGenerationId: this.generationId(m.deviceId),
      enqueuedTimeUtc: new Date(m.enqueuedTimeMs).toISOString(),
      statusCode: status,
      description: DESCRIPTIONS[status],
    }));
  }
}

/** A feedback message as IoT Hub sends it: a JSON array of records in a `data` section. */
export function feedbackMessage(records: FeedbackRecord[]): Message {
  return {
    message_id: randomUUID(),
    content_type: 'application/vnd.microsoft.iothub.feedback.json',
    content_encoding: 'utf-8',
    body: rhea.message.data_section(Buffer.from(JSON.stringify(records), 'utf8')),
  };
}
