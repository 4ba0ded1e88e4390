/**
 * AMQP error conditions the Azure SDKs translate (docs/azure-amqp.md §6), and the shape of an
 * AMQP error as the double sends it on a detach, a rejected outcome or a management response.
 */
export const CONDITIONS = {
  notFound: 'amqp:not-found',
  unauthorized: 'amqp:unauthorized-access',
  linkStolen: 'amqp:link:stolen',
  linkRedirect: 'amqp:link:redirect',
  messageSizeExceeded: 'amqp:link:message-size-exceeded',
  resourceLimitExceeded: 'amqp:resource-limit-exceeded',
  internalError: 'amqp:internal-error',
  notAllowed: 'amqp:not-allowed',
  notImplemented: 'amqp:not-implemented',
  connectionForced: 'amqp:connection:forced',
  detachForced: 'amqp:link:detach-forced',
  argumentOutOfRange: 'com.microsoft:argument-out-of-range',
  argumentError: 'com.microsoft:argument-error',
  messageLockLost: 'com.microsoft:message-lock-lost',
  sessionLockLost: 'com.microsoft:session-lock-lost',
  sessionCannotBeLocked: 'com.microsoft:session-cannot-be-locked',
  messageNotFound: 'com.microsoft:message-not-found',
  deadLetter: 'com.microsoft:dead-letter',
  serverBusy: 'com.microsoft:server-busy',
  timeout: 'com.microsoft:timeout',
} as const;

export interface AmqpErrorInfo {
  condition: string;
  description: string;
  info?: Record<string, unknown>;
}

export function amqpError(condition: string, description: string, info?: Record<string, unknown>): AmqpErrorInfo {
  return info === undefined ? { condition, description } : { condition, description, info };
}

/** The management status code a condition maps to (what Azure returns on `$management`). */
export function statusForCondition(condition: string): number {
  switch (condition) {
    case CONDITIONS.notFound:
    case CONDITIONS.messageNotFound:
      return 404;
    case CONDITIONS.unauthorized:
      return 401;
    case CONDITIONS.messageLockLost:
    case CONDITIONS.sessionLockLost:
    case CONDITIONS.sessionCannotBeLocked:
      return 410;
    case CONDITIONS.argumentError:
    case CONDITIONS.argumentOutOfRange:
      return 400;
    case CONDITIONS.serverBusy:
      return 503;
    case CONDITIONS.resourceLimitExceeded:
      return 403;
    default:
      return 500;
  }
}
