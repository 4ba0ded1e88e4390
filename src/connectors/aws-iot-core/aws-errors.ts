/**
 * AWS IoT advice for the errors the shared MQTT code translates (an MqttErrorAdvisor). AWS IoT says
 * little when it refuses something: an unknown, inactive or revoked certificate, or a policy without
 * iot:Connect, ends the connection before CONNACK; with MQTT 3.1.1 a denied publish or subscribe
 * closes the connection; a second connection with the same client id closes the first. These
 * messages name the AWS console step or policy action that fixes each case.
 */
import { CloudbridgeError, type ErrorCode } from '../../core/errors.ts';
import type { MqttErrorAdvisor, MqttErrorContext, MqttErrorSituation } from '../mqtt/index.ts';
import { RENEW_ADVICE } from './certificate.ts';

export const AUTH_ADVICE = 'authentication rejected: activate the certificate and attach a policy in AWS IoT';
export const PERMISSIONS_ADVICE = 'grant iot:Connect, iot:Subscribe, iot:Receive, iot:Publish';
export const DUPLICATE_ADVICE = 'duplicate client id';
export const ENDPOINT_ADVICE = 'check the region-specific endpoint';

export interface AwsAdviceContext {
  clientId: string;
  region: string | null;
  port: number;
  /** credentials.ca is not set: the Amazon roots from Node's store are used. */
  defaultCa: boolean;
}

const REJECTED_CERT_ALERT = /ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_UNKNOWN|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_DECRYPT_ERROR|ALERT_ACCESS_DENIED|CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE/;
const DROPPED = new Set(['ECONNRESET', 'EPIPE']);
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

function arn(a: AwsAdviceContext, resource: string): string {
  return `arn:aws:iot:${a.region ?? '<region>'}:<account-id>:${resource}`;
}

function causeCode(error: CloudbridgeError): string | number | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

function rewrite(error: CloudbridgeError, code: ErrorCode, message: string, details: Record<string, unknown> = {}, retryable?: boolean): CloudbridgeError {
  return new CloudbridgeError(code, message, { ...error.details, ...details }, { cause: error.cause ?? error, ...(retryable !== undefined ? { retryable } : {}) });
}

/** The shared messages speak of the generic `tls.*` fields; this connector's are `credentials.*`. */
function renameTlsFields(error: CloudbridgeError): CloudbridgeError {
  const field = typeof error.details.field === 'string' ? error.details.field : undefined;
  if (!field?.startsWith('tls.') && !/\btls\.(ca|cert|key|passphrase|servername)\b/.test(error.message)) return error;
  const rename = (text: string): string => text.replace(/\btls\.servername\b/g, 'endpoint').replace(/\btls\.(ca|cert|key|passphrase)\b/g, 'credentials.$1');
  return new CloudbridgeError(error.code, rename(error.message), { ...error.details, ...(field ? { field: rename(field) } : {}) }, { cause: error.cause ?? error, retryable: error.retryable });
}

function authRejected(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext, what: string): CloudbridgeError {
  return rewrite(error, 'AUTH_FAILED',
    `AWS IoT at ${ctx.endpoint} ${what}: ${AUTH_ADVICE} (Security → Certificates: the certificate in credentials.cert must be registered in this account and region and Active, with a policy allowing iot:Connect on ${arn(a, `client/${a.clientId}`)}).`,
    { field: 'credentials.cert' }, false);
}

function adviseConnect(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext): CloudbridgeError {
  const tlsCode = typeof error.details.tlsCode === 'string' ? error.details.tlsCode : '';
  const cause = causeCode(error);
  if (/ALERT_CERTIFICATE_EXPIRED/.test(tlsCode)) {
    return rewrite(error, 'AUTH_FAILED', `AWS IoT at ${ctx.endpoint} rejected the client certificate as expired (${tlsCode}): ${AUTH_ADVICE}: ${RENEW_ADVICE}. If the certificate is still valid, check this machine's clock.`, { field: 'credentials.cert' }, false);
  }
  if (/ALERT_CERTIFICATE_REVOKED/.test(tlsCode)) {
    return rewrite(error, 'AUTH_FAILED', `AWS IoT at ${ctx.endpoint} reports the client certificate as revoked (${tlsCode}): ${AUTH_ADVICE}: ${RENEW_ADVICE}.`, { field: 'credentials.cert' }, false);
  }
  if (REJECTED_CERT_ALERT.test(tlsCode)) return authRejected(error, ctx, a, `rejected the client certificate in the TLS handshake (${tlsCode})`);
  if (error.code === 'TLS_FAILED' && error.details.field === 'tls.ca') {
    const trust = a.defaultCa ? 'the default credentials.ca (Amazon Root CA 1 and 3)' : 'credentials.ca';
    return rewrite(error, 'TLS_FAILED', `TLS handshake with ${ctx.endpoint} failed: its certificate is not trusted by ${trust} (${tlsCode}): use the ATS device data endpoint (<prefix>-ats.iot.<region>.amazonaws.com), or set credentials.ca to the CA that signed the endpoint's certificate (custom domain, test broker).`, { field: 'credentials.ca' });
  }
  if (error.code === 'TLS_FAILED' && error.details.field === 'port') {
    return rewrite(error, 'TLS_FAILED', `TLS handshake with ${ctx.endpoint} failed: the port does not speak TLS (${tlsCode}): AWS IoT takes MQTT on port 8883, or on 443 with ALPN.`, { field: 'port' });
  }
  if (error.code === 'AUTH_FAILED') {
    return authRejected(error, ctx, a, `refused the connection as not authorized (reason code ${String(error.details.reasonCode ?? '?')})`);
  }
  if (error.code === 'CONNECTION_TIMEOUT') {
    return rewrite(error, 'CONNECTION_TIMEOUT', `Connecting to ${ctx.endpoint} timed out${ctx.connectTimeoutMs ? ` after ${ctx.connectTimeoutMs} ms` : ''}: ${ENDPOINT_ADVICE} (AWS IoT console → Settings → Device data endpoint, <prefix>-ats.iot.<region>.amazonaws.com, in the region where the certificate is registered) and that outbound TCP port ${a.port} is open${a.port === 443 ? '' : ' (if a firewall blocks 8883, use port 443)'}.`, { field: 'endpoint' });
  }
  if (typeof cause === 'string' && UNRESOLVED.has(cause)) {
    return rewrite(error, 'CONNECTION_FAILED', `The endpoint host in ${ctx.endpoint} could not be resolved (DNS ${cause}): ${ENDPOINT_ADVICE} (AWS IoT console → Settings → Device data endpoint).`, { field: 'endpoint' });
  }
  if (cause === 'ECONNREFUSED') {
    return rewrite(error, 'CONNECTION_FAILED', `Connection to ${ctx.endpoint} was refused: ${ENDPOINT_ADVICE} and the port (8883, or 443 with ALPN).`, { field: 'endpoint' });
  }
  if (typeof cause === 'string' && DROPPED.has(cause)) return authRejected(error, ctx, a, `closed the connection before accepting it (${cause}), as it does for a certificate that is unknown, inactive or without a policy allowing iot:Connect`);
  return renameTlsFields(error);
}

function adviseClosed(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext, established: boolean): CloudbridgeError {
  if (error.code !== 'CONNECTION_FAILED') return renameTlsFields(error);
  if (!established) return authRejected(error, ctx, a, 'closed the connection before accepting it, as it does for a certificate that is unknown, inactive or without a policy allowing iot:Connect');
  return rewrite(error, 'CONNECTION_FAILED',
    `AWS IoT at ${ctx.endpoint} closed the connection of client id "${a.clientId}". Either another connection uses the same client id (${DUPLICATE_ADVICE}: AWS IoT keeps the newer one; give every integration and every Cloudbridge instance its own clientId), or the policy denied an operation (${PERMISSIONS_ADVICE} on the client id and topics used). The AWS IoT lifecycle event's disconnectReason tells which (DUPLICATE_CLIENTID or AUTH_ERROR).`);
}

function adviseServerDisconnect(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext, reasonCode: number): CloudbridgeError {
  if (reasonCode === 0x8e) {
    return rewrite(error, 'CONNECTION_FAILED', `AWS IoT at ${ctx.endpoint} disconnected this client because another connection took over client id "${a.clientId}" (${DUPLICATE_ADVICE}, reason code 0x8E): give every integration and every Cloudbridge instance its own clientId.`, { field: 'clientId' });
  }
  if (reasonCode === 0x87) {
    return rewrite(error, 'PERMISSION_DENIED', `AWS IoT at ${ctx.endpoint} disconnected this client as not authorized (reason code 0x87): the certificate's policy denied an operation: ${PERMISSIONS_ADVICE} on ${arn(a, `client/${a.clientId}`)} and the topics used.`);
  }
  if (reasonCode === 0x96 || reasonCode === 0x97) {
    return rewrite(error, 'CONNECTION_FAILED', `${error.message} AWS IoT throttled this client (account or per-connection quota exceeded): see the AWS IoT Core quotas, or spread the load over several client ids: raise connections (they share one subscription, $share/<sharedGroup>/<filter>).`);
  }
  return error;
}

function adviseSubscribe(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext, filter: string | null): CloudbridgeError {
  const resource = filter === null ? 'topicfilter/<filter>' : `topicfilter/${filter}`;
  const how = `${PERMISSIONS_ADVICE}: iot:Subscribe on ${arn(a, resource)} and iot:Receive on the matching ${arn(a, 'topic/...')} in the certificate's policy, or remove the filter from topicFilters`;
  if (filter !== null) {
    return rewrite(error, 'PERMISSION_DENIED', `AWS IoT at ${ctx.endpoint} refused the subscription to "${filter}" (reason code ${String(error.details.reasonCode ?? '?')}): ${how}.`, { field: 'topicFilters' });
  }
  if (error.code !== 'CONNECTION_FAILED') return renameTlsFields(error);
  return rewrite(error, 'PERMISSION_DENIED', `AWS IoT at ${ctx.endpoint} closed the connection while subscribing, which is how it answers a subscription the policy denies (MQTT 3.1.1): ${how}.`, { field: 'topicFilters' });
}

function adviseDownlink(error: CloudbridgeError, ctx: MqttErrorContext, a: AwsAdviceContext, topic: string, reasonCode: number | undefined): CloudbridgeError {
  if (reasonCode === 0x87) {
    return rewrite(error, 'DOWNLINK_FAILED', `AWS IoT at ${ctx.endpoint} did not accept the downlink to "${topic}": not authorized (reason code ${reasonCode}): ${PERMISSIONS_ADVICE}: iot:Publish on ${arn(a, `topic/${topic}`)} in the certificate's policy.`, { topic, reasonCode }, false);
  }
  return error;
}

/** The advisor for one connection's clientId, region and port. */
export function awsIotErrorAdvisor(a: AwsAdviceContext): MqttErrorAdvisor {
  return (error: CloudbridgeError, situation: MqttErrorSituation, ctx: MqttErrorContext): CloudbridgeError => {
    switch (situation.kind) {
      case 'connect': return adviseConnect(error, ctx, a);
      case 'closed': return adviseClosed(error, ctx, a, situation.established);
      case 'server-disconnect': return adviseServerDisconnect(error, ctx, a, situation.reasonCode);
      case 'subscribe-denied': return adviseSubscribe(error, ctx, a, situation.filter);
      case 'subscribe-failed': return adviseSubscribe(error, ctx, a, null);
      case 'downlink': return adviseDownlink(error, ctx, a, situation.topic, situation.reasonCode);
      case 'downlink-closed':
        return rewrite(error, 'DOWNLINK_FAILED', `The connection to ${ctx.endpoint} closed before AWS IoT confirmed the downlink to "${situation.topic}"; it may or may not have been delivered. With MQTT 3.1.1 AWS IoT closes the connection when the policy denies a publish: ${PERMISSIONS_ADVICE}: iot:Publish on ${arn(a, `topic/${situation.topic}`)}.`, { topic: situation.topic });
      default: return error;
    }
  };
}
