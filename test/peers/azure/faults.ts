/** Injected faults of one namespace: refused attaches and server-busy rejections. */
import type { AmqpErrorInfo } from './conditions.ts';
import { CONDITIONS, amqpError } from './conditions.ts';

export interface AttachRefusal {
  /** Entity address to match (case-insensitive exact match, or a RegExp); any address when omitted. */
  address?: string | RegExp;
  /** `receive`: links the client receives on; `send`: links the client sends on; both when omitted. */
  role?: 'send' | 'receive';
  /** Default `com.microsoft:server-busy`. */
  condition?: string;
  description?: string;
  /** How many attaches to refuse; default 1. */
  times?: number;
}

interface PendingRefusal { rule: AttachRefusal; left: number }

export class FaultPlan {
  private readonly refusals: PendingRefusal[] = [];
  private busyLeft = 0;

  refuseAttach(rule: AttachRefusal): void {
    this.refusals.push({ rule, left: rule.times ?? 1 });
  }

  /** Rejects the next `times` incoming messages with `com.microsoft:server-busy`. */
  serverBusy(times: number): void {
    this.busyLeft += times;
  }

  takeRefusal(address: string, role: 'send' | 'receive'): AmqpErrorInfo | undefined {
    const idx = this.refusals.findIndex(({ rule }) => (rule.role === undefined || rule.role === role) && matches(rule.address, address));
    const pending = this.refusals[idx];
    if (pending === undefined) return undefined;
    pending.left--;
    if (pending.left <= 0) this.refusals.splice(idx, 1);
    return amqpError(pending.rule.condition ?? CONDITIONS.serverBusy, pending.rule.description ?? `Attach to '${address}' refused by an injected fault.`);
  }

  takeBusy(): AmqpErrorInfo | undefined {
    if (this.busyLeft <= 0) return undefined;
    this.busyLeft--;
    return amqpError(CONDITIONS.serverBusy, 'The server is busy (injected fault). Please retry the operation.');
  }

  clear(): void {
    this.refusals.length = 0;
    this.busyLeft = 0;
  }
}

function matches(pattern: string | RegExp | undefined, address: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === 'string') return pattern.toLowerCase() === address.toLowerCase();
  return pattern.test(address);
}
