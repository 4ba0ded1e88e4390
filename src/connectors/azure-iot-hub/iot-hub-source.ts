/**
 * The `azure-iot-hub` connector: device-to-cloud messages from the hub's built-in endpoint, read
 * with `azure-event-hubs`' EventHubSource (leases, checkpoints committed with the data, IoT Hub
 * system properties and `deviceId` in the metadata); cloud-to-device downlinks with `ack: full`,
 * whose feedback becomes each downlink's final outcome; device twins (desired properties from
 * ATTRIBUTES_UPDATED downlinks, reported properties stored as client attributes).
 *
 * start(): the service client opens (ServiceConnect), the built-in endpoint is asked from the hub
 * (unless given), device-to-cloud reading starts, then the feedback receiver and the twin sync.
 * stop(): the twin sync ends, reading stops (its deliveries commit within drainMs), the client closes.
 */
import type { Connector, ConnectorContext, ConnectorStatusDetails } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { TimerHandle } from '../../core/clock.ts';
import { EventHubSource, type EventHubsApiFactory } from '../azure-event-hubs/index.ts';
import { parseAzureConnectionString } from '../azure-common/index.ts';
import type { ResolvedIotHubConfig } from './config-spec.ts';
import { buildC2dRequest, desiredPatch, isTwinPatch, targetDevice } from './downlink.ts';
import { recordFeedback, type FeedbackCounts } from './feedback.ts';
import type { BuiltInEndpoint, FeedbackRecord, IotHubApi, IotHubApiFactory } from './iot-hub-api.ts';
import { translateIotHubError, type IotHubOperation } from './iot-hub-errors.ts';
import { TwinSync } from './twins.ts';

/** How long a feedback batch is retried in memory when the store cannot record it (the hub has already been told it was received). */
const FEEDBACK_RETRY_MS = 1000;
const FEEDBACK_ATTEMPTS = 60;

export interface IotHubSourceOptions {
  config: ResolvedIotHubConfig;
  createApi: IotHubApiFactory;
  createEventHubsApi: EventHubsApiFactory;
  /** Lease owner id of the device-to-cloud reader (tests running two instances in one process). */
  owner?: string | undefined;
}

export class IotHubSource implements Connector {
  readonly actions: NonNullable<Connector['actions']>;
  private readonly o: IotHubSourceOptions;
  private readonly c: ResolvedIotHubConfig;
  private readonly ctx: ConnectorContext;
  private readonly abort = new AbortController();
  private api: IotHubApi | null = null;
  private d2c: EventHubSource | null = null;
  private endpoint: BuiltInEndpoint | null = null;
  private syncTimer: TimerHandle | null = null;
  private syncing: Promise<void> | null = null;
  private readonly twins: TwinSync;
  private readonly feedback: FeedbackCounts = { records: 0, recorded: 0, unknown: 0, repeats: 0 };
  private readonly c2d = { sent: 0, failed: 0, twinPatches: 0 };
  private feedbackLost = 0;

  constructor(o: IotHubSourceOptions, ctx: ConnectorContext) {
    this.o = o;
    this.c = o.config;
    this.ctx = ctx;
    this.twins = new TwinSync({ api: () => this.requireApi(), ctx, host: this.c.host, keyName: this.c.keyName, signal: this.abort.signal });
    this.actions = {
      readTwin: {
        description: 'Reads a device twin now and stores its reported properties as client attributes of the device. Input: {"deviceId": "<IoT Hub device id>"} (or "deviceName"). Result: the device id, the reported properties and their $version, and whether they were stored (false when they were stored before).',
        run: (input) => this.twins.readOne(deviceIdOf(input)),
      },
      syncTwins: {
        description: 'Reads every device twin now (as twinSyncIntervalSeconds does) and stores the reported properties that changed. Result: the sync counters.',
        run: async () => {
          await this.syncTwins();
          return { ...this.twins.counts };
        },
      },
    };
  }

  private requireApi(): IotHubApi {
    if (this.api === null) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', 'the IoT Hub connector is not running');
    return this.api;
  }

  private translate(err: unknown, operation: IotHubOperation, deviceId?: string): CloudbridgeError {
    return translateIotHubError(err, { host: this.c.host, keyName: this.c.keyName, operation, deviceId });
  }

  async start(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      await this.d2c?.stop({ drainMs: 0 }).catch(() => undefined);
      await this.api?.close().catch(() => undefined);
      this.api = null;
      throw err;
    }
  }

  private async open(): Promise<void> {
    this.ctx.reportState('connecting');
    const api = await this.o.createApi();
    this.api = api;
    try {
      await api.open();
    } catch (err) {
      throw this.translate(err, 'open');
    }
    this.endpoint = this.c.endpointGiven ? givenEndpoint(this.c) : await this.findEndpoint(api);
    this.d2c = new EventHubSource({
      endpoint: { ...this.c.endpoint, connectionString: this.endpoint.connectionString, eventHubName: this.endpoint.eventHubName },
      createApi: this.o.createEventHubsApi, service: 'IoT Hub', host: this.endpoint.host, keyName: this.c.keyName, owner: this.o.owner,
    }, this.ctx);
    await this.d2c.start();
    try {
      await api.onFeedback((records) => this.onFeedback(records), (err) => this.onFeedbackError(err));
    } catch (err) {
      throw this.translate(err, 'feedback');
    }
    this.scheduleSync();
  }

  private async findEndpoint(api: IotHubApi): Promise<BuiltInEndpoint> {
    try {
      return await api.findBuiltInEndpoint(AbortSignal.any([this.abort.signal, AbortSignal.timeout(60_000)]));
    } catch (err) {
      throw this.translate(err, 'redirect');
    }
  }

  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    this.abort.abort(new CloudbridgeError('SHUTTING_DOWN', 'the integration is stopping'));
    if (this.syncTimer !== null) this.ctx.clock.clearTimeout(this.syncTimer);
    this.syncTimer = null;
    await this.syncing;
    await this.d2c?.stop(opts);
    await this.api?.close().catch((err: unknown) => this.ctx.log.warn({ err: toCloudbridgeError(err).message }, 'closing the IoT Hub client failed'));
    this.api = null;
  }

  status(): ConnectorStatusDetails {
    return {
      ...(this.d2c?.status() ?? {}),
      iotHub: this.c.host,
      builtInEndpoint: this.endpoint?.host ?? null,
      cloudToDevice: { ...this.c2d },
      feedback: { ...this.feedback, lost: this.feedbackLost },
      twins: { ...this.twins.counts, intervalSeconds: this.c.twinSyncIntervalSeconds ?? null },
    };
  }

  async sendDownlink(msg: EncodedDownlink): Promise<void> {
    const api = this.requireApi();
    if (isTwinPatch(msg)) {
      await this.twins.patchDesired(targetDevice(msg), desiredPatch(msg));
      this.c2d.twinPatches++;
      return;
    }
    const req = buildC2dRequest(msg, this.c.expirySeconds, this.ctx.clock.now());
    try {
      await api.send(req);
      this.c2d.sent++;
    } catch (err) {
      this.c2d.failed++;
      throw this.translate(err, 'c2d', req.deviceId);
    }
  }

  /** azure-iothub has accepted the feedback message already: keep trying to record it while running. */
  private async onFeedback(records: FeedbackRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await recordFeedback(this.ctx, records, this.feedback);
        return;
      } catch (err) {
        if (attempt >= FEEDBACK_ATTEMPTS || this.abort.signal.aborted) {
          this.feedbackLost += records.length;
          this.ctx.log.error({ err: toCloudbridgeError(err).message, records: records.length }, 'cloud-to-device feedback could not be recorded; those downlinks keep status sent');
          return;
        }
        await new Promise<void>((resolve) => this.ctx.clock.setTimeout(resolve, FEEDBACK_RETRY_MS));
      }
    }
  }

  private onFeedbackError(err: unknown): void {
    const e = this.translate(err, 'feedback');
    this.ctx.log.warn({ code: e.code, err: e.message }, 'the IoT Hub feedback receiver reported an error');
  }

  private scheduleSync(): void {
    const seconds = this.c.twinSyncIntervalSeconds;
    if (seconds === undefined || this.abort.signal.aborted) return;
    this.syncTimer = this.ctx.clock.setTimeout(() => {
      void this.syncTwins().finally(() => this.scheduleSync());
    }, seconds * 1000);
    this.syncTimer.unref?.();
  }

  private async syncTwins(): Promise<void> {
    if (this.syncing === null) this.syncing = this.twins.syncAll().finally(() => { this.syncing = null; });
    await this.syncing;
  }
}

function deviceIdOf(input: Record<string, unknown>): string {
  const id = input['deviceId'] ?? input['deviceName'];
  if (typeof id !== 'string' || id === '') throw new CloudbridgeError('CONFIG_INVALID', 'readTwin needs {"deviceId": "<IoT Hub device id>"}', { field: 'deviceId' });
  return id;
}

function givenEndpoint(c: ResolvedIotHubConfig): BuiltInEndpoint {
  const cs = parseAzureConnectionString(c.endpoint.connectionString);
  return { connectionString: c.endpoint.connectionString, eventHubName: c.endpoint.eventHubName, host: cs.host };
}
