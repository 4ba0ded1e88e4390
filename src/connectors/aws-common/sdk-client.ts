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

/** The fix of the CREDENTIAL_EXPIRY warning for temporary credentials from the provider chain. */
const TEMPORARY_CREDENTIALS_FIX = 'check that the AWS SDK provider chain can renew them (a role, SSO or web identity renews itself); if they were set by hand (AWS_SESSION_TOKEN with AWS_CREDENTIAL_EXPIRATION), put new ones in the environment and restart Cloudbridge';

/**
 * The expiry of a source's credentials for its status (`details.credentialExpiries`,
 * src/core/credential-expiry.ts): read when the client opens, then again in the background at
 * most once a minute while the status is asked for (the SDK refreshes temporary credentials).
 */
export class AwsCredentialExpiry {
  #read: (() => Promise<number | null>) | null = null;
  #expiresAt: number | null = null;
  #readAt = -Infinity;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Starts tracking the credentials of a new client (`read`: its API's `credentialExpiry`). */
  async open(read: (() => Promise<number | null>) | undefined): Promise<void> {
    this.#read = read ?? null;
    this.#expiresAt = read ? await read() : null;
    this.#readAt = this.#now();
  }

  /** `{ credentialExpiries }` for the status, when an expiry is known. */
  details(): { credentialExpiries?: Array<{ credential: string; expiresAt: number; what: string; fix: string }> } {
    const read = this.#read;
    if (read && this.#now() - this.#readAt >= 60_000) {
      this.#readAt = this.#now();
      void read().then((at) => { this.#expiresAt = at; });
    }
    return this.#expiresAt === null ? {} : { credentialExpiries: [{ credential: 'credentials', expiresAt: this.#expiresAt, what: 'temporary AWS credentials (from the AWS SDK default provider chain)', fix: TEMPORARY_CREDENTIALS_FIX }] };
  }
}
