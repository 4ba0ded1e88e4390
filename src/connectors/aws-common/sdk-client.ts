/**
 * The parts of an AWS SDK v3 client config every AWS SDK connector builds the same way: a
 * keep-alive socket pool (HTTP and HTTPS agents sized for the requests in flight) with a connect
 * deadline and a request timeout, the attempts per call, and region, endpoint and static
 * credentials only when given (otherwise the SDK resolves them). Plus the description of the
 * credentials in use, for error messages (never the secret), and when they expire.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { AwsStaticCredentials } from './config-spec.ts';

export interface AwsSdkClientSettings {
  region: string | undefined;
  endpoint: string | undefined;
  /** Static credentials; undefined: the SDK default provider chain. */
  credentials: AwsStaticCredentials | undefined;
  /** Concurrent requests to plan sockets for. */
  maxConcurrency: number;
  /** SDK attempts per call (default 3; 1 for connection checks, so errors show at once). */
  maxAttempts?: number | undefined;
}

export interface AwsSdkClientConfig {
  /** Options of the SDK's NodeHttpHandler (pass them as they are, or to `new NodeHttpHandler(...)`). */
  requestHandler: NodeHttpHandlerOptions;
  maxAttempts: number;
  region?: string;
  endpoint?: string;
  credentials?: AwsStaticCredentials;
}

export interface AwsSdkClientParts {
  config: AwsSdkClientConfig;
  /** Closes the pooled sockets (after the client's destroy()). */
  destroyAgents(): void;
}

/** Connect deadline of every AWS request. */
export const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * The common client config: at least 16 sockets, or `maxConcurrency`; `http` adds to the handler
 * options (requestTimeout, throwOnRequestTimeout...).
 */
export function awsSdkClientParts(settings: AwsSdkClientSettings, http: Pick<NodeHttpHandlerOptions, 'requestTimeout' | 'throwOnRequestTimeout'>): AwsSdkClientParts {
  const maxSockets = Math.max(16, settings.maxConcurrency);
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
  return {
    config: {
      requestHandler: { ...http, connectionTimeout: CONNECTION_TIMEOUT_MS, httpAgent, httpsAgent },
      maxAttempts: settings.maxAttempts ?? 3,
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    },
    destroyAgents() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * The credentials a client uses, for messages: the configured access key id, or the one the SDK
 * default provider chain found (`provider` is the client's `config.credentials`), or none.
 */
export async function describeAwsCredentials(configured: AwsStaticCredentials | undefined, provider: () => Promise<{ accessKeyId: string }>): Promise<string> {
  if (configured) return `access key id ${configured.accessKeyId} (from accessKeyId)`;
  try {
    const identity = await provider();
    return `access key id ${identity.accessKeyId} (found by the AWS SDK default provider chain)`;
  } catch {
    return 'no credentials (the AWS SDK default provider chain found none)';
  }
}

/**
 * When the credentials the client uses expire (epoch ms), as the SDK provider reports it: temporary
 * credentials from the default provider chain (web identity, instance or task role, SSO, or
 * AWS_SESSION_TOKEN with AWS_CREDENTIAL_EXPIRATION) carry `expiration`; static keys from the config
 * do not (null), nor does a provider that fails.
 */
export async function awsCredentialExpiry(configured: AwsStaticCredentials | undefined, provider: () => Promise<{ expiration?: Date | undefined }>): Promise<number | null> {
  if (configured) return null;
  try {
    const expiration = (await provider()).expiration;
    return expiration instanceof Date && !Number.isNaN(expiration.getTime()) ? expiration.getTime() : null;
  } catch {
    return null;
  }
}

/** `details.credentialExpiries` of a connector whose credentials expire at `expiresAt` (src/core/credential-expiry.ts). */
export function awsCredentialExpiries(expiresAt: number | null): Array<{ credential: string; expiresAt: number; what: string }> {
  return expiresAt === null ? [] : [{ credential: 'credentials', expiresAt, what: 'temporary AWS credentials (from the AWS SDK default provider chain)' }];
}
