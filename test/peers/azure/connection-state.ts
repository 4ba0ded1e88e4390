/** What the double knows about one client connection. */
import type { Connection, Sender } from 'rhea';
import type { Grant } from './auth.ts';

export interface ConnectionState {
  id: string;
  rhea: Connection;
  grants: Grant[];
  /** Senders attached to request nodes, answering requests. */
  replyLinks: Sender[];
  /** Called when the connection goes away (links detach implicitly). */
  onGone: Set<() => void>;
  closed: boolean;
}
