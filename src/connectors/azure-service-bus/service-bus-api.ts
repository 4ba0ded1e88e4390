/**
 * The narrow client the `azure-service-bus` source uses (unit tests can fake it); the SDK's own
 * message shapes are imported as types only, so nothing loads @azure/service-bus but
 * `sdk-service-bus-api.ts`, which `sdkApiFor` imports on first use.
 */
import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';

export type { ServiceBusMessage, ServiceBusReceivedMessage };

/** Settles peek-locked messages of one receiver (or session). */
export interface MessageSettler {
  complete(m: ServiceBusReceivedMessage): Promise<void>;
  abandon(m: ServiceBusReceivedMessage): Promise<void>;
  deadLetter(m: ServiceBusReceivedMessage, reason: string, description: string): Promise<void>;
}

export interface StreamHandlers {
  /** Resolves when the message is settled; the SDK then gives the link one more credit. */
  processMessage(m: ServiceBusReceivedMessage): Promise<void>;
  processError(err: unknown): Promise<void>;
}

/** A non-session peek-lock receiver of the entity. */
export interface EntityReceiver extends MessageSettler {
  /** Streams messages to `handlers`, at most `maxConcurrentCalls` unsettled at once; no automatic lock renewal. */
  subscribe(handlers: StreamHandlers, maxConcurrentCalls: number): { close(): Promise<void> };
  /** Renews a message's lock; resolves with the new locked-until time. */
  renewLock(m: ServiceBusReceivedMessage): Promise<Date>;
  /** Peeks without locking (consumes nothing). */
  peek(count: number, signal?: AbortSignal): Promise<ServiceBusReceivedMessage[]>;
  close(): Promise<void>;
}

/** One accepted session: its messages in order, its lock renewed by the SDK up to maxLockRenewalSeconds. */
export interface SessionReceiver extends MessageSettler {
  readonly sessionId: string;
  receive(maxMessages: number, maxWaitTimeMs: number, signal?: AbortSignal): Promise<ServiceBusReceivedMessage[]>;
  close(): Promise<void>;
}

export interface ServiceBusApi {
  receiver(): EntityReceiver;
  /** The oldest session with a message available and no receiver; rejects (ServiceTimeout, SessionCannotBeLocked) when there is none. */
  acceptNextSession(signal?: AbortSignal): Promise<SessionReceiver>;
  send(queueOrTopic: string, messages: ServiceBusMessage[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export type ServiceBusApiFactory = () => ServiceBusApi | Promise<ServiceBusApi>;
