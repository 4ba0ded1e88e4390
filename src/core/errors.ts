/**
 * The Cloudbridge error catalogue. Every failure that reaches a user (API response, event,
 * dead letter, log line, CLI output) carries one of these codes. Connectors translate SDK and
 * protocol errors into them at the edge. `docs/errors.md` is generated from `ERROR_CATALOGUE`.
 */
export const ERROR_CATALOGUE = {
  CONFIG_INVALID: { retryable: false, summary: 'A configuration value is invalid.', fix: 'Correct the named field as described and save again.' },
  NOT_FOUND: { retryable: false, summary: 'The requested object does not exist.', fix: 'Check the name or id.' },
  CONFLICT: { retryable: false, summary: 'An object with that name already exists or is still referenced.', fix: 'Use another name, or remove the reference first.' },
  UNAUTHORIZED: { retryable: false, summary: 'Missing or invalid API token.', fix: 'Send "Authorization: Bearer <token>" with a valid token.' },
  FORBIDDEN: { retryable: false, summary: 'The token is valid but its role does not allow this action.', fix: 'Use an admin token.' },
  CONVERTER_COMPILE: { retryable: false, summary: 'The converter script does not compile.', fix: 'Fix the syntax error shown and save the converter again.' },
  CONVERTER_RUNTIME: { retryable: false, summary: 'The converter script threw an error.', fix: 'Fix the script (test it with POST /api/v1/converters/test), then replay the dead letters.' },
  CONVERTER_TIMEOUT: { retryable: false, summary: 'The converter exceeded its time limit.', fix: 'Remove long or endless loops, or raise limits.timeoutMs.' },
  CONVERTER_MEMORY: { retryable: false, summary: 'The converter exceeded its memory limit.', fix: 'Reduce the memory the script allocates, or raise limits.memoryMb.' },
  CONVERTER_CRASHED: { retryable: false, summary: 'Converting this message crashed or hung the converter sandbox (it was restarted); the message is not retried.', fix: 'Fix the converter (test it on the dead letter\'s payload), then replay the dead letter.' },
  CONVERTER_OUTPUT: { retryable: false, summary: 'The converter output is not a valid result.', fix: 'Return {deviceName, telemetry?, attributes?} (or an array of them); the message names the bad field.' },
  CONVERTER_QUARANTINED: { retryable: false, summary: 'The converter failed too many times in a row and is quarantined.', fix: 'Fix the converter; quarantine ends when it is updated or after the quarantine period.' },
  PAYLOAD_INVALID: { retryable: false, summary: 'The message payload could not be parsed.', fix: 'Check what the device sends, or make the converter tolerate it.' },
  DEVICE_CREATION_FORBIDDEN: { retryable: false, summary: 'The device does not exist and the integration may not create devices.', fix: 'Enable allowCreateDevices on the integration or create the device first.' },
  SANDBOX_UNAVAILABLE: { retryable: true, summary: 'A converter sandbox process could not be started; the batch is not acknowledged and is tried again.', fix: 'Check the machine\'s memory and process limits (and the installation); intake resumes automatically.' },
  STORE_UNAVAILABLE: { retryable: true, summary: 'The store could not commit.', fix: 'Check the database (disk space, connectivity); intake resumes automatically.' },
  CONNECTION_FAILED: { retryable: true, summary: 'The connector could not reach its cloud endpoint.', fix: 'Check host, port, network and TLS settings.' },
  CONNECTION_TIMEOUT: { retryable: true, summary: 'The connection attempt timed out.', fix: 'Check the endpoint address (region) and that the port is reachable.' },
  AUTH_FAILED: { retryable: false, summary: 'The cloud rejected the credentials.', fix: 'Check the credentials named in the message.' },
  PERMISSION_DENIED: { retryable: false, summary: 'The cloud denied an operation.', fix: 'Grant the permission named in the message.' },
  TLS_FAILED: { retryable: false, summary: 'The TLS handshake failed.', fix: 'Check the CA certificate, client certificate and key.' },
  DOWNLINK_FAILED: { retryable: true, summary: 'A downlink could not be sent.', fix: 'See the reason; the downlink can be sent again.' },
  DOWNLINK_UNSUPPORTED: { retryable: false, summary: 'The integration has no downlink converter or its connector cannot send downlinks.', fix: 'Configure a downlink converter on an integration whose connector supports downlink.' },
  INTEGRATION_NOT_RUNNING: { retryable: true, summary: 'The integration is not running.', fix: 'Enable the integration, and check its status for the last error.' },
  LEASE_LOST: { retryable: true, summary: 'This instance no longer owns the partition: another instance took over its lease. Nothing of the batch was stored; the new owner reads it.', fix: 'Nothing to do when instances come and go; if it repeats, raise leaseDurationSeconds or check that the instances\' clocks and database connections are healthy.' },
  FORWARD_REFUSED: { retryable: false, summary: 'A forwarder\'s peer (ThingsBoard) refused the data of a device; the rows were moved to the dead letters (stage forward) with the reason.', fix: 'Follow the fix in the dead letter\'s error (device limit, converter output), then replay it.' },
  OUTBOX_RETENTION: { retryable: false, summary: 'A forwarder did not deliver this outbox row within the outbox retention (its age or the maximum number of rows waiting): it was moved to the dead letters instead of being sent.', fix: 'Bring the forwarder\'s peer back (see the forwarder\'s status for why it does not deliver), then replay the dead letters of stage forward: replay puts the rows back in the outbox. Raise the retention if outages last longer.' },
  SHUTTING_DOWN: { retryable: true, summary: 'The service is shutting down.', fix: 'Retry after restart.' },
  INTERNAL: { retryable: true, summary: 'An unexpected internal error.', fix: 'Report it with the log line that carries the same time.' },
} as const satisfies Record<string, { retryable: boolean; summary: string; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetails {
  /** The config field (JSON pointer-ish, e.g. `integrations[0].config.port`) the error is about. */
  field?: string;
  [key: string]: unknown;
}

export class CloudbridgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  /**
   * `retryable` defaults to the catalogue's value for `code`, and may only turn a retryable code
   * into a non-retryable error (e.g. a CONNECTION_FAILED that a wrong region causes): a code the
   * catalogue calls non-retryable is never raised as retryable.
   */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CloudbridgeError';
    this.code = code;
    this.retryable = ERROR_CATALOGUE[code].retryable && (options?.retryable ?? true);
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; retryable: boolean; details: ErrorDetails } {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** The catalogue's advice for `code` (unknown codes: none). */
export function fixFor(code: string): string | null {
  return Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code as ErrorCode].fix : null;
}

export function isCloudbridgeError(err: unknown): err is CloudbridgeError {
  return err instanceof CloudbridgeError;
}

/**
 * A delivery the pipeline did not commit (store unavailable, converters unable to run, lease lost,
 * shutting down): nothing of it is stored and nothing may be acknowledged. `retryAfterMs` is the
 * pipeline's own retry delay: a source that redelivers on demand (nack, abandon, rewind) waits
 * that long instead of redelivering at once.
 */
export class DeliveryRejectedError extends CloudbridgeError {
  readonly retryAfterMs: number;

  constructor(cause: CloudbridgeError, retryAfterMs: number) {
    super(cause.code, cause.message, cause.details, { cause, retryable: cause.retryable });
    this.name = 'DeliveryRejectedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The delay a rejected delivery asks for before the source offers its messages again: the
 * pipeline's `retryAfterMs` for a DeliveryRejectedError, null for anything else (an abort).
 */
export function retryAfterMs(err: unknown): number | null {
  return err instanceof DeliveryRejectedError ? err.retryAfterMs : null;
}

/** Wraps anything thrown into a CloudbridgeError, keeping a CloudbridgeError as it is. */
export function toCloudbridgeError(err: unknown, fallback: ErrorCode = 'INTERNAL'): CloudbridgeError {
  if (err instanceof CloudbridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CloudbridgeError(fallback, message, {}, { cause: err });
}
