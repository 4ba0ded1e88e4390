/**
 * Cross-field rules of the `ibm-watson-iot` connector, run when the config is saved and again when
 * the integration starts: CONFIG_INVALID naming the field for what Watson IoT would refuse (an API
 * key not of the a-<orgId>-<suffix> form, a key of another organization, topic parts with "/" or
 * "#"...), warnings for what works but is likely a mistake.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { WATSON_DEFAULTS, resolveWatsonConfig, type ResolvedWatsonConfig, type WatsonIotConfig } from './config-spec.ts';
import { eventFilter, topicPartProblem } from './topics.ts';

export interface WatsonValidation {
  config: ResolvedWatsonConfig;
  warnings: string[];
}

const ORG_ID = /^[A-Za-z0-9]+$/;
const NOT_IN_APP_ID = /[:/+#\s]/;

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `${field}: ${message}`, { field });
}

/**
 * The organization an application API key belongs to: a key is `a-<orgId>-<suffix>`, three parts
 * split on "-". Throws CONFIG_INVALID describing the key's shape, never echoing it (a token pasted
 * into the wrong field would otherwise show up in the error).
 */
export function apiKeyOrg(apiKey: string): string {
  const parts = apiKey.split('-');
  const [kind, org = '', suffix = ''] = parts;
  if (parts.length === 3 && kind === 'a' && ORG_ID.test(org) && suffix.length > 0) return org;
  const shape = `${apiKey.length} characters, ${parts.length} part${parts.length === 1 ? '' : 's'} separated by "-"${kind === 'a' ? '' : ', not starting with "a-"'}`;
  throw invalid('apiKey', `this is not a Watson IoT application API key (${shape}): an application API key has the form a-<orgId>-<suffix>, e.g. a-abc123-x7y8z9w0v1 (platform dashboard → Apps → API Keys). A device token, the authentication token or an IBM Cloud (IAM) API key does not work here`);
}

function checkEvents(c: ResolvedWatsonConfig): void {
  const seen = new Set<string>();
  c.events.forEach((e, i) => {
    for (const part of ['deviceType', 'deviceId', 'eventId', 'format'] as const) {
      const problem = topicPartProblem(e[part], true);
      if (problem) throw invalid(`events[${i}].${part}`, `"${e[part]}" cannot be a topic part: ${problem}`);
    }
    const filter = eventFilter(e);
    if (seen.has(filter)) throw invalid(`events[${i}]`, `the subscription ${filter} is listed twice`);
    seen.add(filter);
  });
}

function warningsFor(config: WatsonIotConfig, c: ResolvedWatsonConfig): string[] {
  const warnings: string[] = [];
  if (c.sharedSubscription) {
    warnings.push('sharedSubscription is true: Watson IoT gives scalable applications (A:<orgId>:<appId>) only non-durable subscriptions, so events in flight when the last instance disconnects or crashes, and events published while no instance is connected, are lost. Use false (a unique appId per instance) where every event must be kept');
  }
  c.events.forEach((e, i) => {
    if (e.qos === 0) warnings.push(`events[${i}].qos is 0: those events are delivered at most once and lost on any failure`);
  });
  if (config.host !== undefined && config.domain !== undefined) warnings.push('domain is ignored because host is set');
  if (config.host === undefined && c.port !== WATSON_DEFAULTS.port) warnings.push(`port ${c.port}: Watson IoT takes MQTT over TLS on port 8883`);
  // The schema's default fills statusDeviceName in before validation: only a value of the user's counts.
  if (!c.deviceStatus && config.statusDeviceName !== undefined && config.statusDeviceName !== WATSON_DEFAULTS.statusDeviceName) warnings.push('statusDeviceName is set but deviceStatus is false: no status message is stored');
  return warnings;
}

/** Validates; throws CONFIG_INVALID naming the field; returns the resolved config and the warnings. */
export function validateWatsonConfig(config: WatsonIotConfig): WatsonValidation {
  const c = resolveWatsonConfig(config);
  if (!ORG_ID.test(c.orgId)) throw invalid('orgId', `"${c.orgId}" is not an organization id: it is made of letters and digits (6 characters, e.g. "abc123"), the first part of the dashboard's host name <orgId>.internetofthings.ibmcloud.com`);
  const keyOrg = apiKeyOrg(c.apiKey);
  if (keyOrg !== c.orgId) {
    throw invalid('orgId', `"${c.orgId}" does not match the organization of apiKey (a-${keyOrg}-…): an API key works only in the organization that issued it: set orgId to "${keyOrg}", or use an API key of "${c.orgId}"`);
  }
  if (NOT_IN_APP_ID.test(c.appId)) throw invalid('appId', `"${c.appId}" cannot be part of the client id a:<orgId>:<appId>: it must not contain ":", "/", "+", "#" or spaces`);
  checkEvents(c);
  if (c.reconnect.maxDelayMs < c.reconnect.initialDelayMs) {
    throw invalid('reconnect.maxDelayMs', `${c.reconnect.maxDelayMs} must not be below reconnect.initialDelayMs (${c.reconnect.initialDelayMs})`);
  }
  return { config: c, warnings: warningsFor(config, c) };
}
