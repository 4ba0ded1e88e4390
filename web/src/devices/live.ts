/**
 * One device's live data from GET /stream/devices/{name} (server-sent events). Only these values
 * change on a live update: components holding user input (the downlink form) keep their own state.
 */
import { useEffect, useState } from 'react';
import { openTicketStream } from '../ticket-stream.ts';
import type { Attribute, Downlink, Latest } from './types.ts';

export interface DeviceLive {
  latest: Latest | null;
  attributes: Attribute[] | null;
  downlinks: Downlink[] | null;
  connected: boolean;
}

const EMPTY: DeviceLive = { latest: null, attributes: null, downlinks: null, connected: false };

export function useDeviceLive(deviceName: string): DeviceLive {
  const [live, setLive] = useState<DeviceLive>(EMPTY);
  useEffect(() => {
    setLive(EMPTY);
    const set = (name: 'latest' | 'attributes' | 'downlinks') => (data: unknown): void => setLive((prev) => ({ ...prev, [name]: data, connected: true }));
    return openTicketStream(`/stream/devices/${encodeURIComponent(deviceName)}`,
      { latest: set('latest'), attributes: set('attributes'), downlinks: set('downlinks') },
      () => setLive((prev) => ({ ...prev, connected: false })));
  }, [deviceName]);
  return live;
}
