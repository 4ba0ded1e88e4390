/**
 * Downlinks: a request is queued durably first, then encoded by the integration's downlink
 * converter and sent by its connector; the status (queued, sent, failed with the error) is
 * recorded. Queued downlinks of a stopped integration are sent when it runs again.
 */
import type { Clock } from '../core/clock.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Downlink, Store } from '../store/types.ts';
import type { IntegrationManager } from './integration-manager.ts';

export interface DownlinkRequestBody {
  msgType: string;
  msg: unknown;
  metadata?: Record<string, string>;
  /** Integration name or id; default: the integration that created the device. */
  integration?: string;
}

export class DownlinkService {
  private readonly store: Store;
  private readonly manager: IntegrationManager;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private readonly abort = new AbortController();
  private readonly onSettled: ((d: Downlink, outcome: { sent: boolean; error?: string }) => Promise<void>) | undefined;

  /** `onSettled`: told of every sent or failed downlink (a forwarder replies to the RPC it queued). */
  constructor(deps: { store: Store; manager: IntegrationManager; log: Logger; clock: Clock; onSettled?: (d: Downlink, outcome: { sent: boolean; error?: string }) => Promise<void> }) {
    this.onSettled = deps.onSettled;
    this.store = deps.store;
    this.manager = deps.manager;
    this.log = deps.log;
    this.clock = deps.clock;
  }

  async request(deviceName: string, body: DownlinkRequestBody): Promise<Downlink> {
    const device = await this.store.getEntity('DEVICE', deviceName);
    const ref = body.integration ?? device?.createdByIntegrationId;
    if (!ref) {
      throw new CloudbridgeError('NOT_FOUND', device
        ? `device "${deviceName}" was not created by an integration: name one with "integration"`
        : `device "${deviceName}" not found: name the integration to send through with "integration"`, { field: 'integration' });
    }
    const cfg = await this.store.getIntegration(ref);
    if (!cfg) throw new CloudbridgeError('NOT_FOUND', `integration "${ref}" not found`, { field: 'integration' });
    if (!cfg.downlinkConverterId) {
      throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', `integration "${cfg.name}" has no downlink converter; set downlinkConverter on it`);
    }
    const integrationId = cfg.id;
    const metadata: Record<string, string> = { deviceName, ...(device ? { deviceType: device.type } : {}), ...body.metadata };
    const queued = await this.store.enqueueDownlink({ integrationId, deviceName, msgType: body.msgType, msg: body.msg, metadata });
    this.kick(integrationId);
    return queued;
  }

  /** Sends what is queued for the integration (no-op when it is not running). */
  kick(integrationId: string): void {
    if (this.busy.has(integrationId)) {
      this.again.add(integrationId);
      return;
    }
    this.busy.add(integrationId);
    void this.drain(integrationId)
      .catch((err: unknown) => this.log.error({ err: toCloudbridgeError(err).message }, 'downlink dispatch failed'))
      .finally(() => {
        this.busy.delete(integrationId);
        if (this.again.delete(integrationId)) this.kick(integrationId);
      });
  }

  close(): void {
    this.abort.abort(new CloudbridgeError('SHUTTING_DOWN', 'service stopping'));
  }

  private async drain(integrationId: string): Promise<void> {
    for (;;) {
      const runtime = this.manager.get(integrationId);
      if (!runtime?.running || this.abort.signal.aborted) return;
      const queued = await this.store.listQueuedDownlinks(integrationId, 50);
      if (queued.length === 0) return;
      for (const d of queued) {
        try {
          const result = await runtime.sendDownlink({
            msg: d.msg, metadata: d.metadata, msgType: d.msgType, integrationMetadata: runtime.integrationMetadata(), downlinkId: d.id,
          }, this.abort.signal);
          await this.store.markDownlink(d.id, 'sent');
          await this.settled(d, { sent: true });
          await this.event(integrationId, d, 'OK', { payloads: result.sent, out: result.raw });
        } catch (err) {
          const error = toCloudbridgeError(err, 'DOWNLINK_FAILED');
          if (error.code === 'INTEGRATION_NOT_RUNNING' || error.code === 'SHUTTING_DOWN') return;
          await this.store.markDownlink(d.id, 'failed', `${error.code}: ${error.message}`);
          await this.settled(d, { sent: false, error: `${error.code}: ${error.message}` });
          await this.event(integrationId, d, 'ERROR', { errorCode: error.code, error: error.message });
          this.log.warn({ downlink: d.id, code: error.code, err: error.message }, 'downlink failed');
        }
      }
    }
  }

  private async settled(d: Downlink, outcome: { sent: boolean; error?: string }): Promise<void> {
    try {
      await this.onSettled?.(d, outcome);
    } catch (err) {
      this.log.error({ downlink: d.id, err: toCloudbridgeError(err).message }, 'recording the outcome of a forwarder\'s downlink failed');
    }
  }

  private async event(integrationId: string, d: Downlink, status: 'OK' | 'ERROR', extra: Record<string, unknown>): Promise<void> {
    await this.store.addEvents([{
      integrationId, type: 'DEBUG_DOWNLINK', ts: this.clock.now(),
      body: { status, downlinkId: d.id, deviceName: d.deviceName, msgType: d.msgType, in: d.msg, metadata: d.metadata, ...extra },
    }]);
  }
}
