/**
 * Azure SDK (`@azure/core-amqp` MessagingError, `@azure/service-bus` ServiceBusError, azure-iot
 * errors) and socket errors translated into CloudbridgeErrors that name the cause, the field and the
 * fix. Shared by every Azure connector: the connector names itself, its entity and the rights its
 * policy needs, and may add its own cases (`cases`) ahead of the general ones. Never a secret: SAS
 * signatures and keys in an error's text are masked.
 */
import { CloudbridgeError, isCloudbridgeError, type ErrorCode } from '../../core/errors.ts';

export interface AzureErrorContext {
  /** `Event Hubs`, `Service Bus`, `IoT Hub`: the service, in messages. */
  connector: string;
  /** The config field the failure is most likely about (the entity's name field). */
  field: string;
  /** What was being done, e.g. `reading partition 2`, `sending a downlink`. */
  operation: string;
  /** The entity, e.g. `event hub "telemetry"`. */
  entity: string;
  /** The namespace or hub host (no key). */
  host?: string | undefined;
  /** The shared access policy name (SharedAccessKeyName). */
  keyName?: string | undefined;
  /** The rights the policy needs for what the connector does, e.g. `Listen (and Send for downlinks)`. */
  rights: string;
  /** Said when a receiver was taken away or a reader limit was hit (Event Hubs: use a dedicated consumer group). */
  readerConflictFix?: string | undefined;
  /** Said for `argument-out-of-range` (a partition id, a position past the end). */
  outOfRangeFix?: string | undefined;
  /** Extra details for every translated error (partition id, consumer group…). */
  details?: Record<string, unknown> | undefined;
  /** Connector-specific cases, tried first; undefined: not handled. */
  cases?: ((facts: AzureErrorFacts) => CloudbridgeError | undefined) | undefined;
}

export interface AzureErrorFacts {
  err: unknown;
  /** The SDK error code (`UnauthorizedError`, `MessagingEntityNotFound`…), the AMQP condition or the socket code; '' when none. */
  code: string;
  /** The AMQP condition when the error carries one. */
  condition: string;
  /** The error's text, secrets masked. */
  detail: string;
  details: Record<string, unknown>;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  condition?: unknown;
  message?: unknown;
  description?: unknown;
  cause?: unknown;
  innerError?: unknown;
  amqpError?: unknown;
  retryable?: unknown;
  syscall?: unknown;
}

const AUTH = new Set(['UnauthorizedError', 'UnauthorizedAccess', 'amqp:unauthorized-access', 'com.microsoft:auth-failed', 'UnauthorizedAccessError']);
const NOT_FOUND = new Set(['MessagingEntityNotFoundError', 'MessagingEntityNotFound', 'amqp:not-found', 'DeviceNotFoundError']);
const STOLEN = new Set(['ReceiverDisconnectedError', 'amqp:link:stolen']);
const QUOTA = new Set(['QuotaExceededError', 'QuotaExceeded', 'amqp:resource-limit-exceeded']);
const BUSY = new Set(['ServerBusyError', 'ServiceBusy', 'com.microsoft:server-busy', 'ThrottledError']);
const OUT_OF_RANGE = new Set(['ArgumentOutOfRangeError', 'com.microsoft:argument-out-of-range']);
const TOO_LARGE = new Set(['MessageTooLargeError', 'MessageSizeExceeded', 'amqp:link:message-size-exceeded']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const TIMEOUT = new Set(['ETIMEDOUT', 'OperationTimeoutError', 'ServiceTimeout', 'com.microsoft:timeout', 'ServiceUnavailableError']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ConnectionForcedError', 'DetachForcedError', 'amqp:connection:forced', 'amqp:link:detach-forced', 'ConnectionLostError', 'ServiceCommunicationError', 'InsufficientCreditError', 'SystemError', 'GeneralError', 'InternalServerError', 'amqp:internal-error']);
const TLS = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_)/;

/** Masks SAS signatures and keys (`sig=…`, `SharedAccessKey=…`). */
export function maskAzureSecrets(text: string): string {
  return text.replace(/(sig=)[^&\s;"]+/gi, '$1***').replace(/(SharedAccessKey=)[^;\s"]+/gi, '$1***').replace(/(SharedAccessSignature\s+)[^\s"]+/gi, '$1***');
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The SDK error code, the AMQP condition or the socket code of `err` (looking into its causes). */
export function azureErrorCode(err: unknown): { code: string; condition: string } {
  let code = '';
  let condition = '';
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const s = e as ErrorShape;
    condition ||= str(s.condition);
    const c = str(s.code) || (str(s.name) !== 'Error' && str(s.name) !== 'MessagingError' && str(s.name) !== 'ServiceBusError' ? str(s.name) : '');
    code ||= c;
    e = s.cause ?? s.innerError ?? s.amqpError;
  }
  return { code: code || condition, condition };
}

function detailOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const s = err as ErrorShape;
    const text = str(s.message) || str(s.description);
    if (text) return maskAzureSecrets(text);
  }
  return maskAzureSecrets(String(err));
}

/** Errors the service or network will likely get over by itself (the SDK's own `retryable`, else by code). */
export function isRetryableAzureError(err: unknown): boolean {
  const t = translateAzureError(err, { connector: 'Azure', field: '', operation: '', entity: '', rights: '' });
  return t.retryable;
}

export function translateAzureError(err: unknown, ctx: AzureErrorContext): CloudbridgeError {
  if (isCloudbridgeError(err)) return err;
  const { code, condition } = azureErrorCode(err);
  const detail = detailOf(err);
  const details: Record<string, unknown> = { operation: ctx.operation, azureCode: code || undefined, ...ctx.details };
  const facts: AzureErrorFacts = { err, code, condition, detail, details };
  const own = ctx.cases?.(facts);
  if (own) return own;
  const make = (c: ErrorCode, message: string, extra: Record<string, unknown> = {}, retryable?: boolean): CloudbridgeError =>
    new CloudbridgeError(c, message, { ...details, ...extra }, { cause: err, ...(retryable === undefined ? {} : { retryable }) });
  const is = (set: Set<string>): boolean => set.has(code) || set.has(condition);
  const at = ctx.host ? ` at ${ctx.host}` : '';
  const policy = ctx.keyName ? `shared access policy "${ctx.keyName}"` : 'the shared access policy';
  if (is(AUTH)) {
    return make('AUTH_FAILED', `${ctx.connector}${at} refused ${policy} while ${ctx.operation} (${detail}): check that the key in connectionString is current (keys can be regenerated in the portal) and that the policy has the rights ${ctx.rights} on ${ctx.entity}.`, { field: 'connectionString' });
  }
  if (is(STOLEN)) {
    return make('CONNECTION_FAILED', `Another reader took ${ctx.entity} away while ${ctx.operation} (${detail}). ${ctx.readerConflictFix ?? 'Another client opened a receiver with a higher owner level.'}`);
  }
  if (is(QUOTA)) {
    return make('CONNECTION_FAILED', `${ctx.connector} refused ${ctx.operation} on ${ctx.entity}: a limit was reached (${detail}). ${ctx.readerConflictFix ?? ''}`.trim());
  }
  if (is(NOT_FOUND) || (code === 'ServiceCommunicationError' && /could not be found|not found|does not exist/i.test(detail) && !DNS.has(str((err as ErrorShape)?.code)))) {
    return make('NOT_FOUND', `${ctx.connector}${at} says ${ctx.entity} does not exist (${detail}): check ${ctx.field} (names are per namespace and case-insensitive).`, { field: ctx.field });
  }
  if (is(OUT_OF_RANGE)) {
    return make('CONFIG_INVALID', `${ctx.connector} refused ${ctx.operation} on ${ctx.entity} as out of range (${detail}). ${ctx.outOfRangeFix ?? ''}`.trim(), { field: ctx.field });
  }
  if (is(TOO_LARGE)) {
    return make('DOWNLINK_FAILED', `${ctx.connector} refused a message to ${ctx.entity} as too large (${detail}): make the downlink converter's output smaller.`, { field: 'downlinkConverter' }, false);
  }
  if (is(BUSY)) {
    return make('CONNECTION_FAILED', `${ctx.connector} is busy (throttling ${ctx.operation} on ${ctx.entity}: ${detail}); Cloudbridge backs off and retries. If it persists, raise the namespace's throughput units or processing units.`);
  }
  if (DNS.has(code) || /getaddrinfo/i.test(detail)) {
    return make('CONNECTION_FAILED', `The host${at || ` of ${ctx.entity}`} was not found (${code || detail}): check the namespace name in connectionString (Endpoint=sb://<namespace>.servicebus.windows.net/) and DNS.`, { field: 'connectionString' }, false);
  }
  if (TLS.test(code)) {
    return make('TLS_FAILED', `The TLS handshake with ${ctx.host ?? ctx.connector} failed (${code}: ${detail}): the host's certificate is not trusted by this machine (a TLS-inspecting proxy?); add its CA with NODE_EXTRA_CA_CERTS.`);
  }
  if (TIMEOUT.has(code) || code === 'AbortError' || /timed? ?out/i.test(detail)) {
    return make('CONNECTION_TIMEOUT', `${ctx.connector}${at} did not answer in time while ${ctx.operation} (${code || detail}); Cloudbridge retries. Check that port 5671 (AMQP over TLS) is open to ${ctx.host ?? 'the namespace'}.`);
  }
  if (NETWORK.has(code)) {
    return make('CONNECTION_FAILED', `The connection to ${ctx.connector}${at} failed while ${ctx.operation} (${code}: ${detail}); Cloudbridge reconnects.`);
  }
  const retryable = (err as ErrorShape | null)?.retryable;
  return make('CONNECTION_FAILED', `${ctx.connector} failed while ${ctx.operation} on ${ctx.entity} (${code ? `${code}: ` : ''}${detail}).`, {}, retryable === false ? false : undefined);
}
