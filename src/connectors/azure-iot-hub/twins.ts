/**
 * Device twins: desired properties patched from ATTRIBUTES_UPDATED downlinks (If-Match with the
 * twin's etag, read just before; one retry when the twin changed in between), and reported
 * properties stored as the device's client attributes: one device on demand (the `readTwin`
 * action), every twin periodically (`twinSyncIntervalSeconds`, one registry query paged by 100)
 * storing those whose reported properties changed since the last read. Delivered as uplinks
 * carrying their own records (`UplinkMessage.records`: no converter runs), keyed by the reported
 * properties' version and update time, so a twin read twice is stored once (ADR 015).
 */
import type { ConnectorContext } from '../../core/connector.ts';
import { toCloudbridgeError, type CloudbridgeError } from '../../core/errors.ts';
import type { KvValue, UplinkMessage } from '../../core/model.ts';
import type { IotHubApi, TwinDocument } from './iot-hub-api.ts';
import { translateIotHubError, type IotHubOperation } from './iot-hub-errors.ts';

const PAGE_SIZE = 100;

export interface TwinDeps {
  api: () => IotHubApi;
  ctx: ConnectorContext;
  host: string;
  keyName: string | undefined;
  signal: AbortSignal;
}

export interface TwinStatus { reads: number; stored: number; syncs: number; lastSyncAt: number | null; lastSyncError: string | null; patches: number }

export class TwinSync {
  readonly counts: TwinStatus = { reads: 0, stored: 0, syncs: 0, lastSyncAt: null, lastSyncError: null, patches: 0 };
  private readonly d: TwinDeps;
  /** deviceId → the version key of the reported properties last stored. */
  private readonly seen = new Map<string, string>();

  constructor(d: TwinDeps) {
    this.d = d;
  }

  private translate(err: unknown, operation: IotHubOperation, deviceId?: string): CloudbridgeError {
    return translateIotHubError(err, { host: this.d.host, keyName: this.d.keyName, operation, deviceId });
  }

  /** ATTRIBUTES_UPDATED → desired properties. */
  async patchDesired(deviceId: string, patch: Record<string, unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const twin = await this.d.api().getTwin(deviceId);
        await this.d.api().updateDesired(deviceId, patch, twin.etag);
        this.counts.patches++;
        return;
      } catch (err) {
        const e = this.translate(err, 'twin-write', deviceId);
        if (attempt === 0 && err instanceof Error && err.name === 'InvalidEtagError') continue;
        throw e;
      }
    }
  }

  /** Reads one twin and stores its reported properties; resolves once they are stored. */
  async readOne(deviceId: string): Promise<{ deviceId: string; reportedVersion: number; reported: Record<string, unknown>; stored: boolean }> {
    let twin: TwinDocument;
    try {
      twin = await this.d.api().getTwin(deviceId);
    } catch (err) {
      throw this.translate(err, 'twin-read', deviceId);
    }
    this.counts.reads++;
    const report = await this.d.ctx.deliver([this.uplink(twin)], this.d.signal);
    this.seen.set(twin.deviceId, versionKey(twin));
    this.counts.stored += report.stored;
    return { deviceId: twin.deviceId, reportedVersion: twin.reportedVersion, reported: twin.reported, stored: report.stored > 0 };
  }

  /** Reads every twin; stores the reported properties that changed. */
  async syncAll(): Promise<void> {
    let continuation: string | undefined;
    try {
      do {
        const page = await this.d.api().queryTwins(continuation, PAGE_SIZE);
        const changed = page.twins.filter((t) => Object.keys(t.reported).length > 0 && this.seen.get(t.deviceId) !== versionKey(t));
        this.counts.reads += page.twins.length;
        if (changed.length > 0) {
          const report = await this.d.ctx.deliver(changed.map((t) => this.uplink(t)), this.d.signal);
          for (const t of changed) this.seen.set(t.deviceId, versionKey(t));
          this.counts.stored += report.stored;
        }
        continuation = page.continuation;
      } while (continuation !== undefined && !this.d.signal.aborted);
      this.counts.syncs++;
      this.counts.lastSyncAt = this.d.ctx.clock.now();
      this.counts.lastSyncError = null;
    } catch (err) {
      const e = toCloudbridgeError(this.translate(err, 'twin-read'));
      this.counts.lastSyncError = `${e.code}: ${e.message}`;
      this.d.ctx.log.warn({ code: e.code, err: e.message }, 'device twin sync failed; tried again at the next interval');
    }
  }

  /** The twin's reported properties as client attributes of the device named like its device id. */
  private uplink(t: TwinDocument): UplinkMessage {
    const attributes = Object.entries(t.reported)
      .map(([key, v]) => ({ key, value: twinValue(v) }))
      .filter((a): a is { key: string; value: KvValue } => a.value !== null);
    const updated = t.reportedUpdated === undefined ? NaN : Date.parse(t.reportedUpdated);
    return {
      payload: Buffer.from(JSON.stringify({ deviceId: t.deviceId, reported: t.reported }), 'utf8'),
      metadata: { deviceId: t.deviceId, deviceName: t.deviceId, twinReportedVersion: String(t.reportedVersion) },
      sourceKey: `twin/${t.deviceId}/${versionKey(t)}`,
      receivedAt: this.d.ctx.clock.now(),
      ...(Number.isFinite(updated) ? { sourceTimestamp: updated } : {}),
      contentType: 'JSON',
      records: [{ kind: 'DEVICE', name: t.deviceId, type: 'default', attributes, telemetry: [] }],
    };
  }
}

/** A twin's JSON value as it is typed (no ThingsBoard numeric-string casting: "9.9" stays a string); null is skipped. */
function twinValue(v: unknown): KvValue | null {
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return !Number.isFinite(v) ? null : Number.isSafeInteger(v) ? { type: 'long', value: v } : { type: 'double', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  return v === null || v === undefined ? null : { type: 'json', value: v };
}

function versionKey(t: TwinDocument): string {
  return `${t.reportedVersion}@${t.reportedUpdated ?? ''}`;
}
