/**
 * The Watson IoT application topic space: event subscriptions
 * `iot-2/type/<type>/id/<id>/evt/<event>/fmt/<format>`, device status `iot-2/type/<type>/id/<id>/mon`,
 * commands `iot-2/type/<type>/id/<id>/cmd/<command>/fmt/<format>`, and the check every topic part
 * passes (one whole level, no wildcard).
 */
import type { TopicFilter } from '../mqtt/index.ts';
import type { EventSubscription } from './config-spec.ts';

/** Why `value` cannot be one level of a Watson topic, or null. `wildcard`: a lone "+" is allowed. */
export function topicPartProblem(value: string, wildcard: boolean): string | null {
  if (value.length === 0) return 'it is empty';
  if (wildcard && value === '+') return null;
  if (value.includes('/')) return 'it contains "/" (a part is one topic level)';
  if (value.includes('+') || value.includes('#')) return wildcard ? 'it contains "+" or "#": use "+" alone for any' : 'it contains a wildcard ("+" or "#")';
  if (value.includes('\u0000')) return 'it contains a NUL character';
  return null;
}

export function eventFilter(e: EventSubscription): string {
  return `iot-2/type/${e.deviceType}/id/${e.deviceId}/evt/${e.eventId}/fmt/${e.format}`;
}

export function statusFilter(deviceType: string, deviceId: string): string {
  return `iot-2/type/${deviceType}/id/${deviceId}/mon`;
}

export function commandTopic(deviceType: string, deviceId: string, commandId: string, format: string): string {
  return `iot-2/type/${deviceType}/id/${deviceId}/cmd/${commandId}/fmt/${format}`;
}

/**
 * The filters to subscribe to: one per event subscription, and with device status on one status
 * filter per distinct device type and id among them (a single `+/+` one when any is for all devices).
 */
export function subscriptionFilters(events: EventSubscription[], deviceStatus: boolean): TopicFilter[] {
  const filters: TopicFilter[] = events.map((e) => ({ filter: eventFilter(e), qos: e.qos }));
  if (!deviceStatus) return filters;
  const all = events.some((e) => e.deviceType === '+' && e.deviceId === '+');
  const pairs = all ? [['+', '+'] as const] : events.map((e) => [e.deviceType, e.deviceId] as const);
  const seen = new Set<string>();
  for (const [type, id] of pairs) {
    const filter = statusFilter(type, id);
    if (seen.has(filter)) continue;
    seen.add(filter);
    filters.push({ filter, qos: 1 });
  }
  return filters;
}

export type WatsonTopic =
  | { kind: 'event'; deviceType: string; deviceId: string; eventId: string; format: string }
  | { kind: 'status'; deviceType: string; deviceId: string };

/** Reads a received topic; null for a topic outside the application event and status space. */
export function parseTopic(topic: string): WatsonTopic | null {
  const p = topic.split('/');
  if (p[0] !== 'iot-2' || p[1] !== 'type' || p[3] !== 'id') return null;
  const deviceType = p[2] ?? '';
  const deviceId = p[4] ?? '';
  if (p.length === 6 && p[5] === 'mon') return { kind: 'status', deviceType, deviceId };
  if (p.length === 9 && p[5] === 'evt' && p[7] === 'fmt') return { kind: 'event', deviceType, deviceId, eventId: p[6] ?? '', format: p[8] ?? '' };
  return null;
}
