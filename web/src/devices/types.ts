/** What the devices API answers (src/api/routes/devices.ts, device-stream.ts). */

export interface Device {
  id: string;
  name: string;
  type: string;
  label: string | null;
  createdByIntegrationId: string | null;
  createdAt: number;
  telemetryKeys?: string[];
}

export interface DevicePage {
  items: Device[];
  total: number;
}

export interface Point {
  ts: number;
  value: unknown;
}

export type Latest = Record<string, Point>;
export type Series = Record<string, Point[]>;

export type Scope = 'client' | 'shared' | 'server';

export interface Attribute {
  key: string;
  scope: Scope;
  value: unknown;
  updatedAt: number;
}

export interface Downlink {
  id: string;
  integrationId: string;
  msgType: string;
  msg: unknown;
  status: string;
  error: string | null;
  attempts: number;
  outcome: string | null;
  outcomeDetail: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A value as the pages show it: strings as they are, everything else as JSON. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
