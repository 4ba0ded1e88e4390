/**
 * What the ingest pipeline (./pipeline.ts) tracks per delivery and per queued message, and the
 * partition checkpoints a batch's commit carries.
 */
import type { DeliveryReport } from './connector.ts';
import type { UplinkMessage } from './model.ts';
import type { CommitCheckpoint, DeliveryCheckpoint } from './partitions.ts';
import type { UplinkCommit } from './ports.ts';

export interface Delivery {
  messages: UplinkMessage[];
  bytes: number;
  pending: number;
  report: DeliveryReport;
  resolve: (r: DeliveryReport) => void;
  reject: (e: unknown) => void;
  settled: boolean;
  checkpoint: DeliveryCheckpoint | undefined;
}

/** A batch converted and ready to commit. */
export interface ConvertedBatch {
  batch: Entry[];
  messages: UplinkMessage[];
  commit: UplinkCommit;
  /** `failures` when the batch was taken: a failure since means a batch before it was not committed. */
  failuresAtStart: number;
}

export interface Entry {
  msg: UplinkMessage;
  delivery: Delivery;
  /** Position of the message in its delivery. */
  index: number;
}

/** Per partition, the checkpoint of the last delivery whose last message is in the batch. */
export function checkpointsOf(batch: Entry[]): CommitCheckpoint[] {
  const byPartition = new Map<string, CommitCheckpoint>();
  for (const { delivery, index } of batch) {
    const checkpoint = delivery.checkpoint;
    if (checkpoint && index === delivery.messages.length - 1) byPartition.set(checkpoint.partition, checkpoint);
  }
  return [...byPartition.values()];
}
