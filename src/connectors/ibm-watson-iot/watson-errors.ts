/**
 * Watson IoT advice for the errors the shared MQTT code translates (an MqttErrorAdvisor). Watson
 * IoT refuses a wrong API key or token with CONNACK "not authorized", closes the connection of an
 * application when another connects with the same `a:` client id (MQTT 3.1.1: no reason given),
 * and is reached at <orgId>.messaging.<domain>, so an unknown host usually means a wrong orgId.
 * These messages name the field and the dashboard step that fixes each case; never the token.
 */
import { CloudbridgeError, type ErrorCode } from '../../core/errors.ts';
import type { MqttErrorAdvisor, MqttErrorContext, MqttErrorSituation } from '../mqtt/index.ts';

export const TOKEN_ADVICE = 'regenerate the API key and token';
export const TAKEOVER_ADVICE = 'use sharedSubscription or a unique appId';

export interface WatsonAdviceContext {
  orgId: string;
  apiKey: string;
  clientId: string;
  /** host was set (private deployment or test broker), so DNS failures are not about orgId. */
  customHost: boolean;
}

const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

function causeCode(error: CloudbridgeError): unknown {
  return (error.cause as { code?: unknown } | undefined)?.code;
}

function rewrite(error: CloudbridgeError, code: ErrorCode, message: string, details: Record<string, unknown> = {}, retryable?: boolean): CloudbridgeError {
  return new CloudbridgeError(code, message, { ...error.details, ...details }, { cause: error.cause ?? error, ...(retryable !== undefined ? { retryable } : {}) });
}

/** The shared messages speak of the generic `tls.*` fields; this connector has `ca` and `host`. */
function renameTlsFields(error: CloudbridgeError): CloudbridgeError {
  const field = typeof error.details.field === 'string' ? error.details.field : undefined;
  if (!field?.startsWith('tls.') && !/\btls\.(ca|servername)\b/.test(error.message)) return error;
  const rename = (text: string): string => text.replace(/\btls\.servername\b/g, 'host').replace(/\btls\.ca\b/g, 'ca');
  return new CloudbridgeError(error.code, rename(error.message), { ...error.details, ...(field ? { field: rename(field) } : {}) }, { cause: error.cause ?? error, retryable: error.retryable });
}

function adviseConnect(error: CloudbridgeError, ctx: MqttErrorContext, w: WatsonAdviceContext): CloudbridgeError {
  const reasonCode = error.details.reasonCode;
  if (error.code === 'AUTH_FAILED') {
    return rewrite(error, 'AUTH_FAILED',
      `Watson IoT at ${ctx.endpoint} rejected API key "${w.apiKey}" (CONNACK ${String(reasonCode ?? '?')}, not authorized): the authentication token does not match the key, or the key was deleted or revoked: ${TOKEN_ADVICE} (platform dashboard → Apps → API Keys → Generate API key; the token is shown only once) and set apiKey and authToken.`,
      { field: 'authToken' }, false);
  }
  if (error.code === 'CONFIG_INVALID' && error.details.field === 'clientId') {
    return rewrite(error, 'CONFIG_INVALID', `Watson IoT at ${ctx.endpoint} refused client id "${w.clientId}" (CONNACK ${String(reasonCode ?? '?')}): the client id must be a:<orgId>:<appId> (A: with sharedSubscription) with the orgId of the API key: check orgId and appId.`, { field: 'appId' }, false);
  }
  const cause = causeCode(error);
  if (typeof cause === 'string' && UNRESOLVED.has(cause)) {
    const hint = w.customHost
      ? 'check host'
      : `check orgId "${w.orgId}" (the broker of an organization is <orgId>.messaging.<domain>) and domain; IBM withdrew Watson IoT Platform, so for a private deployment set host (and port, ca)`;
    return rewrite(error, 'CONNECTION_FAILED', `The Watson IoT broker ${ctx.endpoint} could not be resolved (DNS ${cause}): ${hint}.`, { field: w.customHost ? 'host' : 'orgId' });
  }
  return renameTlsFields(error);
}

function adviseClosed(error: CloudbridgeError, ctx: MqttErrorContext, w: WatsonAdviceContext, established: boolean): CloudbridgeError {
  if (error.code !== 'CONNECTION_FAILED' || !established) return renameTlsFields(error);
  return rewrite(error, 'CONNECTION_FAILED',
    `Watson IoT at ${ctx.endpoint} closed the connection of client id "${w.clientId}". If this repeats, another application connects with the same client id and each takes over the other's connection: ${TAKEOVER_ADVICE}. A connection also ends when the organization's plan quota is used up (dashboard → Usage).`,
    { field: 'appId', closedByBroker: true });
}

/** The advisor for one integration's org, key and client id. */
export function watsonErrorAdvisor(w: WatsonAdviceContext): MqttErrorAdvisor {
  return (error: CloudbridgeError, situation: MqttErrorSituation, ctx: MqttErrorContext): CloudbridgeError => {
    switch (situation.kind) {
      case 'connect': return adviseConnect(error, ctx, w);
      case 'closed': return adviseClosed(error, ctx, w, situation.established);
      case 'downlink-closed':
        return rewrite(error, 'DOWNLINK_FAILED', `The connection to ${ctx.endpoint} closed before Watson IoT confirmed the command to "${situation.topic}"; it may or may not have been delivered. Watson IoT closes the connection of an API key whose role does not allow sending commands: give the key a role that does (e.g. Standard Application).`, { topic: situation.topic });
      default: return renameTlsFields(error);
    }
  };
}
