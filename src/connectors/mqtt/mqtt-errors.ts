/**
 * Translates mqtt.js, socket and TLS errors into CloudbridgeErrors whose message says what to fix.
 * Messages name the endpoint, user name and client id where that helps, never a password or key.
 */
import { CloudbridgeError, isCloudbridgeError } from '../../core/errors.ts';

/** What the messages may mention about the connection (nothing secret). */
export interface MqttErrorContext {
  /** `host:port`. */
  endpoint: string;
  tls: boolean;
  username?: string | undefined;
  clientId?: string | undefined;
  connectTimeoutMs?: number | undefined;
  /** Connector-specific advice applied to every translated error (see MqttErrorAdvisor). */
  advise?: MqttErrorAdvisor | undefined;
}

/** Where a translated error arose: lets a connector add cloud-specific advice (e.g. AWS IoT policies). */
export type MqttErrorSituation =
  /** Before the broker accepted the connection: socket, TLS, CONNACK, timeouts. */
  | { kind: 'connect' }
  /** The broker closed the connection without saying why. */
  | { kind: 'closed'; established: boolean }
  /** An MQTT 5 DISCONNECT from the broker. */
  | { kind: 'server-disconnect'; reasonCode: number }
  /** A SUBACK refused a filter. */
  | { kind: 'subscribe-denied'; filter: string; reasonCode: number }
  /** The connection failed while waiting for the SUBACK. */
  | { kind: 'subscribe-failed' }
  /** The broker refused a downlink PUBLISH (PUBACK reason code) or it failed. */
  | { kind: 'downlink'; topic: string; reasonCode?: number | undefined }
  /** The connection ended before the broker confirmed a downlink PUBLISH. */
  | { kind: 'downlink-closed'; topic: string };

/**
 * Rewrites an already translated error, e.g. to name the cloud permission to grant. Returns the
 * error unchanged when it has nothing to add. Must not put secrets in the message.
 */
export type MqttErrorAdvisor = (error: CloudbridgeError, situation: MqttErrorSituation, ctx: MqttErrorContext) => CloudbridgeError;

/** Applies the context's advisor, if any. */
export function adviseError(error: CloudbridgeError, situation: MqttErrorSituation, ctx: MqttErrorContext): CloudbridgeError {
  return ctx.advise ? ctx.advise(error, situation, ctx) : error;
}

const CONNACK_REFUSED = /^Connection refused: /;

function errorCode(err: unknown): string | number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function who(ctx: MqttErrorContext): string {
  const parts: string[] = [];
  if (ctx.username) parts.push(`user "${ctx.username}"`);
  if (ctx.clientId) parts.push(`client id "${ctx.clientId}"`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** CONNACK refusals: MQTT 3.1.1 return codes 1-5 and MQTT 5 reason codes >= 0x80. */
export function connackError(code: number, ctx: MqttErrorContext, cause?: unknown): CloudbridgeError {
  const at = `${ctx.endpoint}${who(ctx)}`;
  const opts = { cause };
  switch (code) {
    case 4: case 0x86:
      return new CloudbridgeError('AUTH_FAILED', `The broker at ${at} rejected the user name or password: check username and password.`, { field: 'password', reasonCode: code }, opts);
    case 5: case 0x87:
      return new CloudbridgeError('AUTH_FAILED', `The broker at ${at} refused the connection as not authorized: check the credentials (username/password or client certificate) and that this client id may connect.`, { reasonCode: code }, opts);
    case 0x8a:
      return new CloudbridgeError('AUTH_FAILED', `The broker at ${at} has banned this client: ask the broker operator to lift the ban.`, { reasonCode: code }, opts);
    case 0x8c:
      return new CloudbridgeError('AUTH_FAILED', `The broker at ${at} does not accept this authentication method.`, { reasonCode: code }, opts);
    case 2: case 0x85:
      return new CloudbridgeError('CONFIG_INVALID', `The broker at ${at} rejected the client id: use a shorter clientId made of letters and digits (some brokers allow at most 23 characters).`, { field: 'clientId', reasonCode: code }, opts);
    case 1: case 0x84:
      return new CloudbridgeError('CONFIG_INVALID', `The broker at ${ctx.endpoint} does not support the requested MQTT protocol version: set protocolVersion to 4 (MQTT 3.1.1).`, { field: 'protocolVersion', reasonCode: code }, opts);
    case 3: case 0x88: case 0x89: case 0x9f:
      return new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} is unavailable or busy (reason ${code}); Cloudbridge keeps retrying.`, { reasonCode: code }, opts);
    case 0x9c: case 0x9d:
      return new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} redirected the client to another server (reason ${code}): update host and port.`, { field: 'host', reasonCode: code }, opts);
    default:
      return new CloudbridgeError('CONNECTION_FAILED', `The broker at ${at} refused the connection (reason code ${code}: ${errorMessage(cause).replace(CONNACK_REFUSED, '')}).`, { reasonCode: code }, opts);
  }
}

const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_REJECTED',
]);

function tlsError(code: string, err: unknown, ctx: MqttErrorContext): CloudbridgeError | null {
  const detail = errorMessage(err);
  const make = (message: string, field?: string): CloudbridgeError =>
    new CloudbridgeError('TLS_FAILED', `TLS handshake with ${ctx.endpoint} failed: ${message} (${code})`, field ? { field, tlsCode: code } : { tlsCode: code }, { cause: err });
  if (TLS_VERIFY_CODES.has(code)) {
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return make('the broker certificate is expired or not yet valid: renew it on the broker', 'tls.ca');
    return make('the broker certificate is not trusted: set tls.ca to the CA certificate that signed it (PEM)', 'tls.ca');
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return make('the broker certificate does not name this host: connect with the host name in the certificate, or set tls.servername to it', 'tls.servername');
  if (/ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_DECRYPT_ERROR/.test(code)) return make('the broker does not trust the client certificate: use a certificate issued by a CA the broker trusts', 'tls.cert');
  if (/ALERT_CERTIFICATE_EXPIRED/.test(code)) return make('the broker reports the client certificate as expired: renew tls.cert', 'tls.cert');
  if (/ALERT_CERTIFICATE_REVOKED/.test(code)) return make('the broker reports the client certificate as revoked: issue a new one', 'tls.cert');
  if (/CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE/.test(code)) return make('the broker requires a client certificate: set tls.cert and tls.key', 'tls.cert');
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return make('the port does not speak TLS: use the broker\'s TLS port (usually 8883) or disable tls', 'port');
  if (/BAD_DECRYPT/.test(code) || /bad decrypt/i.test(detail)) return make('the client key could not be decrypted: check tls.passphrase', 'tls.passphrase');
  if (code.startsWith('ERR_OSSL_') || /PEM|DECODER|KEY_VALUES_MISMATCH/i.test(code)) return make('the client certificate or key could not be loaded: check that tls.cert and tls.key are matching PEM texts', 'tls.key');
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return make(detail.split('\n')[0] ?? detail);
  return null;
}

/**
 * Any connection failure (socket, TLS, CONNACK, timeouts). `situation` tells the advisor whether it
 * happened before the broker accepted the connection (default) or ended an established one.
 */
export function translateConnectError(err: unknown, ctx: MqttErrorContext, situation: MqttErrorSituation = { kind: 'connect' }): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  return adviseError(translateRawConnectError(err, ctx), situation, ctx);
}

function translateRawConnectError(err: unknown, ctx: MqttErrorContext): CloudbridgeError {
  const code = errorCode(err);
  const message = errorMessage(err);
  if (typeof code === 'number' && CONNACK_REFUSED.test(message)) return connackError(code, ctx, err);
  if (typeof code === 'string') {
    const tls = tlsError(code, err, ctx);
    if (tls) return tls;
  }
  if (message === 'TLS not authorized') {
    return new CloudbridgeError('TLS_FAILED', `TLS handshake with ${ctx.endpoint} failed: the broker certificate is not trusted: set tls.ca to the CA that signed it`, { field: 'tls.ca' }, { cause: err });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new CloudbridgeError('CONNECTION_FAILED', `Connection to ${ctx.endpoint} was refused: no MQTT broker listens there. Check host and port${ctx.tls ? ' (TLS usually 8883)' : ' (plain MQTT usually 1883)'}.`, { field: 'port' }, { cause: err });
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME':
      return new CloudbridgeError('CONNECTION_FAILED', `The broker host in ${ctx.endpoint} could not be resolved (DNS ${code}): check the host name.`, { field: 'host' }, { cause: err });
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'EADDRNOTAVAIL':
      return new CloudbridgeError('CONNECTION_FAILED', `${ctx.endpoint} is not reachable from this machine (${code}): check the network route and firewall.`, { field: 'host' }, { cause: err });
    case 'ETIMEDOUT':
      return new CloudbridgeError('CONNECTION_TIMEOUT', `Connecting to ${ctx.endpoint} timed out: check the address and that a firewall does not drop the traffic.`, { field: 'host' }, { cause: err });
    case 'ECONNRESET': case 'EPIPE':
      return new CloudbridgeError('CONNECTION_FAILED', `The connection to ${ctx.endpoint} was reset by the peer (${code})${ctx.tls ? '' : '; if the broker expects TLS on this port, enable tls'}.`, {}, { cause: err });
    default:
      break;
  }
  if (message === 'connack timeout') {
    const within = ctx.connectTimeoutMs ? ` within ${ctx.connectTimeoutMs} ms` : '';
    return new CloudbridgeError('CONNECTION_TIMEOUT', `No MQTT answer (CONNACK) from ${ctx.endpoint}${within}: check that the port is reachable and speaks MQTT${ctx.tls ? ' over TLS' : ' without TLS'}.`, { field: 'port' }, { cause: err });
  }
  if (message === 'Keepalive timeout') {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `The broker at ${ctx.endpoint} stopped answering keepalive pings; reconnecting.`, {}, { cause: err });
  }
  return new CloudbridgeError('CONNECTION_FAILED', `MQTT connection to ${ctx.endpoint} failed: ${message}`, {}, { cause: err });
}

/** The broker closed the connection without an error the client could see. */
export function connectionClosedError(ctx: MqttErrorContext, established: boolean, situation: MqttErrorSituation = { kind: 'closed', established }): CloudbridgeError {
  const error = established
    ? new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} closed the connection${who(ctx)}. If this repeats, another client may be using the same client id: give every instance its own clientId.`)
    : new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} closed the connection before accepting it${ctx.tls ? ' (a TLS server that rejects the client certificate may do this)' : '; if it expects TLS on this port, enable tls'}.`);
  return adviseError(error, situation, ctx);
}

/** A DISCONNECT sent by an MQTT 5 broker. */
export function serverDisconnectError(reasonCode: number, reasonString: string | undefined, ctx: MqttErrorContext): CloudbridgeError {
  return adviseError(rawServerDisconnectError(reasonCode, reasonString, ctx), { kind: 'server-disconnect', reasonCode }, ctx);
}

function rawServerDisconnectError(reasonCode: number, reasonString: string | undefined, ctx: MqttErrorContext): CloudbridgeError {
  const why = reasonString ? `: ${reasonString}` : '';
  if (reasonCode === 0x8e) {
    return new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} disconnected this client because another client connected with the same client id${who(ctx)}: give every integration and instance its own clientId.`, { field: 'clientId', reasonCode });
  }
  if (reasonCode === 0x87) {
    return new CloudbridgeError('PERMISSION_DENIED', `The broker at ${ctx.endpoint} disconnected this client as not authorized${why}${who(ctx)}: check the broker's access rules for the subscribed topics.`, { reasonCode });
  }
  return new CloudbridgeError('CONNECTION_FAILED', `The broker at ${ctx.endpoint} disconnected this client (reason code ${reasonCode}${why}).`, { reasonCode });
}

/** A SUBACK refusal (0x80 in MQTT 3.1.1, any reason >= 0x80 in MQTT 5) for one filter. */
export function subscribeDeniedError(filter: string, reasonCode: number, ctx: MqttErrorContext): CloudbridgeError {
  const reason = reasonCode === 0x80 ? 'failure' : `reason code ${reasonCode}`;
  const error = new CloudbridgeError('PERMISSION_DENIED',
    `The broker at ${ctx.endpoint} refused the subscription to "${filter}" (${reason})${who(ctx)}: allow this client to subscribe to "${filter}" in the broker's access rules, or remove the filter from topicFilters.`,
    { field: 'topicFilters', filter, reasonCode });
  return adviseError(error, { kind: 'subscribe-denied', filter, reasonCode }, ctx);
}

/** A failed downlink PUBLISH. */
export function downlinkError(err: unknown, topic: string, ctx: MqttErrorContext): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  const code = errorCode(err);
  if (typeof code === 'number' && code >= 0x80) {
    const hint = code === 0x87 ? ': allow this client to publish to that topic in the broker\'s access rules' : '';
    const refused = new CloudbridgeError('DOWNLINK_FAILED', `The broker at ${ctx.endpoint} did not accept the downlink to "${topic}": ${errorMessage(err).replace(/^Publish error: /, '')} (reason code ${code})${hint}.`, { topic, reasonCode: code }, { cause: err, retryable: code !== 0x87 && code !== 0x90 });
    return adviseError(refused, { kind: 'downlink', topic, reasonCode: code }, ctx);
  }
  const failed = new CloudbridgeError('DOWNLINK_FAILED', `The downlink to "${topic}" was not confirmed by the broker at ${ctx.endpoint}: ${errorMessage(err)}`, { topic }, { cause: err });
  return adviseError(failed, { kind: 'downlink', topic }, ctx);
}
