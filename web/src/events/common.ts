/** What the events and dead-letters pages share: integration names, time inputs. */
import { useEffect, useState } from 'react';
import { get } from '../api.ts';

export interface IntegrationName {
  id: string;
  name: string;
}

/** The integrations (id and name), for the filter and for naming each entry's integration. */
export function useIntegrations(): IntegrationName[] {
  const [list, setList] = useState<IntegrationName[]>([]);
  useEffect(() => {
    get<IntegrationName[]>('/integrations').then((views) => setList(views.map((v) => ({ id: v.id, name: v.name }))), () => setList([]));
  }, []);
  return list;
}

/** A `datetime-local` input's value as ms since the epoch (local time), or undefined when empty. */
export function msOfLocal(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Query parameters of the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function timeOf(ms: number): string {
  return new Date(ms).toLocaleString();
}
