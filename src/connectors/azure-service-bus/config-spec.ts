/**
 * Config spec of the `azure-service-bus` connector, its defaults, and the resolved config (the
 * connection string parsed, the entity named from the fields or from its EntityPath).
 */
import { Type, type Static } from '@sinclair/typebox';
import { parseServiceBusConnectionString, type ServiceBusConnection } from './connection-string.ts';

export const SERVICE_BUS_DEFAULTS = {
  maxInFlight: 1000,
  prefetchCount: 0,
  maxLockRenewalSeconds: 3600,
  deadLetterOnConverterFailure: false,
  sessions: 'auto' as 'auto' | 'on' | 'off',
  maxConcurrentSessions: 8,
  sessionIdleMs: 1000,
} as const;

export const ServiceBusConfigSpec = Type.Object({
  connectionString: Type.String({
    minLength: 1, secret: true,
    description: 'Connection string of a shared access policy of the namespace (or of the queue / topic): Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…]. The policy needs Listen (and Send when downlinkQueueOrTopic is set). From the portal: Service Bus namespace → Shared access policies.',
    examples: ['Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=cloudbridge;SharedAccessKey=…'],
  }),
  queueName: Type.Optional(Type.String({ minLength: 1, description: 'Queue to consume. Set this, or topicName and subscriptionName. Default: the EntityPath of the connection string.', examples: ['telemetry'] })),
  topicName: Type.Optional(Type.String({ minLength: 1, description: 'Topic whose subscription is consumed (with subscriptionName).', examples: ['telemetry'] })),
  subscriptionName: Type.Optional(Type.String({ minLength: 1, description: 'Subscription of topicName to consume.', examples: ['cloudbridge'] })),
  maxInFlight: Type.Optional(Type.Integer({
    minimum: 1, maximum: 10_000, default: SERVICE_BUS_DEFAULTS.maxInFlight,
    description: 'Most messages received and not yet settled at once (the SDK\'s maxConcurrentCalls): each holds a lock until its results are committed and it is completed.',
    examples: [1000],
  })),
  prefetchCount: Type.Optional(Type.Integer({
    minimum: 0, maximum: 10_000, default: SERVICE_BUS_DEFAULTS.prefetchCount,
    description: 'Session entities: messages received per call in a session (0: maxInFlight / maxConcurrentSessions). Non-session entities receive up to maxInFlight without prefetching beyond it.',
    examples: [100],
  })),
  maxLockRenewalSeconds: Type.Optional(Type.Integer({
    minimum: 0, maximum: 86_400, default: SERVICE_BUS_DEFAULTS.maxLockRenewalSeconds,
    description: 'How long Cloudbridge keeps renewing the lock of a message (or session) it could not store yet (a stalled store). After that the lock expires and Service Bus redelivers the message (delivery count + 1; recognised as a duplicate if it was stored meanwhile). 0: never renew.',
    examples: [3600],
  })),
  deadLetterOnConverterFailure: Type.Optional(Type.Boolean({
    default: SERVICE_BUS_DEFAULTS.deadLetterOnConverterFailure,
    description: 'false (default, as ThingsBoard): a message the converter cannot handle is dead-lettered in Cloudbridge and completed. true: it is also moved to the entity\'s Service Bus dead-letter queue, with the reason (the error code) and description.',
  })),
  sessions: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off')], {
    default: SERVICE_BUS_DEFAULTS.sessions,
    description: 'auto (default): use sessions when the entity requires them (Cloudbridge asks Service Bus). on / off: assume it does / does not. With sessions, each session\'s messages are stored in order, several sessions in parallel.',
  })),
  maxConcurrentSessions: Type.Optional(Type.Integer({
    minimum: 1, maximum: 256, default: SERVICE_BUS_DEFAULTS.maxConcurrentSessions,
    description: 'Session entities: how many sessions are processed at once (each one in order).',
    examples: [8],
  })),
  downlinkQueueOrTopic: Type.Optional(Type.String({
    minLength: 1,
    description: 'Queue or topic downlinks are sent to, in the same namespace. The downlink converter\'s metadata become application properties, except messageId, sessionId, correlationId, subject, timeToLiveSeconds and scheduledEnqueueTime (ISO time or epoch ms), which set the message\'s own fields.',
    examples: ['commands'],
  })),
}, { additionalProperties: false, title: 'Azure Service Bus' });

export type ServiceBusConfig = Static<typeof ServiceBusConfigSpec>;

export interface ResolvedServiceBusConfig {
  connection: ServiceBusConnection;
  /** The SDK's connection string: without EntityPath (the entity is named per receiver and sender). */
  connectionString: string;
  /** `queue`, or `topic/Subscriptions/subscription`: what status and messages show. */
  entityPath: string;
  queueName: string | undefined;
  topicName: string | undefined;
  subscriptionName: string | undefined;
  /** The field that names the entity, for errors. */
  entityField: 'queueName' | 'topicName' | 'connectionString';
  maxInFlight: number;
  prefetchCount: number;
  maxLockRenewalSeconds: number;
  deadLetterOnConverterFailure: boolean;
  sessions: 'auto' | 'on' | 'off';
  maxConcurrentSessions: number;
  downlinkQueueOrTopic: string | undefined;
}

export function resolveServiceBusConfig(config: ServiceBusConfig): ResolvedServiceBusConfig {
  const connection = parseServiceBusConnectionString(config.connectionString);
  const topicName = config.topicName;
  const queueName = topicName === undefined ? (config.queueName ?? connection.entityPath) : undefined;
  const entityPath = topicName === undefined ? (queueName ?? '') : `${topicName}/Subscriptions/${config.subscriptionName ?? ''}`;
  return {
    connection,
    connectionString: connection.withoutEntityPath,
    entityPath,
    queueName,
    topicName,
    subscriptionName: config.subscriptionName,
    entityField: topicName !== undefined ? 'topicName' : config.queueName !== undefined ? 'queueName' : 'connectionString',
    maxInFlight: config.maxInFlight ?? SERVICE_BUS_DEFAULTS.maxInFlight,
    prefetchCount: config.prefetchCount ?? SERVICE_BUS_DEFAULTS.prefetchCount,
    maxLockRenewalSeconds: config.maxLockRenewalSeconds ?? SERVICE_BUS_DEFAULTS.maxLockRenewalSeconds,
    deadLetterOnConverterFailure: config.deadLetterOnConverterFailure ?? SERVICE_BUS_DEFAULTS.deadLetterOnConverterFailure,
    sessions: config.sessions ?? SERVICE_BUS_DEFAULTS.sessions,
    maxConcurrentSessions: config.maxConcurrentSessions ?? SERVICE_BUS_DEFAULTS.maxConcurrentSessions,
    downlinkQueueOrTopic: config.downlinkQueueOrTopic || undefined,
  };
}
