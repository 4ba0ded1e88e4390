/** Live integration statuses from GET /stream/integrations (live-items.ts). */
import { useLiveItems } from '../live-items.ts';
import type { LiveStatus } from './types.ts';

export interface Live {
  statuses: Map<string, LiveStatus>;
  connected: boolean;
  /** Bumped when the stream names an integration the caller may not know (added or removed). */
  membership: number;
}

const NONE: Map<string, LiveStatus> = new Map();

export function useLiveStatuses(): Live {
  const { items, connected, membership } = useLiveItems<LiveStatus>('integrations', 'id');
  return { statuses: items ?? NONE, connected, membership };
}
