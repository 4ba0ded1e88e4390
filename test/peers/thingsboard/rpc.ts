/**
 * Server-side RPC as ThingsBoard's device actor does it for a gateway's sub-device: request ids
 * count up per device from 0 (`rpcSeq++`; 0 is a valid id), the request
 * `{device, data: {id, method, params}}` goes to every gateway session where the device is
 * registered, or waits for the device to be registered (until the timeout), and the reply
 * `{device, id, data}` on `v1/gateway/rpc` resolves it.
 */
import type { RpcReply } from './types.ts';

export interface RpcRequest {
  device: string;
  id: number;
  method: string;
  params: unknown;
}

interface Pending {
  request: RpcRequest;
  delivered: boolean;
  resolve: (reply: RpcReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class RpcBroker {
  private readonly seq = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();

  /** Sends the request through `deliver` (false: no session has the device yet, sent on registration). */
  request(device: string, method: string, params: unknown, timeoutMs: number, deliver: (req: RpcRequest) => boolean): Promise<RpcReply> {
    const id = this.seq.get(device) ?? 0;
    this.seq.set(device, id + 1);
    const request: RpcRequest = { device, id, method, params };
    const key = `${device}\u0000${id}`;
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new Error(`ThingsBoard double: RPC ${id} "${method}" to "${device}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const entry: Pending = { request, delivered: false, resolve, reject, timer };
      this.pending.set(key, entry);
      entry.delivered = deliver(request);
    });
  }

  /** Requests not yet delivered to the device, now that a session registered it. */
  undelivered(device: string): RpcRequest[] {
    const found: RpcRequest[] = [];
    for (const entry of this.pending.values()) {
      if (entry.request.device !== device || entry.delivered) continue;
      entry.delivered = true;
      found.push(entry.request);
    }
    return found;
  }

  /** Resolves the pending request this reply answers; false when none waits (late or unknown id). */
  resolve(reply: RpcReply): boolean {
    const key = `${reply.device}\u0000${reply.id}`;
    const entry = this.pending.get(key);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    entry.resolve(reply);
    return true;
  }

  rejectAll(reason: string): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error(reason));
    }
    this.pending.clear();
  }
}
