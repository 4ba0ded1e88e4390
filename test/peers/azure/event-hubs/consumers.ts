/**
 * Event Hubs consumer links: delivery of a partition's events with the `x-opt-*` annotations
 * (sequence number as long, offset as string, enqueued time as timestamp), runtime metrics as
 * delivery annotations when requested, and the owner-level (epoch) rules: a receiver with a
 * higher or equal epoch disconnects the others with `amqp:link:stolen`; a lower epoch, or no
 * epoch while an epoch receiver exists, is refused with the same condition.
 */
import rhea from 'rhea';
import type { Sender } from 'rhea';
import { composeDelivery } from '../amqp-message.ts';
import type { AmqpErrorInfo } from '../conditions.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import type { OutgoingHandler } from '../namespace.ts';
import type { OutgoingLink } from '../outgoing-link.ts';
import type { PartitionLog, StoredEvent } from './partition-log.ts';

const { wrap_long, wrap_timestamp } = rhea.types;

/** Non-epoch receivers allowed per partition and consumer group (the Event Hubs quota). */
export const MAX_NON_EPOCH_RECEIVERS = 5;

export interface ConsumerOptions {
  name: string;
  epoch: number | undefined;
  runtimeMetric: boolean;
  onClosed: (c: ConsumerLink) => void;
}

export class ConsumerLink implements OutgoingHandler {
  readonly sender: Sender;
  readonly options: ConsumerOptions;
  private readonly log: PartitionLog;
  private next: number;
  private out: OutgoingLink | undefined;
  private readonly unsubscribe: () => void;
  delivered = 0;

  constructor(sender: Sender, log: PartitionLog, startSequenceNumber: number, options: ConsumerOptions) {
    this.sender = sender;
    this.log = log;
    this.next = startSequenceNumber;
    this.options = options;
    this.unsubscribe = log.onAppend(() => { if (this.out !== undefined) this.pump(this.out); });
  }

  get nextSequenceNumber(): number {
    return this.next;
  }

  pump(out: OutgoingLink): void {
    this.out = out;
    if (this.next < this.log.beginSequenceNumber) this.next = this.log.beginSequenceNumber;
    while (out.available() > 0 && this.next < this.log.endSequenceNumber) {
      const event = this.log.at(this.next);
      this.next++;
      if (event === undefined) continue;
      out.send(this.encode(event));
      this.delivered++;
    }
  }

  private encode(event: StoredEvent): Buffer {
    const annotations: Record<string, unknown> = {
      'x-opt-sequence-number': wrap_long(event.sequenceNumber),
      'x-opt-offset': String(event.offset),
      'x-opt-enqueued-time': wrap_timestamp(event.enqueuedTimeMs),
      ...event.annotations,
    };
    if (event.partitionKey !== undefined) annotations['x-opt-partition-key'] = event.partitionKey;
    let deliveryAnnotations: Record<string, unknown> | undefined;
    if (this.options.runtimeMetric) {
      const info = this.log.info();
      deliveryAnnotations = {
        last_enqueued_sequence_number: wrap_long(info.lastEnqueuedSequenceNumber),
        last_enqueued_offset: info.lastEnqueuedOffset,
        last_enqueued_time_utc: wrap_timestamp(info.lastEnqueuedTimeUtc.getTime()),
        runtime_info_retrieval_time_utc: wrap_timestamp(Date.now()),
      };
    }
    return composeDelivery(event.raw, deliveryAnnotations === undefined
      ? { messageAnnotations: annotations }
      : { messageAnnotations: annotations, deliveryAnnotations });
  }

  /** Detaches the link with an error (epoch steal, injected fault). */
  disconnect(error: AmqpErrorInfo): void {
    this.detachLocal();
    if (this.sender.is_open()) this.sender.close(error);
  }

  onDetach(): void {
    this.detachLocal();
  }

  private detachLocal(): void {
    this.unsubscribe();
    this.options.onClosed(this);
  }
}

/** Applies the epoch rules for a new receiver; returns a refusal or the receivers to disconnect. */
export function epochDecision(existing: readonly ConsumerLink[], name: string, epoch: number | undefined): { refuse: AmqpErrorInfo } | { steal: ConsumerLink[] } {
  const epochReaders = existing.filter((c) => c.options.epoch !== undefined);
  if (epoch === undefined) {
    const holder = epochReaders[0];
    if (holder !== undefined) {
      return { refuse: amqpError(CONDITIONS.linkStolen, `Receiver '${holder.options.name}' with epoch '${String(holder.options.epoch)}' already exists; a receiver without epoch ('${name}') cannot be created.`) };
    }
    if (existing.length >= MAX_NON_EPOCH_RECEIVERS) {
      return { refuse: amqpError(CONDITIONS.resourceLimitExceeded, `Exceeded the maximum number of allowed receivers per partition in a consumer group which is ${MAX_NON_EPOCH_RECEIVERS}.`) };
    }
    return { steal: [] };
  }
  const higher = epochReaders.find((c) => (c.options.epoch ?? 0) > epoch);
  if (higher !== undefined) {
    return { refuse: amqpError(CONDITIONS.linkStolen, `Receiver '${higher.options.name}' with a higher epoch of '${String(higher.options.epoch)}' already exists. Receiver '${name}' with epoch '${epoch}' cannot be created.`) };
  }
  return { steal: [...existing] };
}

export function stolenError(newName: string, epoch: number, old: ConsumerLink): AmqpErrorInfo {
  return amqpError(CONDITIONS.linkStolen, `New receiver '${newName}' with higher epoch of '${epoch}' is created hence current receiver '${old.options.name}' with epoch '${String(old.options.epoch ?? 'none')}' is getting disconnected.`);
}
