/**
 * Cross-field rules of the `aws-iot-core` connector, run when the config is saved and again when
 * the integration starts. Errors (CONFIG_INVALID naming the field) for what AWS IoT would refuse;
 * warnings for what works but is likely a mistake (a non-AWS endpoint, a `#` filter, QoS 0...).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { WarningCode } from '../../core/warnings.ts';
import { checkSharing, connectionClientId, topicFilterProblem, topicPatternProblem } from '../mqtt/index.ts';
import { checkCredentials, type CertificateInfo, type CredentialWarning } from './certificate.ts';
import { AWS_IOT_DEFAULTS, resolveAwsIotConfig, type AwsIotCoreConfig, type ResolvedAwsIotConfig } from './config-spec.ts';
import { inspectEndpoint } from './endpoint.ts';

export const CONFIG_WARNING = 'CONFIG_WARNING' satisfies WarningCode;

export interface AwsIotValidation {
  config: ResolvedAwsIotConfig;
  certificate: CertificateInfo;
  region: string | null;
  warnings: CredentialWarning[];
}

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `${field}: ${message}`, { field });
}

function warning(field: string, message: string): CredentialWarning {
  return { code: CONFIG_WARNING, message, details: { field } };
}

/** The filter without a `$share/<group>/` prefix. */
function plainFilter(filter: string): string {
  return filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
}

function filterWarnings(c: ResolvedAwsIotConfig): CredentialWarning[] {
  const warnings: CredentialWarning[] = [];
  const seen = new Set<string>();
  c.topicFilters.forEach((f, i) => {
    const field = `topicFilters[${i}].filter`;
    const problem = topicFilterProblem(f.filter);
    if (problem) throw invalid(field, `"${f.filter}" is invalid: ${problem}`);
    if (seen.has(f.filter)) throw invalid(field, `"${f.filter}" is listed twice`);
    seen.add(f.filter);
    const plain = plainFilter(f.filter);
    if (plain.split('/').every((level) => level === '#' || level === '+') && plain.endsWith('#')) {
      warnings.push(warning(field, `${field} "${f.filter}" is too broad: it receives every message of every device in the account and region (and the policy must allow iot:Subscribe on topicfilter/# and iot:Receive on every topic). Subscribe to the topics the devices use, e.g. "devices/+/telemetry"`));
    }
    const slashes = plain.split('/').length - 1;
    if (slashes > AWS_IOT_DEFAULTS.maxTopicSlashes) {
      warnings.push(warning(field, `${field} "${f.filter}" has ${slashes} slashes; AWS IoT refuses topic filters with more than ${AWS_IOT_DEFAULTS.maxTopicSlashes}`));
    }
    if (f.qos === 0) warnings.push(warning(field, `${field} "${f.filter}" uses QoS 0: its messages are delivered at most once and lost on any failure (AWS IoT does not queue QoS 0 messages for a persistent session)`));
  });
  return warnings;
}

function connectionWarnings(c: ResolvedAwsIotConfig, aws: boolean): CredentialWarning[] {
  const warnings: CredentialWarning[] = [];
  if (aws && c.port !== AWS_IOT_DEFAULTS.port && c.port !== AWS_IOT_DEFAULTS.alpnPort) {
    warnings.push(warning('port', `port ${c.port}: AWS IoT accepts MQTT with certificates on 8883, or on 443 with ALPN`));
  }
  if (c.port === AWS_IOT_DEFAULTS.alpnPort && !c.alpn) {
    warnings.push(warning('alpn', 'alpn is false on port 443: AWS IoT serves MQTT on 443 only to clients that offer ALPN x-amzn-mqtt-ca; remove alpn or set it to true'));
  }
  if (!c.persistentSession) {
    warnings.push(warning('persistentSession', 'persistentSession is false: messages not yet stored when the connection drops, and messages published while Cloudbridge is disconnected, are lost'));
  }
  if (aws && c.reconnect.initialDelayMs < 1000) {
    warnings.push(warning('reconnect.initialDelayMs', `reconnect.initialDelayMs is ${c.reconnect.initialDelayMs}: AWS IoT accepts at most one CONNECT per second per client id and throttles faster reconnects`));
  }
  return warnings;
}

/**
 * Validates at `now` (save or start). Throws CONFIG_INVALID; returns the resolved config, the
 * client certificate facts and every warning.
 */
export function validateAwsIotConfig(config: AwsIotCoreConfig, now: number = Date.now()): AwsIotValidation {
  const c = resolveAwsIotConfig(config);
  const patternProblem = topicPatternProblem(c.downlinkTopicPattern);
  if (patternProblem) throw invalid('downlinkTopicPattern', `"${c.downlinkTopicPattern}" is invalid: ${patternProblem}`);
  if (c.reconnect.maxDelayMs < c.reconnect.initialDelayMs) {
    throw invalid('reconnect.maxDelayMs', `${c.reconnect.maxDelayMs} must not be below reconnect.initialDelayMs (${c.reconnect.initialDelayMs})`);
  }
  if (Buffer.byteLength(c.clientId) > AWS_IOT_DEFAULTS.maxClientIdLength) {
    throw invalid('clientId', `is ${Buffer.byteLength(c.clientId)} bytes long; AWS IoT accepts at most ${AWS_IOT_DEFAULTS.maxClientIdLength}`);
  }
  const lastClientId = connectionClientId(c.clientId, c.connections);
  if (Buffer.byteLength(lastClientId) > AWS_IOT_DEFAULTS.maxClientIdLength) {
    const suffix = Buffer.byteLength(lastClientId) - Buffer.byteLength(c.clientId);
    throw invalid('clientId', `with connections ${c.connections}, the last connection uses client id "${lastClientId}" (${Buffer.byteLength(lastClientId)} bytes); AWS IoT accepts at most ${AWS_IOT_DEFAULTS.maxClientIdLength}: shorten clientId to ${AWS_IOT_DEFAULTS.maxClientIdLength - suffix} bytes`);
  }
  checkSharing(c);
  const warnings = filterWarnings(c);
  const { certificate, warnings: credentialWarnings } = checkCredentials(c.credentials, now);
  const endpoint = inspectEndpoint(c.endpoint);
  if (endpoint.problem) warnings.unshift(warning('endpoint', endpoint.problem));
  warnings.push(...connectionWarnings(c, endpoint.aws));
  return { config: c, certificate, region: endpoint.region, warnings: [...credentialWarnings, ...warnings] };
}
