/**
 * The `aws-iot-core` connector: subscribes to topic filters on AWS IoT Core over MQTT with mutual
 * TLS (X.509 certificate), acknowledges each QoS 1 message only after it is stored, publishes
 * downlinks with QoS 1. The MQTT machinery is the `mqtt` connector's (MqttSource).
 */
import { type CheckResult, type ConnectorDefinition, configCheckFailure } from '../../core/connector.ts';
import { checkMqttConnection, sharingGroup, subscriptionFilters } from '../mqtt/index.ts';
import { AUTH_ADVICE } from './aws-errors.ts';
import { awsIotConnectSettings, AwsIotCoreSource } from './aws-iot-source.ts';
import { renewAdvice } from './certificate.ts';
import { AWS_IOT_DEFAULTS, AwsIotCoreConfigSpec } from './config-spec.ts';
import { AWS_IOT_GUIDE } from './guide.ts';
import { AWS_IOT_PITFALLS } from './pitfalls.ts';
import { validateAwsIotConfig } from './validate.ts';

/** The client id "Check connection" uses: never the integration's own, which would disconnect it. */
export function checkClientId(clientId: string): string {
  const suffix = '-check';
  let base = clientId;
  while (Buffer.byteLength(base + suffix) > AWS_IOT_DEFAULTS.maxClientIdLength) base = base.slice(0, -1);
  return base + suffix;
}

export const awsIotCoreConnector: ConnectorDefinition<typeof AwsIotCoreConfigSpec> = {
  type: 'aws-iot-core',
  title: 'AWS IoT Core',
  description: 'Subscribes to topics on AWS IoT Core over MQTT (3.1.1 or 5) with an X.509 client certificate (mutual TLS, port 8883 or 443 with ALPN). Each QoS 1 message is acknowledged only after it is stored; a persistent session makes AWS IoT redeliver what was not acknowledged and queue what arrives while Cloudbridge is away. The certificate is checked at save and before every connection: an expired one is refused; one expiring within credentialExpiry.warnDays (30 days by default) raises a CREDENTIAL_EXPIRY warning event once a day with the renewal steps, and its date shows in the status (credentials, details.certificateExpiresAt). Updating the certificate and key reconnects with them without losing messages. The Amazon Root CA 1 and 3 compiled into Node.js are trusted by default. Uplink metadata: topic, plus MQTT 5 user properties. Downlinks are published with QoS 1 to downlinkTopicPattern.',
  configSpec: AwsIotCoreConfigSpec,
  capabilities: { downlink: true, redelivery: 'mqtt-session' },
  validate: (config) => validateAwsIotConfig(config).warnings.map((w) => w.message),
  create: (config, ctx) => new AwsIotCoreSource(config, ctx),
  async testConnection(config, signal): Promise<CheckResult> {
    let checked: ReturnType<typeof validateAwsIotConfig>;
    try {
      checked = validateAwsIotConfig(config);
    } catch (err) {
      return configCheckFailure(err);
    }
    const c = checked.config;
    const cert = checked.certificate;
    const certificate = { name: 'certificate', ok: true, message: `client certificate "${cert.subject}" (serial ${cert.serialNumber}) valid until ${new Date(cert.notAfter).toISOString()}` };
    const clientId = checkClientId(c.clientId);
    const filters = subscriptionFilters(c.topicFilters, sharingGroup(c, c.clientId));
    const result = await checkMqttConnection(awsIotConnectSettings(c, clientId), { topicFilters: filters, clientId }, signal);
    const checks = [certificate, ...result.checks];
    if (result.error?.code === 'AUTH_FAILED') {
      const note = `(The check connects as client id "${clientId}" so as not to disconnect the running integration; a policy that allows only client/${c.clientId} refuses it with "${AUTH_ADVICE}".)`;
      checks.push({ name: 'note', ok: true, message: note });
    }
    return { ...result, checks };
  },
  renewAdvice,
  pitfalls: AWS_IOT_PITFALLS,
  guide: AWS_IOT_GUIDE,
};
