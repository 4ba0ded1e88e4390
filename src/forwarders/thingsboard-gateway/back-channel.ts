/**
 * What ThingsBoard pushes to the gateway (reference §6.3) → downlinks through the integration
 * that owns the device: a server-side RPC (`v1/gateway/rpc`) → `RPC_CALL_FROM_SERVER_TO_DEVICE`
 * with `{id, method, params}` and metadata rpcId / rpcMethod / forwarder (its outcome comes back
 * as an `rpc-reply` outbox row when the downlink settles: see ForwarderManager); a shared-attribute
 * update (`v1/gateway/attributes`) → `ATTRIBUTES_UPDATED` with the data (deletions as
 * `{deleted: [...]}`); an attribute response (`v1/gateway/attributes/response`) →
 * `ATTRIBUTES_RESPONSE` with `{id, value}` or `{id, values}`. A rate-limit notice
 * (`v1/gateway/disconnect` `{device, reason}`, MQTT 5, sent before the refused PUBACK) is noted, so
 * that the refusal is retried rather than dead-lettered.
 */
import { toCloudbridgeError } from '../../core/errors.ts';
import type { ForwarderContext, ForwarderCounters } from '../../core/forwarder.ts';

export const RPC_MSG_TYPE = 'RPC_CALL_FROM_SERVER_TO_DEVICE';
export const ATTRIBUTES_UPDATED = 'ATTRIBUTES_UPDATED';
export const ATTRIBUTES_RESPONSE = 'ATTRIBUTES_RESPONSE';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class BackChannel {
  private readonly ctx: ForwarderContext;
  private readonly counters: ForwarderCounters;
  private readonly onReply: () => void;
  /** Devices ThingsBoard said it rate-limits (`v1/gateway/disconnect` notices, MQTT 5), and when. */
  private readonly limitedAt = new Map<string, number>();

  constructor(ctx: ForwarderContext, counters: ForwarderCounters, onReply: () => void) {
    this.ctx = ctx;
    this.counters = counters;
    this.onReply = onReply;
  }

  /** Handles one pushed message; never rejects (a bad message is logged and dropped). */
  async handle(topic: string, payload: Buffer): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.ctx.log.warn({ topic }, 'ThingsBoard sent a message that is not JSON; ignored');
      return;
    }
    if (!isObject(body) || typeof body.device !== 'string') {
      this.ctx.log.warn({ topic }, 'ThingsBoard sent a message without "device"; ignored');
      return;
    }
    const device = body.device;
    if (topic === 'v1/gateway/disconnect') this.limitedAt.set(device, this.ctx.clock.now());
    else if (topic === 'v1/gateway/rpc') await this.rpc(device, body.data);
    else if (topic === 'v1/gateway/attributes') await this.attributes(device, body.data);
    else if (topic === 'v1/gateway/attributes/response') await this.response(device, body);
  }

  /**
   * True when ThingsBoard announced a rate limit for the device within `withinMs`: its 0x97 refusal
   * then means "slow down", not "device limit reached".
   */
  rateLimited(device: string, withinMs = 10_000): boolean {
    const at = this.limitedAt.get(device);
    return at !== undefined && this.ctx.clock.now() - at <= withinMs;
  }

  private async rpc(device: string, data: unknown): Promise<void> {
    if (!isObject(data) || typeof data.id !== 'number') {
      this.ctx.log.warn({ device }, 'ThingsBoard sent an RPC without a numeric data.id; ignored');
      return;
    }
    this.counters.rpcReceived++;
    const method = typeof data.method === 'string' ? data.method : '';
    const msg = { id: data.id, method, params: data.params ?? {} };
    try {
      await this.ctx.downlink(device, {
        msgType: RPC_MSG_TYPE, msg, metadata: { rpcId: String(data.id), rpcMethod: method, forwarder: this.ctx.name },
      });
    } catch (err) {
      const e = toCloudbridgeError(err, 'DOWNLINK_FAILED');
      this.ctx.log.warn({ device, rpcId: data.id, code: e.code, err: e.message }, 'RPC could not be queued as a downlink; replying with the error');
      await this.ctx.appendReply(device, data.id, { success: false, error: `${e.code}: ${e.message}` });
      this.onReply();
    }
  }

  private async attributes(device: string, data: unknown): Promise<void> {
    if (!isObject(data)) return;
    this.counters.attributeUpdates++;
    await this.queue(device, ATTRIBUTES_UPDATED, data, {});
  }

  private async response(device: string, body: Json): Promise<void> {
    const msg: Json = { id: body.id };
    if ('value' in body) msg.value = body.value;
    if ('values' in body) msg.values = body.values;
    await this.queue(device, ATTRIBUTES_RESPONSE, msg, { requestId: String(body.id) });
  }

  private async queue(device: string, msgType: string, msg: unknown, metadata: Record<string, string>): Promise<void> {
    try {
      await this.ctx.downlink(device, { msgType, msg, metadata: { ...metadata, forwarder: this.ctx.name } });
    } catch (err) {
      const e = toCloudbridgeError(err, 'DOWNLINK_FAILED');
      this.ctx.log.warn({ device, msgType, code: e.code, err: e.message }, 'ThingsBoard push could not be queued as a downlink');
    }
  }
}
