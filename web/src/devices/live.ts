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
    const listeners = { latest: set('latest'), attributes: set('attributes'), downlinks: set('downlinks') };
    return openTicketStream({
      url: (ticket) => `/api/v1/stream/devices/${encodeURIComponent(deviceName)}?ticket=${encodeURIComponent(ticket)}`,
      listen: (source) => {
        for (const [event, listener] of Object.entries(listeners)) {
          source.addEventListener(event, (e) => listener(JSON.parse((e as MessageEvent<string>).data)));
        }
      },
      connected: (on) => setLive((prev) => ({ ...prev, connected: on })),
    });
  }, [deviceName]);
  return live;
}
