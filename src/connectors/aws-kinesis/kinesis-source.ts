/**
 * The `aws-kinesis` Connector: a shard-lease coordinator and one ShardReader per owned shard.
 *
 * Three timers, none of which waits on the pipeline:
 *   - renewal, every third of leaseDurationSeconds: renews every owned lease; a refused renewal
 *     (taken over) or one that could not reach the store before the lease expired stops the reader;
 *   - lease cycle, as often, and also right when another instance's lease expires: lists the
 *     leases, stops readers fenced out, claims this instance's fair share (lease-balance.ts) and
 *     starts a reader for each claimed shard at its checkpoint;
 *   - shard sync, every shardSyncIntervalSeconds and when a shard ends: ListShards, leases for new
 *     shards (children of a split or merge wait for their parents), removal of finished leases
 *     whose children started (shard-plan.ts).
 * stop() hands the shards off gracefully: readers stop fetching, their deliveries are committed
 * (with their checkpoints), then the leases are released for the other instances to claim at once.
 *
 * Redelivery model (`checkpoint`): the checkpoint is committed in the same transaction as the data,
 * fenced by the lease token; whoever owns a shard next resumes right after it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { TimerHandle } from '../../core/clock.ts';
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import type { DedupeMode, EncodedDownlink } from '../../core/model.ts';
import type { PartitionLease, PartitionStatus } from '../../core/partitions.ts';
import type { ResolvedKinesisConfig } from './config-spec.ts';
import { buildPutRecord } from './downlink.ts';
import type { KinesisApi, KinesisApiFactory, KinesisShard, StreamSummary } from './kinesis-api.ts';
import { isCredentialsError, translateKinesisError } from './kinesis-errors.ts';
import { balance, isFree } from './lease-balance.ts';
import { initialStart } from './position.ts';
import { LeaseKeys, isReadable, planSync, type ShardLeaseInfo } from './shard-plan.ts';
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
  private readonly keys: LeaseKeys;
  readonly owner: string;
  private readonly ttlMs: number;
  private readonly readers = new Map<string, ShardReader>();
  private api: KinesisApi | null = null;
  private summary: StreamSummary | null = null;
  private shards: KinesisShard[] = [];
  private known = new Map<string, ShardLeaseInfo>();
  /** The readable leases of the last cycle (for when to look again). */
  private lastReadable: readonly PartitionLease[] = [];
  private coordination: Promise<void> = Promise.resolve();
  private renewTimer: TimerHandle | null = null;
  private cycleTimer: TimerHandle | null = null;
  private syncTimer: TimerHandle | null = null;
  private readonly troubled = new Map<string, CloudbridgeError>();
  private connected = false;
  private lastThrottleWarningAt = -Infinity;
  private readonly counters = { claimed: 0, stolen: 0, lost: 0, released: 0, finished: 0, removed: 0, syncs: 0, leaseErrors: 0 };

  constructor(o: KinesisSourceOptions, ctx: ConnectorContext) {
    this.o = o;
    this.cfg = o.config;
    this.ctx = ctx;
    this.keys = new LeaseKeys(this.cfg.applicationName, this.cfg.streamName);
    this.owner = o.owner ?? defaultOwnerId();
    this.ttlMs = this.cfg.leaseDurationSeconds * 1000;
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

  /** Starting or running (lease work goes on). */
  private get live(): boolean {
    return this.life.phase === 'starting' || this.life.phase === 'running';
  }

  async start(): Promise<void> {
    await this.life.start();
    this.connected = true;
    this.ctx.log.info({ stream: this.cfg.streamName, shards: this.shards.length, applicationName: this.cfg.applicationName, owner: this.owner }, 'reading from Kinesis');
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
    this.api = this.o.createApi();
    try {
      this.summary = await this.api.describeStreamSummary(this.cfg.streamName, AbortSignal.timeout(40_000));
      if (this.summary.status === 'DELETING') throw new CloudbridgeError('NOT_FOUND', `stream "${this.cfg.streamName}" is being deleted`, { field: 'streamName' });
      await this.sync();
    } catch (err) {
      throw await this.translate(err, this.summary ? 'ListShards' : 'DescribeStreamSummary');
    }
    this.scheduleRenewal();
    this.scheduleSync();
    await this.runCycle();
  }

  /** No more lease cycles and syncs; readers stop fetching (renewals go on while they drain). */
  private async halt(): Promise<void> {
    for (const t of [this.cycleTimer, this.syncTimer]) if (t) this.ctx.clock.clearTimeout(t);
    this.cycleTimer = null;
    this.syncTimer = null;
    await this.coordination;
    for (const reader of this.readers.values()) reader.halt();
  }

  /** Releases the leases of the readers (a delivery still in the pipeline is fenced out then), stops renewing, disconnects. */
  private async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((reader) => (reader.state === 'lost' ? undefined : this.releaseReader(reader))));
    if (this.renewTimer) this.ctx.clock.clearTimeout(this.renewTimer);
    this.renewTimer = null;
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
      openShards: this.shards.filter((s) => s.endingSequenceNumber === undefined).length,
      shardsReadHere: [...this.readers.values()].filter((r) => r.active).length,
      partitions: this.shardStatus(),
      leases: { ...this.counters },
      downlinkStreamName: this.cfg.downlinkStreamName ?? null,
    };
  }

  /** Per shard (of the lease table, plus the ones read here): owner, checkpoint, lag and counters. */
  shardStatus(): ShardStatus[] {
    const now = this.ctx.clock.now();
    const ids = new Set([...this.known.keys(), ...this.readers.keys()]);
    return [...ids].sort().map((shardId) => {
      const info = this.known.get(shardId);
      const reader = this.readers.get(shardId);
      const here = reader?.active === true;
      const lease = info?.lease;
      const owner = here ? this.owner : lease && !isFree(lease, now) ? lease.owner : null;
      const finished = reader?.state === 'finished' || info?.finished === true;
      const state: ShardStatus['state'] = finished ? 'finished' : here ? 'reading'
        : info && !isReadable(info, this.known) ? 'waiting' : owner ? 'elsewhere' : 'unowned';
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

  /** Runs lease work one piece at a time (sync, cycle), never two at once. */
  private coordinate(work: () => Promise<void>): Promise<void> {
    const next = this.coordination.then(work).catch((err: unknown) => {
      this.counters.leaseErrors++;
      this.ctx.log.warn({ err: toCloudbridgeError(err).message }, 'shard lease coordination failed; retrying on the next cycle');
    });
    this.coordination = next;
    return next;
  }

  /** ListShards, then leases for new shards and removal of finished ones whose children started. */
  private async sync(): Promise<void> {
    const shards = await this.client().listShards(this.cfg.streamName, AbortSignal.timeout(40_000));
    const known = this.keys.mine(await this.ctx.leases.list());
    const plan = planSync(shards, known, this.keys, this.cfg.initialPosition);
    if (plan.create.length > 0) {
      await this.ctx.leases.ensure(plan.create);
      this.ctx.log.info({ shards: plan.create.map((c) => c.meta.shardId) }, 'new shard leases');
    }
    if (plan.remove.length > 0) {
      await this.ctx.leases.remove(plan.remove);
      this.counters.removed += plan.remove.length;
      this.ctx.log.info({ partitions: plan.remove }, 'removed the leases of finished shards whose children started');
    }
    this.shards = shards;
    this.counters.syncs++;
  }

  /** Lists the leases, stops readers fenced out, claims this instance's share and starts their readers. */
  private async cycle(): Promise<void> {
    if (!this.live) return;
    const now = this.ctx.clock.now();
    this.known = this.keys.mine(await this.ctx.leases.list());
    for (const reader of this.readers.values()) {
      const info = this.known.get(reader.shardId);
      if (reader.active && (!info || info.lease.owner !== this.owner || info.lease.token !== reader.lease.token)) {
        this.lose(reader, 'the lease table shows another owner');
      }
    }
    // A lease in this instance's name that no reader here holds (its reader finished or was lost,
    // or an earlier run used the same owner id) is free to claim again, not a share already taken.
    const readable = [...this.known.values()].filter((i) => isReadable(i, this.known))
      .map((i) => (i.lease.owner === this.owner && !this.readers.get(i.shardId)?.active ? { ...i.lease, owner: null } : i.lease));
    const decision = balance({ readable, me: this.owner, now, random: this.o.random });
    for (const lease of decision.claim) {
      const shardId = this.shardIdOf(lease);
      if (this.readers.has(shardId) || !this.live) continue;
      const claimed = await this.ctx.leases.claim(lease.partition, this.owner, lease.token, this.ttlMs);
      if (!claimed) continue;
      this.counters.claimed++;
      if (decision.reason.startsWith('steal')) this.counters.stolen++;
      this.ctx.log.info({ shardId, reason: decision.reason, token: claimed.token, checkpoint: claimed.checkpoint, target: decision.target, instances: decision.liveInstances }, 'shard lease claimed');
      this.startReader(claimed);
    }
    this.lastReadable = readable;
  }

  /** One lease cycle, then the next one scheduled, whether this one succeeded or not (the store may be down). */
  private runCycle(): Promise<void> {
    return this.coordinate(() => this.cycle()).finally(() => this.scheduleCycle());
  }

  private shardIdOf(lease: PartitionLease): string {
    return lease.meta.shardId ?? lease.partition.slice(this.keys.prefix.length);
  }

  private startReader(lease: PartitionLease): void {
    const shardId = this.shardIdOf(lease);
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
      this.lose(reader, 'a commit was fenced out');
    },
    finished: (reader) => {
      this.counters.finished++;
      void this.releaseReader(reader).then(() => {
        if (!this.live) return;
        void this.coordinate(() => this.sync()).then(() => this.runCycle());
      });
    },
    shardGone: async (reader) => {
      try {
        const shards = await this.client().listShards(this.cfg.streamName, AbortSignal.timeout(40_000));
        this.shards = shards;
        const gone = !shards.some((s) => s.shardId === reader.shardId);
        if (gone) this.ctx.warn('KINESIS_SHARD_EXPIRED', `shard ${reader.shardId} of stream "${this.cfg.streamName}" left the stream (its records are older than the retention period) before Cloudbridge read it to its end: records in it were not stored. Its children are read next.`, { shardId: reader.shardId });
        return gone;
      } catch {
        return false;
      }
    },
  };

  /** The lease is gone: stop reading without releasing (it is not ours to release), and forget the reader so the shard can be claimed again. */
  private lose(reader: ShardReader, why: string): void {
    if (reader.state === 'finished' || this.readers.get(reader.shardId) !== reader) return;
    reader.markLost();
    this.counters.lost++;
    this.ctx.log.info({ shardId: reader.shardId, why }, 'shard lease lost; its reader stops');
    this.forget(reader);
  }

  private forget(reader: ShardReader): void {
    if (this.readers.get(reader.shardId) === reader) this.readers.delete(reader.shardId);
    this.troubled.delete(reader.shardId);
  }

  private async releaseReader(reader: ShardReader): Promise<void> {
    try {
      if (await this.ctx.leases.release(reader.partition, reader.lease)) this.counters.released++;
    } catch (err) {
      this.ctx.log.warn({ shardId: reader.shardId, err: toCloudbridgeError(err).message }, 'could not release the shard lease; it expires by itself');
    }
    this.forget(reader);
  }

  private scheduleRenewal(): void {
    const every = Math.max(200, Math.floor(this.ttlMs / 3));
    this.renewTimer = this.ctx.clock.setTimeout(() => {
      this.renewTimer = null;
      void this.renewAll().finally(() => {
        if (this.live || this.life.phase === 'stopping') this.scheduleRenewal();
      });
    }, every);
    this.renewTimer.unref?.();
  }

  /** Renews every owned lease at once; a refused renewal, or one failing past the expiry, stops the reader. */
  private async renewAll(): Promise<void> {
    await Promise.all([...this.readers.values()].map(async (reader) => {
      if (reader.state === 'lost' || reader.state === 'finished') return;
      try {
        const lease = await this.ctx.leases.renew(reader.partition, reader.lease, this.ttlMs);
        if (lease) reader.expiresAt = lease.expiresAt;
        else this.lose(reader, 'its renewal was refused (taken over)');
      } catch (err) {
        this.counters.leaseErrors++;
        if (this.ctx.clock.now() >= reader.expiresAt) this.lose(reader, 'it expired while the store could not be reached');
        else this.ctx.log.warn({ shardId: reader.shardId, err: toCloudbridgeError(err).message }, 'shard lease renewal failed; retrying');
      }
    }));
  }

  private scheduleCycle(): void {
    if (!this.live) return;
    if (this.cycleTimer) this.ctx.clock.clearTimeout(this.cycleTimer);
    const now = this.ctx.clock.now();
    const random = this.o.random ?? Math.random;
    let delay = Math.max(500, Math.floor(this.ttlMs / 3)) * (0.9 + random() * 0.2);
    // Right when another instance's lease expires (it died or froze): take over without waiting.
    for (const l of this.lastReadable) {
      if (l.owner !== null && l.owner !== this.owner && l.expiresAt > now) delay = Math.min(delay, l.expiresAt - now + 50);
    }
    this.cycleTimer = this.ctx.clock.setTimeout(() => {
      this.cycleTimer = null;
      void this.runCycle();
    }, Math.max(50, delay));
    this.cycleTimer.unref?.();
  }

  private scheduleSync(): void {
    this.syncTimer = this.ctx.clock.setTimeout(() => {
      this.syncTimer = null;
      if (!this.live) return;
      void this.coordinate(() => this.sync()).finally(() => this.scheduleSync());
    }, this.cfg.shardSyncIntervalSeconds * 1000);
    this.syncTimer.unref?.();
  }
}
