/**
 * The IoT Hub (service side, TLS only): cloud-to-device sends to `/messages/devicebound` for
 * registered devices, the feedback and file-notification receivers, device-to-cloud events in the
 * built-in Event Hub-compatible endpoint (partitioned by device id, with the `iothub-*`
 * annotations), and the `amqp:link:redirect` from `messages/events` to that endpoint.
 */
import rhea from 'rhea';
import type { Delivery } from 'rhea';
import { peekMessage } from '../amqp-message.ts';
import type { IncomingTransfer } from '../batch.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import type { EventHubsService } from '../event-hubs/service.ts';
import { partitionForKey } from '../event-hubs/partition-key.ts';
import type { MessageSpec } from '../message-builder.ts';
import { buildMessage } from '../message-builder.ts';
import type { AttachRequest, AttachResult, IncomingHandler, NamespaceService, OutgoingHandler } from '../namespace.ts';
import type { RequestNode } from '../request-response.ts';
import type { NormalizedIotHub } from '../topology.ts';
import type { FeedbackRecord, FeedbackStatus } from './devices.ts';
import { DeviceRegistry, feedbackMessage } from './devices.ts';
import { ServiceBoundQueue } from './service-bound-queue.ts';
import { TwinStore } from './twins.ts';

const { wrap_timestamp } = rhea.types;
const C2D_MAX_BYTES = 64 * 1024;
const TO_DEVICE = /^\/?devices\/([^/]+)\/messages\/devicebound$/i;

export interface D2cOptions { moduleId?: string; enqueuedTimeMs?: number }

export interface FileUploadNotification { deviceId: string; blobName: string; blobSizeInBytes?: number }

export class IotHubService implements NamespaceService {
  readonly requestNodes: RequestNode[] = [];
  readonly spec: NormalizedIotHub;
  readonly registry: DeviceRegistry;
  readonly twins: TwinStore;
  readonly feedback: ServiceBoundQueue;
  readonly fileNotifications: ServiceBoundQueue;
  private readonly eventHubs: EventHubsService;
  private readonly endpoint: () => { host: string; port: number };
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;

  constructor(spec: NormalizedIotHub, eventHubs: EventHubsService, endpoint: () => { host: string; port: number }) {
    this.spec = spec;
    this.eventHubs = eventHubs;
    this.endpoint = endpoint;
    this.feedback = new ServiceBoundQueue('feedback', spec.feedback);
    this.fileNotifications = new ServiceBoundQueue('filenotifications', spec.feedback);
    this.registry = new DeviceRegistry(spec.devices, spec.c2dMaxQueueDepth, spec.c2dTtlMs, (records) => this.feedback.push(feedbackMessage(records)));
    this.twins = new TwinStore(this.registry);
  }

  /** Cancels the expiry timer and the feedback locks. */
  stop(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.feedback.stop();
    this.fileNotifications.stop();
  }

  /** Expires queued messages when their expiry passes (and not only when the queue is next touched). */
  private scheduleSweep(): void {
    const next = this.registry.sweep();
    if (next === undefined || next >= this.sweepAt) return;
    clearTimeout(this.sweepTimer);
    this.sweepAt = next;
    this.sweepTimer = setTimeout(() => {
      this.sweepAt = Infinity;
      this.scheduleSweep();
    }, Math.max(0, next - Date.now()));
    this.sweepTimer.unref();
  }

  attachOutgoing(req: AttachRequest): AttachResult<OutgoingHandler> {
    const address = req.address.toLowerCase();
    if (address === 'messages/servicebound/feedback') return { handler: this.feedback.attach() };
    if (address === 'messages/servicebound/filenotifications') return { handler: this.fileNotifications.attach() };
    if (address === 'messages/events' || address.startsWith('messages/events/')) {
      const { host, port } = this.endpoint();
      const rest = req.address.slice('messages/events'.length).replace(/^\/+/, '');
      const target = `amqps://${host}:${port}/${this.spec.name}${rest === '' ? '' : `/${rest}`}`;
      return {
        error: amqpError(CONDITIONS.linkRedirect, `The link was redirected to the Event Hub-compatible endpoint '${target}'.`, {
          hostname: host, 'network-host': host, port, address: target,
        }),
      };
    }
    return { error: amqpError(CONDITIONS.notFound, `The IoT Hub has no endpoint '${req.address}'.`) };
  }

  attachIncoming(req: AttachRequest): AttachResult<IncomingHandler> {
    if (req.address.toLowerCase() !== 'messages/devicebound') {
      return { error: amqpError(CONDITIONS.notFound, `The IoT Hub has no endpoint '${req.address}'.`) };
    }
    const handler: IncomingHandler = {
      onTransfer: (transfer: IncomingTransfer, delivery: Delivery) => {
        if (transfer.sizeBytes > C2D_MAX_BYTES) {
          delivery.reject(amqpError(CONDITIONS.messageSizeExceeded, `The message size ${transfer.sizeBytes} exceeds the cloud-to-device limit of ${C2D_MAX_BYTES} bytes.`));
          return;
        }
        for (const raw of transfer.messages) {
          const msg = peekMessage(raw);
          const m = TO_DEVICE.exec(String(msg.to ?? ''));
          const error = m === null
            ? amqpError(CONDITIONS.argumentError, `Invalid 'to' address '${String(msg.to)}'; expected /devices/<deviceId>/messages/devicebound.`)
            : this.registry.enqueue(decodeURIComponent(m[1] ?? ''), msg);
          if (error !== undefined) {
            delivery.reject(error);
            return;
          }
        }
        this.scheduleSweep();
        delivery.accept();
      },
    };
    return { handler, attach: { max_message_size: C2D_MAX_BYTES } };
  }

  /** Completes queued cloud-to-device messages for a device and emits the feedback they ask for. */
  completeC2d(deviceId: string, status: FeedbackStatus, opts: { messageId?: string; count?: number } = {}): FeedbackRecord[] {
    const records = this.registry.complete(deviceId, status, opts);
    if (records.length > 0) this.feedback.push(feedbackMessage(records));
    return records;
  }

  /** Publishes a device-to-cloud message into the Event Hub-compatible endpoint. */
  sendD2c(deviceId: string, spec: MessageSpec, opts: D2cOptions = {}): { partitionId: string; sequenceNumber: number } {
    if (!this.registry.has(deviceId)) throw new RangeError(`No device '${deviceId}' in the IoT Hub`);
    const hub = this.eventHubs.hub(this.spec.name);
    if (hub === undefined) throw new RangeError(`The IoT Hub endpoint '${this.spec.name}' is missing`);
    const now = opts.enqueuedTimeMs ?? Date.now();
    const annotations: Record<string, unknown> = {
      'iothub-connection-device-id': deviceId,
      'iothub-connection-auth-method': '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
      'iothub-connection-auth-generation-id': this.registry.generationId(deviceId),
      'iothub-enqueuedtime': wrap_timestamp(now),
      'iothub-message-source': 'Telemetry',
    };
    if (opts.moduleId !== undefined) annotations['iothub-connection-module-id'] = opts.moduleId;
    const partitionId = String(partitionForKey(deviceId, hub.partitions.length));
    const log = this.eventHubs.append(hub, [buildMessage(spec)], partitionId, undefined, annotations);
    return { partitionId, sequenceNumber: log.endSequenceNumber - 1 };
  }

  /** Emits a file-upload notification on `/messages/serviceBound/filenotifications`. */
  notifyFileUpload(n: FileUploadNotification): void {
    const { host, port } = this.endpoint();
    const now = new Date().toISOString();
    const body = {
      deviceId: n.deviceId,
      blobUri: `https://${host}:${port}/uploads/${n.deviceId}/${n.blobName}`,
      blobName: `${n.deviceId}/${n.blobName}`,
      lastUpdatedTime: now,
      blobSizeInBytes: n.blobSizeInBytes ?? 0,
      enqueuedTimeUtc: now,
    };
    this.fileNotifications.push({
      content_type: 'application/json', content_encoding: 'utf-8',
      body: rhea.message.data_section(Buffer.from(JSON.stringify(body), 'utf8')),
    });
  }
}
