/**
 * Partitioned sources (Kinesis shards, Event Hubs and IoT Hub partitions): which instance reads a
 * partition (a lease with a fencing token) and how far its data is committed (the checkpoint).
 * The shapes every partitioned connector, the pipeline and the stores share (ADR 008).
 *
 * - A lease names its owner and carries a fencing token that grows with every claim. Only the owner
 *   holding the current token may write the partition's checkpoint; an owner whose lease was taken
 *   over (it froze past its expiry, say) finds its writes refused and stores nothing.
 * - A checkpoint is written in the same store transaction as the data of the messages it covers
 *   (`DeliveryCheckpoint` on a delivery, `CommitCheckpoint` in the commit), so the data and the
 *   position are committed together or not at all. Messages so covered need no dedupe key
 *   (`dedupe: 'none'`): a new owner resumes right after the committed position.
 */

/** Proof of ownership a checkpoint write must present. */
export interface LeaseToken {
  /** The instance that holds the lease (stable for the life of a process). */
  owner: string;
  /** Fencing token: increases with every claim of the partition. */
  token: number;
}

export interface PartitionLease {
  partition: string;
  /** Null when nobody holds it (never claimed, or released). */
  owner: string | null;
  token: number;
  /** Epoch ms after which anyone may claim it (0 when released). */
  expiresAt: number;
  /** The position committed last (source-specific, e.g. a Kinesis sequence number); null: none yet. */
  checkpoint: string | null;
  /** Connector-specific facts kept with the lease, e.g. a shard's parents or that it is finished. */
  meta: Record<string, string>;
}

/**
 * The leases of one integration (the context binds the integration id). Every write is a compare-
 * and-set on the token, so instances sharing one database never both own a partition.
 */
export interface LeaseStore {
  list(): Promise<PartitionLease[]>;
  /** Creates the leases that do not exist yet (unowned, no checkpoint); existing ones keep their state, `meta` is merged. */
  ensure(partitions: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void>;
  /**
   * Takes the lease if its token is still `expectedToken` (it was free, expired, or being handed
   * over): owner set, token + 1, expiry now + ttlMs. Null when another instance was quicker.
   */
  claim(partition: string, owner: string, expectedToken: number, ttlMs: number): Promise<PartitionLease | null>;
  /** Extends the lease while `owner` and `token` are current; null when it was lost. */
  renew(partition: string, lease: LeaseToken, ttlMs: number): Promise<PartitionLease | null>;
  /** Gives the lease up (graceful hand-off); false when it was not ours any more. */
  release(partition: string, lease: LeaseToken): Promise<boolean>;
  /** Writes the checkpoint outside a commit (e.g. at SHARD_END); false when fenced out. */
  checkpoint(partition: string, lease: LeaseToken, position: string): Promise<boolean>;
  /** Sets meta keys while `lease` is current (e.g. `finished`); false when fenced out. */
  setMeta(partition: string, lease: LeaseToken, meta: Record<string, string>): Promise<boolean>;
  /** Deletes leases (closed shards whose children have started). */
  remove(partitions: string[]): Promise<void>;
}

/** What a delivery of a partitioned source commits with its messages. */
export interface DeliveryCheckpoint {
  partition: string;
  /** The position of the delivery's last message: committed once the delivery (and all before it) is. */
  position: string;
  lease: LeaseToken;
}

/**
 * A checkpoint in a store commit: written in the same transaction as the commit's data, only when
 * `owner` and `token` are the partition's current lease; otherwise the whole commit rolls back with
 * LEASE_LOST.
 */
export type CommitCheckpoint = DeliveryCheckpoint;

/**
 * One partition as a partitioned connector reports it in its status details (`partitions`): the
 * integration status shows the rows, and the per-partition Prometheus metrics are read from them.
 */
export interface PartitionStatus {
  /** The source's own name of the partition (a Kinesis shard id, an Event Hubs partition id). */
  partition: string;
  /** `reading` (here), `elsewhere` (another instance), `waiting` (for its parents), `unowned`, `finished`. */
  state: 'reading' | 'elsewhere' | 'waiting' | 'unowned' | 'finished';
  /** The lease holder (null: nobody holds an unexpired lease). */
  owner: string | null;
  ownedHere: boolean;
  checkpoint: string | null;
  /** How far behind the newest record the partition is read, in ms (Kinesis MillisBehindLatest); null when not read here or unknown. */
  lagMs: number | null;
  /** Messages of the partition this instance committed since it started reading it. */
  committed: number;
  /** Reads the source refused for its throughput limit (Kinesis ProvisionedThroughputExceeded). */
  throttled: number;
}
