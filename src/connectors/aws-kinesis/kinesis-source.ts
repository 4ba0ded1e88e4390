/**
 * The `aws-kinesis` Connector: a LeaseCoordinator (lease-coordinator.ts: which shards this
 * instance reads) and one ShardReader (shard-reader.ts) per shard it holds the lease of.
 *
 * start(): DescribeStreamSummary (the stream must exist), the first shard sync, the first claims.
 * stop() hands the shards off gracefully (SourceLifecycle): the readers stop fetching, their
 * deliveries are committed with their checkpoints within drainMs, then the leases are released
 * for the other instances to claim at once.
 *
 * Redelivery model (`checkpoint`): the checkpoint is committed in the same transaction as the data,
 * fenced by the lease token; whoever owns a shard next resumes right after it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { DedupeMode, EncodedDownlink } from '../../core/model.ts';
import type { PartitionLease, PartitionStatus } from '../../core/partitions.ts';
import { AwsCredentialExpiry } from '../aws-common/index.ts';
import type { ResolvedKinesisConfig } from './config-spec.ts';
import { buildPutRecord } from './downlink.ts';
import type { KinesisApi, KinesisApiFactory, StreamSummary } from './kinesis-api.ts';
import { isCredentialsError, translateKinesisError } from './kinesis-errors.ts';
import { isFree } from './lease-balance.ts';
import { LeaseCoordinator, type LeaseHolder } from './lease-coordinator.ts';
import { initialStart, SHARD_END } from './position.ts';
import { LeaseKeys, isReadable } from './shard-plan.ts';
import { ShardReader, type ReaderEvents } from './shard-reader.ts';

/**
 * How messages are deduplicated: not at all (`none`, ADR 008). A delivery carries its shard's
 * checkpoint and is never split across commits, so "this record is stored" is exactly "its
 * position is at or below the committed checkpoint", and every owner resumes right after the
 * checkpoint its claim returned. A dedupe key per record would say the same at the cost of a row.
 */
export const KINESIS_DEDUPE: DedupeMode = 'none';

/**
 * Deliveries (of at most 1000 messages) one shard may have in the pipeline at once: the next
 * GetRecords and its conversion overlap the commit of the previous ones. Ordered settlement keeps
 * this safe: when one is rejected, the later ones are rejected too.
 */
export const DELIVERIES_IN_FLIGHT_PER_SHARD = 4;

export interface KinesisSourceOptions {
  config: ResolvedKinesisConfig;
  createApi: KinesisApiFactory;
  /** This instance's lease owner id (default: host, pid and a random suffix). */
  owner?: string | undefined;
  /** Deliveries of one shard handed to the pipeline before the oldest is committed (default 4). */
  maxDeliveriesInFlight?: number | undefined;
  random?: (() => number) | undefined;
}

export function defaultOwnerId(): string {
  return `${hostname()}#${process.pid}#${randomBytes(3).toString('hex')}`;
}

/** A shard in the status (`details.partitions`): the generic partition row plus Kinesis facts. */
export interface ShardStatus extends PartitionStatus {
  shardId: string;
  parents: string[];
  millisBehindLatest: number | null;
  records: number;
  iteratorsExpired: number;
  rewinds: number;
  lastGetRecordsAt: number | null;
  lastCommitAt: number | null;
}

export class KinesisSource implements Connector {
  private readonly o: KinesisSourceOptions;
  private readonly cfg: ResolvedKinesisConfig;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly coordinator: LeaseCoordinator;
  readonly owner: string;
  private readonly ttlMs: number;
  private readonly readers = new Map<string, ShardReader>();
  private api: KinesisApi | null = null;
  private readonly credentials = new AwsCredentialExpiry(() => this.ctx.clock.now());
  private summary: StreamSummary | null = null;
  private readonly troubled = new Map<string, CloudbridgeError>();
  private connected = false;
  private lastThrottleWarningAt = -Infinity;

  constructor(o: KinesisSourceOptions, ctx: ConnectorContext) {
    this.o = o;
    this.cfg = o.config;
    this.ctx = ctx;
    this.owner = o.owner ?? defaultOwnerId();
    this.ttlMs = this.cfg.leaseDurationSeconds * 1000;
    this.coordinator = new LeaseCoordinator({
      leases: ctx.leases,
      keys: new LeaseKeys(this.cfg.applicationName, this.cfg.streamName),
      owner: this.owner,
      ttlMs: this.ttlMs,
      initialPosition: this.cfg.initialPosition,
      shardSyncIntervalMs: this.cfg.shardSyncIntervalSeconds * 1000,
      clock: ctx.clock,
      log: ctx.log,
      random: o.random,
      listShards: () => this.client().listShards(this.cfg.streamName, AbortSignal.timeout(40_000)),
      readers: () => this.readers,
      claimed: (lease) => this.startReader(lease),
      lost: (holder, why) => this.lose(holder, why),
    });
    this.life = new SourceLifecycle({
      name: 'the Kinesis source',
      ctx,
      steps: {
        open: () => this.open(),
        halt: () => this.halt(),
        drained: () => Promise.all([...this.readers.values()].map((r) => r.done)),
        close: () => this.close(),
      },
    });
  }

  async start(): Promise<void> {
    await this.life.start();
    this.connected = true;
    this.ctx.log.info({ stream: this.cfg.streamName, shards: this.coordinator.shards.length, applicationName: this.cfg.applicationName, owner: this.owner }, 'reading from Kinesis');
    // A reader that failed while the start finished: say so now that the integration runs.
    const trouble = [...this.troubled.values()][0];
    if (trouble) {
      this.connected = false;
      this.ctx.reportState('disconnected', trouble);
    }
  }

  /** Graceful hand-off: readers stop fetching, their deliveries commit (with their checkpoints) within drainMs, then the leases are released. */
  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  /** The stream must exist; the shard leases are synced, this instance's share claimed and the timers started. */
  private async open(): Promise<void> {
    this.api = await this.o.createApi();
    try {
      this.summary = await this.api.describeStreamSummary(this.cfg.streamName, AbortSignal.timeout(40_000));
      await this.credentials.open(this.api.credentialExpiry?.bind(this.api));
      if (this.summary.status === 'DELETING') throw new CloudbridgeError('NOT_FOUND', `stream "${this.cfg.streamName}" is being deleted`, { field: 'streamName' });
      await this.coordinator.open();
    } catch (err) {
      throw await this.translate(err, this.summary ? 'ListShards' : 'DescribeStreamSummary');
    }
  }

  /** No more lease cycles and syncs; readers stop fetching (renewals go on while they drain). */
  private async halt(): Promise<void> {
    await this.coordinator.halt();
    for (const reader of this.readers.values()) reader.halt();
  }

  /** Releases the leases of the readers (a delivery still in the pipeline is fenced out then), stops renewing, disconnects. */
  private async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((reader) => (reader.state === 'lost' ? undefined : this.release(reader))));
    this.coordinator.close();
    this.api?.destroy();
    this.api = null;
  }

  status(): Record<string, unknown> {
    return {
      streamName: this.cfg.streamName,
      region: this.cfg.region ?? null,
      applicationName: this.cfg.applicationName,
      owner: this.owner,
      streamStatus: this.summary?.status ?? null,
      retentionPeriodHours: this.summary?.retentionPeriodHours ?? null,
      encryption: this.summary?.encryptionType ?? null,
      openShards: this.coordinator.shards.filter((s) => s.endingSequenceNumber === undefined).length,
      shardsReadHere: [...this.readers.values()].filter((r) => r.active).length,
      partitions: this.shardStatus(),
      leases: { ...this.coordinator.counters },
      downlinkStreamName: this.cfg.downlinkStreamName ?? null,
      ...this.credentials.details(),
    };
  }

  /** Per shard (of the lease table, plus the ones read here): owner, checkpoint, lag and counters. */
  shardStatus(): ShardStatus[] {
    const now = this.ctx.clock.now();
    const known = this.coordinator.known;
    const ids = new Set([...known.keys(), ...this.readers.keys()]);
    return [...ids].sort().map((shardId) => {
      const info = known.get(shardId);
      const reader = this.readers.get(shardId);
      const here = reader?.active === true;
      const lease = info?.lease;
      const owner = here ? this.owner : lease && !isFree(lease, now) ? lease.owner : null;
      const finished = reader?.state === 'finished' || info?.finished === true;
      const state: ShardStatus['state'] = finished ? 'finished' : here ? 'reading'
        : info && !isReadable(info, known) ? 'waiting' : owner ? 'elsewhere' : 'unowned';
      const millisBehindLatest = here ? reader.millisBehindLatest : null;
      return {
        partition: shardId, shardId, state, owner, ownedHere: here,
        checkpoint: reader?.committed ?? lease?.checkpoint ?? null,
        parents: info?.parents ?? [],
        lagMs: millisBehindLatest,
        millisBehindLatest,
        records: reader?.counters.records ?? 0,
        committed: reader?.counters.committed ?? 0,
        throttled: reader?.counters.throttled ?? 0,
        iteratorsExpired: reader?.counters.iteratorsExpired ?? 0,
        rewinds: reader?.counters.rewinds ?? 0,
        lastGetRecordsAt: reader?.lastGetRecordsAt ?? null,
        lastCommitAt: reader?.lastCommitAt ?? null,
      };
    });
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const stream = this.cfg.downlinkStreamName;
    if (!stream) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkStreamName: set it to the stream downlinks are put to', { field: 'downlinkStreamName' });
    if (!this.life.running || !this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `the Kinesis source is ${this.life.phase}`);
    const req = buildPutRecord(msg, stream);
    try {
      await this.api.putRecord(req, signal);
    } catch (err) {
      const error = await this.translate(err, 'PutRecord', stream, 'downlinkStreamName');
      throw new CloudbridgeError('DOWNLINK_FAILED', error.message, { ...error.details, reason: error.code }, { cause: err, retryable: error.retryable });
    }
  }

  private client(): KinesisApi {
    if (!this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', 'the Kinesis client is closed');
    return this.api;
  }

  private async translate(err: unknown, operation: string, streamName = this.cfg.streamName, streamField = 'streamName', shardId?: string): Promise<CloudbridgeError> {
    const credentials = isCredentialsError(err) && this.api ? await this.api.describeCredentials() : undefined;
    return translateKinesisError(err, { operation, streamName, streamField, region: this.cfg.region, endpoint: this.cfg.endpoint, credentials, shardId });
  }

  private startReader(lease: PartitionLease): void {
    const shardId = lease.meta.shardId ?? lease.partition.split('/').at(-1) ?? lease.partition;
    if (lease.checkpoint === SHARD_END) {
      // Claimed just as its reader elsewhere finished it (the list said it was not): nothing to
      // read, and reading it from its start would store it twice. Give it back.
      void this.coordinator.release({ shardId, partition: lease.partition, lease: { owner: this.owner, token: lease.token } })
        .then(() => this.coordinator.shardFinished());
      return;
    }
    const fallback = lease.meta.start === 'TRIM_HORIZON' ? { type: 'TRIM_HORIZON' as const } : initialStart(this.cfg.initialPosition, this.cfg.initialTimestampMs);
    const reader = new ShardReader({
      streamName: this.cfg.streamName,
      shardId,
      partition: lease.partition,
      lease: { owner: this.owner, token: lease.token },
      expiresAt: lease.expiresAt,
      checkpoint: lease.checkpoint,
      fallback,
      maxRecords: this.cfg.maxRecords,
      pollIntervalMs: this.cfg.pollIntervalMs,
      maxDeliveriesInFlight: this.o.maxDeliveriesInFlight ?? DELIVERIES_IN_FLIGHT_PER_SHARD,
      leaseTtlMs: this.ttlMs,
      dedupe: KINESIS_DEDUPE,
      api: () => this.client(),
      leases: this.ctx.leases,
      deliver: (messages, checkpoint, signal) => this.ctx.deliver(messages, signal, { checkpoint }),
      deliverySignal: this.life.deliverySignal,
      events: this.readerEvents,
      clock: this.ctx.clock,
      log: this.ctx.log,
      random: this.o.random,
    });
    this.readers.set(shardId, reader);
    reader.start();
  }

  private readonly readerEvents: ReaderEvents = {
    trouble: (reader, error, operation) => {
      if (error) {
        void this.translate(error.cause ?? error, operation, this.cfg.streamName, 'streamName', reader.shardId).then((translated) => {
          if (!this.readers.has(reader.shardId) || !reader.active) return;
          this.troubled.set(reader.shardId, translated);
          this.ctx.log.warn({ shardId: reader.shardId, code: translated.code, err: translated.message }, `Kinesis ${operation} failed; retrying`);
          if (this.connected && this.life.running) {
            this.connected = false;
            this.ctx.reportState('disconnected', translated);
          }
        });
        return;
      }
      this.troubled.delete(reader.shardId);
      if (!this.connected && this.troubled.size === 0 && this.life.running) {
        this.connected = true;
        this.ctx.reportState('connected');
      }
    },
    throttled: (reader) => {
      const now = this.ctx.clock.now();
      this.ctx.log.debug({ shardId: reader.shardId }, 'GetRecords throttled (ProvisionedThroughputExceeded); backing off');
      if (now - this.lastThrottleWarningAt < 60_000) return;
      this.lastThrottleWarningAt = now;
      this.ctx.warn('KINESIS_THROTTLED', `Kinesis throttled GetRecords on shard ${reader.shardId} of stream "${this.cfg.streamName}" (ProvisionedThroughputExceeded): the shard's read limit (5 calls and 2 MB per second, shared by every consumer of the stream) is used up. Cloudbridge backs off and retries; if it persists, raise pollIntervalMs, remove other consumers, or add shards. (This warning repeats at most once a minute; the count per shard is in the status.)`, { shardId: reader.shardId });
    },
    lost: (reader) => {
      this.coordinator.lose(reader, 'a commit was fenced out');
    },
    finished: (reader) => {
      void this.release(reader).then(() => this.coordinator.shardFinished());
    },
    shardGone: async (reader) => {
      try {
        const shards = await this.client().listShards(this.cfg.streamName, AbortSignal.timeout(40_000));
        const gone = !shards.some((s) => s.shardId === reader.shardId);
        if (gone) this.ctx.warn('KINESIS_SHARD_EXPIRED', `shard ${reader.shardId} of stream "${this.cfg.streamName}" left the stream (its records are older than the retention period) before Cloudbridge read it to its end: records in it were not stored. Its children are read next.`, { shardId: reader.shardId });
        return gone;
      } catch {
        return false;
      }
    },
  };

  /** The lease is gone: stop reading without releasing (it is not ours to release), and forget the reader so the shard can be claimed again. */
  private lose(holder: LeaseHolder, why: string): boolean {
    const reader = this.readers.get(holder.shardId);
    if (reader !== holder || reader.state === 'finished') return false;
    reader.markLost();
    this.ctx.log.info({ shardId: reader.shardId, why }, 'shard lease lost; its reader stops');
    this.forget(reader);
    return true;
  }

  private forget(reader: ShardReader): void {
    if (this.readers.get(reader.shardId) === reader) this.readers.delete(reader.shardId);
    this.troubled.delete(reader.shardId);
  }

  private async release(reader: ShardReader): Promise<void> {
    await this.coordinator.release(reader);
    this.forget(reader);
  }
}
