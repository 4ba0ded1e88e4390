/**
 * One device's live data from GET /stream/devices/{name} (server-sent events, opened with a
 * single-use ticket; on a drop, a new ticket after 2 s). Only these values change on a live
 * update: components holding user input (the downlink form) keep their own state.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
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
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    setLive(EMPTY);
    const on = <K extends 'latest' | 'attributes' | 'downlinks'>(name: K): void => {
      source?.addEventListener(name, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as DeviceLive[K];
        setLive((prev) => ({ ...prev, [name]: data, connected: true }));
      });
    };
    const open = async (): Promise<void> => {
      try {
        const { ticket } = await api<{ ticket: string }>('POST', '/stream/tickets');
        if (stopped) return;
        source = new EventSource(`/api/v1/stream/devices/${encodeURIComponent(deviceName)}?ticket=${encodeURIComponent(ticket)}`);
      } catch {
        retry = setTimeout(() => void open(), 2000);
        return;
      }
      on('latest');
      on('attributes');
      on('downlinks');
      source.onerror = () => {
        source?.close();
        setLive((prev) => ({ ...prev, connected: false }));
        if (!stopped) retry = setTimeout(() => void open(), 2000);
      };
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [deviceName]);
  return live;
}
