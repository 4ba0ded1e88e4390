/**
 * Several connections per MQTT integration: the plan of `connections` and `sharedGroup`, shared by
 * every MQTT-based connector.
 *
 * With more than one connection (or a `sharedGroup` set) every connection subscribes to each
 * topic filter as the broker shared subscription `$share/<group>/<filter>`, so the broker hands
 * each message to one member of the group and every connection keeps its own in-flight window.
 * Connection 1 keeps the configured client id (and so the persistent session a single connection
 * had); connection i > 1 uses `<clientId>-<i>`. The default group is the client id, so a new
 * client id (fresh sessions) also means a new group. `maxInFlight` is the integration's total,
 * split over the connections.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { TopicFilter } from './mqtt-connection.ts';

export const MQTT_CONNECTIONS = { default: 1, max: 16 } as const;

const SHARE_PREFIX = '$share/';
/** What a shared subscription group name cannot hold (it is one topic level). */
const NOT_IN_GROUP = new Set(['/', '+', '#', '\u0000']);

/** Why `group` cannot name a shared subscription group, or null. */
export function sharedGroupProblem(group: string): string | null {
  if (group.length === 0) return 'it is empty';
  if ([...group].some((ch) => NOT_IN_GROUP.has(ch))) return 'a shared subscription group name must not contain "/", "+", "#" or NUL';
  return null;
}

/** The default group: the client id, with the characters a group name cannot hold replaced by "_". */
export function defaultSharedGroup(clientId: string): string {
  return [...clientId].map((ch) => (NOT_IN_GROUP.has(ch) ? '_' : ch)).join('');
}

/** The group the connections subscribe in, or null for plain subscriptions (one connection, no sharedGroup). */
export function sharingGroup(c: { connections: number; sharedGroup?: string | undefined }, clientId: string): string | null {
  if (c.sharedGroup !== undefined) return c.sharedGroup;
  return c.connections > 1 ? defaultSharedGroup(clientId) : null;
}

/** The filters each connection subscribes to: `$share/<group>/<filter>` when shared. */
export function subscriptionFilters(filters: TopicFilter[], group: string | null): TopicFilter[] {
  return group === null ? filters : filters.map((f) => ({ ...f, filter: `${SHARE_PREFIX}${group}/${f.filter}` }));
}

/** Client id of connection `n` (1-based): the configured one for the first, `<clientId>-<n>` for the others. */
export function connectionClientId(clientId: string, n: number): string {
  return n === 1 ? clientId : `${clientId}-${n}`;
}

/** `maxInFlight` split over the connections (the first ones take the remainder); each gets at least 1. */
export function splitInFlight(maxInFlight: number, connections: number): number[] {
  const base = Math.floor(maxInFlight / connections);
  const extra = maxInFlight % connections;
  return Array.from({ length: connections }, (_, i) => Math.max(1, base + (i < extra ? 1 : 0)));
}

/**
 * CONFIG_INVALID, naming the field and the fix, for a combination that cannot work: a group name
 * with "/", "+" or "#", a filter that already is a shared subscription while Cloudbridge makes its
 * own, fewer in-flight messages than connections.
 */
export function checkSharing(c: { connections: number; sharedGroup?: string | undefined; maxInFlight: number; topicFilters: TopicFilter[] }): void {
  if (c.sharedGroup !== undefined) {
    const problem = sharedGroupProblem(c.sharedGroup);
    if (problem) {
      throw new CloudbridgeError('CONFIG_INVALID', `sharedGroup "${c.sharedGroup}" is invalid: ${problem}; use e.g. "${defaultSharedGroup(c.sharedGroup) || 'cloudbridge'}"`, { field: 'sharedGroup' });
    }
  }
  const shared = c.connections > 1 || c.sharedGroup !== undefined;
  if (!shared) return;
  const why = c.connections > 1 ? `connections is ${c.connections}` : 'sharedGroup is set';
  c.topicFilters.forEach((f, i) => {
    if (!f.filter.startsWith(SHARE_PREFIX)) return;
    const [, group = '', ...rest] = f.filter.split('/');
    throw new CloudbridgeError('CONFIG_INVALID',
      `topicFilters[${i}].filter "${f.filter}" is already a shared subscription, but ${why}, so Cloudbridge subscribes as $share/<sharedGroup>/<filter> itself: write the plain filter "${rest.join('/')}" and set sharedGroup to "${group}" to keep that group`,
      { field: `topicFilters[${i}].filter` });
  });
  if (c.maxInFlight < c.connections) {
    throw new CloudbridgeError('CONFIG_INVALID',
      `maxInFlight (${c.maxInFlight}) is below connections (${c.connections}): it is the total over all connections and each needs at least one message in flight; raise maxInFlight to ${c.connections} or more`,
      { field: 'maxInFlight' });
  }
}
