/** The forwarders, live, from GET /stream/forwarders (live-items.ts). */
import { useLiveItems } from '../live-items.ts';
import type { ForwarderView } from './types.ts';

export interface LiveForwarders {
  /** By name, in the order the server lists them; null until the first snapshot. */
  forwarders: Map<string, ForwarderView> | null;
  connected: boolean;
}

export function useLiveForwarders(): LiveForwarders {
  const { items, connected } = useLiveItems<ForwarderView>('forwarders', 'name');
  return { forwarders: items, connected };
}
