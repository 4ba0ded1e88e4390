/**
 * The `aws-iot-core` Connector: the shared MqttSource (PUBACK after commit, persistent session,
 * backoff, downlinks) with AWS IoT settings, AWS-specific error advice, and certificate checks.
 *
 * The credentials are checked before every (re)connect, through MqttSource's `settings()` hook: an
 * expired certificate is refused with CONFIG_INVALID instead of a bare TLS alert. A certificate
 * nearing its expiry is warned about by the credential watch (CREDENTIAL_EXPIRY, with this
 * connector's `renewAdvice`), not here. `status()` exposes the certificate's facts and
 * `certificateExpiresAt` (epoch ms) for the `cloudbridge_certificate_expiry_seconds` gauge.
 *
 * Certificate rotation: a new cert/key arrives as a config update, which restarts the integration:
 * this source drains (in-flight deliveries settle, their PUBACKs are written), disconnects
 * gracefully, and the next one connects with the same client id and resumes the persistent
 * session, so AWS IoT redelivers anything not acknowledged and queues what arrives in between.
 */
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { MqttSource, type MqttConnectSettings, type MqttSourceStatus } from '../mqtt/index.ts';
import { amazonRootTrust } from './amazon-root-ca.ts';
import { awsIotErrorAdvisor } from './aws-errors.ts';
import { checkCredentials, type CertificateInfo, type CredentialWarning } from './certificate.ts';
import { AWS_IOT_DEFAULTS, resolveAwsIotConfig, type AwsIotCoreConfig, type ResolvedAwsIotConfig } from './config-spec.ts';
import { inspectEndpoint } from './endpoint.ts';
import { validateAwsIotConfig } from './validate.ts';

export interface AwsIotSourceStatus extends MqttSourceStatus {
  region: string | null;
  /** Where the CA certificates come from (credentials.ca, or the Amazon roots of Node's store). */
  trust: string;
  certificate: { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string; fingerprint256: string } | null;
  /** Epoch ms when the client certificate expires (for the expiry gauge). */
  certificateExpiresAt: number | null;
}

export interface AwsIotSourceOptions {
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/** MQTT settings for one connection; `clientId` overrides the configured one (connection check). */
export function awsIotConnectSettings(c: ResolvedAwsIotConfig, clientId = c.clientId): MqttConnectSettings {
  const trust = c.credentials.ca ?? amazonRootTrust().pem;
  return {
    host: c.endpoint,
    port: c.port,
    tls: {
      ca: trust,
      cert: c.credentials.cert,
      key: c.credentials.key,
      passphrase: c.credentials.passphrase,
      rejectUnauthorized: true,
      ...(c.alpn ? { alpnProtocols: [AWS_IOT_DEFAULTS.alpnProtocol] } : {}),
    },
    clientId,
    cleanSession: !c.persistentSession,
    keepaliveSeconds: c.keepaliveSeconds,
    protocolVersion: c.protocolVersion,
    connectTimeoutMs: c.connectTimeoutMs,
    sessionExpirySeconds: c.sessionExpirySeconds,
    adviseError: awsIotErrorAdvisor({ clientId, region: inspectEndpoint(c.endpoint).region, port: c.port, defaultCa: c.credentials.ca === undefined }),
  };
}

export class AwsIotCoreSource implements Connector {
  private readonly raw: AwsIotCoreConfig;
  private readonly ctx: ConnectorContext;
  private readonly config: ResolvedAwsIotConfig;
  private readonly mqtt: MqttSource;
  private certificate: CertificateInfo | null = null;
  private region: string | null = null;
  private readonly warned = new Set<string>();

  constructor(config: AwsIotCoreConfig, ctx: ConnectorContext, opts: AwsIotSourceOptions = {}) {
    this.raw = config;
    this.ctx = ctx;
    const c = resolveAwsIotConfig(config);
    this.config = c;
    this.mqtt = new MqttSource({
      clientId: c.clientId,
      settings: (clientId) => this.settings(clientId),
      topicFilters: c.topicFilters,
      maxInFlight: c.maxInFlight,
      connections: c.connections,
      sharedGroup: c.sharedGroup,
      reconnect: c.reconnect,
      downlinkTopicPattern: c.downlinkTopicPattern,
      random: opts.random,
    }, ctx);
  }

  /** Validates (CONFIG_INVALID for an expired certificate, bad PEM...), raises the warnings, connects. */
  async start(): Promise<void> {
    const checked = validateAwsIotConfig(this.raw, this.ctx.clock.now());
    this.certificate = checked.certificate;
    this.region = checked.region;
    for (const w of checked.warnings) this.raise(w);
    await this.mqtt.start();
  }

  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    await this.mqtt.stop(opts);
  }

  status(): AwsIotSourceStatus {
    const cert = this.certificate;
    return {
      ...this.mqtt.status(),
      region: this.region,
      trust: this.config.credentials.ca ? 'credentials.ca' : this.defaultTrustSource(),
      certificate: cert
        ? { subject: cert.subject, issuer: cert.issuer, serialNumber: cert.serialNumber, notBefore: new Date(cert.notBefore).toISOString(), notAfter: new Date(cert.notAfter).toISOString(), fingerprint256: cert.fingerprint256 }
        : null,
      certificateExpiresAt: cert?.notAfter ?? null,
    };
  }

  sendDownlink(msg: EncodedDownlink, signal: AbortSignal): Promise<void> {
    return this.mqtt.sendDownlink(msg, signal);
  }

  private defaultTrustSource(): string {
    try {
      return amazonRootTrust().source;
    } catch {
      return 'none: Amazon Root CA 1 is missing from the Node.js root store';
    }
  }

  /** Called by MqttSource before every (re)connect of each connection: refuses an expired certificate. */
  private settings(clientId: string): MqttConnectSettings {
    const c = this.config;
    const { certificate, warnings } = checkCredentials(c.credentials, this.ctx.clock.now());
    this.certificate = certificate;
    for (const w of warnings) this.raise(w);
    return awsIotConnectSettings(c, clientId);
  }

  /** Raises each warning once (start and every reconnect check the same config). */
  private raise(w: CredentialWarning): void {
    const key = `${w.code}:${w.message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.ctx.warn(w.code, w.message, w.details);
  }
}
