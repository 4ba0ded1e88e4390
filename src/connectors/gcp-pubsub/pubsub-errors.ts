/**
 * Translates @google-cloud/pubsub errors (gRPC status codes, google-auth-library failures, socket
 * errors) into CloudbridgeErrors whose message names the resource, the cause and the fix. Messages
 * name the subscription, topic, endpoint and service account e-mail; never a key.
 */
import { CloudbridgeError } from '../../core/errors.ts';

export interface PubSubErrorContext {
  /** The RPC, e.g. `StreamingPull`, `GetSubscription`, `Publish`. */
  operation: string;
  /** Full path of the subscription or topic the call was about. */
  resource: string;
  resourceKind: 'subscription' | 'topic';
  /** The config field naming it (`subscription`, `downlinkTopic`). */
  field: string;
  /** The project in projectId (to say when the resource is in another one). */
  projectId: string;
  /** From PubSubApi.describeCredentials(). */
  credentials: string;
  /** The endpoint, when one is configured. */
  endpoint: string | undefined;
}

export const GRPC = {
  CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13, UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** What google-auth-library and grpc-js say when the key itself is refused or unusable. */
const KEY_REFUSED = /invalid_grant|Invalid JWT|invalid_client|unauthorized_client|account not found|DECODER routines|PEM routines|error:1E08010C|Getting metadata from plugin failed/i;
const NO_ADC = /Could not load the default credentials|Unable to detect a Project Id/i;
const SOCKET = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)\b/;

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function detailOf(err: unknown): string {
  const e = err as { details?: unknown; message?: unknown } | null;
  const text = typeof e?.details === 'string' && e.details ? e.details : typeof e?.message === 'string' ? e.message : String(err);
  // Never echo anything that looks like key material.
  return text.replace(/-----BEGIN[\s\S]*?-----END[^-]*-----/g, '[key]').slice(0, 300);
}

function projectOf(path: string): string {
  return /^projects\/([^/]+)\//.exec(path)?.[1] ?? '';
}

export function translatePubSubError(err: unknown, ctx: PubSubErrorContext): CloudbridgeError {
  if (err instanceof CloudbridgeError) return err;
  const code = grpcCode(err);
  const detail = detailOf(err);
  const details = { field: ctx.field, operation: ctx.operation, grpcCode: code ?? null };
  const opts = { cause: err };
  const where = `${ctx.resourceKind} ${ctx.resource}`;
  const otherProject = projectOf(ctx.resource) !== ctx.projectId ? ` (in project ${projectOf(ctx.resource)}, not projectId ${ctx.projectId})` : '';

  if (NO_ADC.test(detail)) {
    return new CloudbridgeError('AUTH_FAILED', `No Google credentials: credentials is empty and Application Default Credentials found none (${detail}). Paste a service account JSON key into credentials, or set GOOGLE_APPLICATION_CREDENTIALS / run on a host with a service account attached.`, { ...details, field: 'credentials' }, opts);
  }
  if (code === GRPC.UNAUTHENTICATED || KEY_REFUSED.test(detail)) {
    return new CloudbridgeError('AUTH_FAILED', `Google rejected ${ctx.credentials} during ${ctx.operation} (${detail}): the key is invalid, expired, deleted or disabled, or the service account was deleted. Rotate the key: create a new JSON key for the service account and paste it into credentials.`, { ...details, field: 'credentials' }, opts);
  }
  if (code === GRPC.PERMISSION_DENIED) {
    const role = ctx.operation === 'GetSubscription' || ctx.operation === 'GetTopic'
      ? `roles/pubsub.viewer on the ${ctx.resourceKind} (reading its settings needs pubsub.${ctx.resourceKind}s.get, which roles/pubsub.${ctx.resourceKind === 'topic' ? 'publisher' : 'subscriber'} does not include)`
      : ctx.resourceKind === 'topic' ? 'roles/pubsub.publisher on the topic' : 'roles/pubsub.subscriber on the subscription (and roles/pubsub.publisher on downlinkTopic for downlinks)';
    return new CloudbridgeError('PERMISSION_DENIED', `${ctx.credentials} may not ${ctx.operation} on ${where}${otherProject} (${detail}): grant it ${role}. Also check that the Pub/Sub API is enabled in the project.`, details, opts);
  }
  if (code === GRPC.NOT_FOUND) {
    const what = ctx.resourceKind === 'topic' ? `Topic ${ctx.resource} does not exist` : `Subscription ${ctx.resource} does not exist`;
    return new CloudbridgeError('NOT_FOUND', `${what}${otherProject} (${detail}): check ${ctx.field} and projectId — wrong project, a typo, a deleted ${ctx.resourceKind}, or one in another project the service account cannot see (give the full path projects/<project>/${ctx.resourceKind}s/<name>).`, details, opts);
  }
  if (code === GRPC.INVALID_ARGUMENT) {
    return new CloudbridgeError('CONFIG_INVALID', `Pub/Sub does not accept ${ctx.operation} on ${where} (${detail}): check ${ctx.field} and projectId.`, details, opts);
  }
  if (code === GRPC.FAILED_PRECONDITION) {
    return new CloudbridgeError('CONFIG_INVALID', `Pub/Sub refused ${ctx.operation} on ${where} (${detail}): a push subscription cannot be pulled from, and a detached subscription delivers nothing; use a pull subscription.`, details, { ...opts, retryable: false });
  }
  if (code === GRPC.RESOURCE_EXHAUSTED) {
    return new CloudbridgeError('CONNECTION_FAILED', `Pub/Sub quota exhausted during ${ctx.operation} on ${where} (${detail}): Cloudbridge backs off and retries; check the project's Pub/Sub quotas.`, details, opts);
  }
  if (code === GRPC.DEADLINE_EXCEEDED) {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `${ctx.operation} on ${where} timed out (${detail}): Cloudbridge retries. Check the network path to ${ctx.endpoint ?? 'pubsub.googleapis.com'}.`, details, opts);
  }
  if (code === GRPC.UNAVAILABLE || SOCKET.test(detail)) {
    return new CloudbridgeError('CONNECTION_FAILED', `Pub/Sub at ${ctx.endpoint ?? 'pubsub.googleapis.com'} is unreachable during ${ctx.operation} (${detail}): Cloudbridge retries. Check apiEndpoint, DNS, proxies and firewalls (gRPC over port 443).`, details, opts);
  }
  return new CloudbridgeError('CONNECTION_FAILED', `${ctx.operation} on ${where} failed (${detail}); Cloudbridge retries.`, details, opts);
}
