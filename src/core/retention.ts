/**
 * Retention settings: how long each kind of stored row is kept, as the config file and the
 * integrations API write it (`90d`, `12h`, `30m`, `45s`, `2w`; `0` or `forever` keeps).
 */
import { Type, type Static } from '@sinclair/typebox';

export type RetentionKind = 'telemetry' | 'events' | 'deadLetters' | 'downlinks';
export const RETENTION_KINDS: readonly RetentionKind[] = ['telemetry', 'events', 'deadLetters', 'downlinks'];

const DURATION = '^\\s*(forever|0|[1-9]\\d*\\s*(s|m|h|d|w))\\s*$';
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

const duration = (what: string, fallback: string) => Type.Optional(Type.Union([Type.Literal(0), Type.String({ pattern: DURATION })], {
  expected: 'expected a duration such as 90d, 12h, 30m, 45s or 2w (a whole number and s, m, h, d or w), or 0 or forever to keep',
  description: `How long ${what} are kept: a duration such as 90d, 12h, 30m, 45s or 2w; 0 or forever keeps them. Default ${fallback}.`,
}));

export const RETENTION_DEFAULTS: Readonly<Record<RetentionKind, string>> = { telemetry: 'forever', events: '7d', deadLetters: '30d', downlinks: '30d' };

/** Per kind of row; a kind left out keeps the global setting (or its default). */
export const RetentionSpec = Type.Object({
  telemetry: duration('telemetry points (time series; the latest value of each key stays)', RETENTION_DEFAULTS.telemetry),
  events: duration('debug, lifecycle, warning and error events', RETENTION_DEFAULTS.events),
  deadLetters: duration('replayed and discarded dead letters (pending ones stay until replayed or discarded)', RETENTION_DEFAULTS.deadLetters),
  downlinks: duration('sent and failed downlinks (queued ones stay until sent)', RETENTION_DEFAULTS.downlinks),
}, { additionalProperties: false });

export type RetentionSettings = Static<typeof RetentionSpec>;

/** A validated duration in ms; null keeps forever. */
export function retentionMs(value: string | 0): number | null {
  const text = String(value).trim();
  if (text === '0' || text === 'forever') return null;
  const match = /^(\d+)\s*([smhdw])$/.exec(text);
  if (!match) throw new Error(`not a retention duration: ${text}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
}
