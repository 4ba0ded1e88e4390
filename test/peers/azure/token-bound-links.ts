/**
 * As Azure does, a link lives only as long as a token covers it: when the last token granting its
 * claim expires (the client did not put a new one on `$cbs` in time), the link is detached with
 * `amqp:unauthorized-access`. The SDKs put SAS tokens valid for 60 min and renew them every 45.
 * One per namespace: `bind` on attach, `unbind` on detach, a sweep every 250 ms while started.
 */
import { isAuthorized } from './auth.ts';
import { CONDITIONS, amqpError } from './conditions.ts';
import type { ConnectionState } from './connection-state.ts';
import type { Link } from './rhea-access.ts';
import type { SasRight } from './sas.ts';

interface Binding { conn: ConnectionState; path: string; right: SasRight }

export class TokenBoundLinks {
  private readonly bound = new Map<Link, Binding>();
  private timer: NodeJS.Timeout | undefined;

  private readonly trace: (line: string) => void;
  private readonly onDetached: (link: Link) => void;

  constructor(trace: (line: string) => void, onDetached: (link: Link) => void) {
    this.trace = trace;
    this.onDetached = onDetached;
  }

  start(): void {
    this.timer = setInterval(() => this.detachExpired(), 250);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  bind(link: Link, binding: Binding): void {
    this.bound.set(link, binding);
  }

  unbind(link: Link): void {
    this.bound.delete(link);
  }

  private detachExpired(): void {
    const now = Date.now();
    for (const [link, b] of this.bound) {
      if (isAuthorized(b.conn.grants, b.path, b.right, now)) continue;
      this.bound.delete(link);
      this.trace(`${b.conn.id} token for '${b.path}' expired: detaching '${link.name}'`);
      if (link.is_open()) link.close(amqpError(CONDITIONS.unauthorized, `Unauthorized access. '${b.right}' claim(s) are required to perform this operation. Resource: '${b.path}'. The token has expired; put a new token on $cbs before the old one expires.`));
      this.onDetached(link);
    }
  }
}
