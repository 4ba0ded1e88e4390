/**
 * ServiceBusApi on @azure/service-bus 7.x: one ServiceBusClient (one AMQP connection) per
 * integration, a peek-lock receiver with the SDK's automatic lock renewal off (the source renews
 * locks itself, so it can count renewals and keep a lock exactly while it needs it), session
 * receivers whose session lock the SDK renews up to maxLockRenewalSeconds, and senders cached per
 * entity for downlinks. Only `definition.ts` imports this file, lazily.
 */
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusReceiver, ServiceBusSender, ServiceBusSessionReceiver } from '@azure/service-bus';
import { Receiver } from 'rhea-promise';
import { guardReceiverAddress } from '../azure-common/index.ts';
import type { ResolvedServiceBusConfig } from './config-spec.ts';
import type { EntityReceiver, MessageSettler, ServiceBusApi, ServiceBusMessage, ServiceBusReceivedMessage, SessionReceiver } from './service-bus-api.ts';

guardReceiverAddress(Receiver);

function settler(r: ServiceBusReceiver): MessageSettler {
  return {
    complete: (m) => r.completeMessage(m),
    abandon: (m) => r.abandonMessage(m),
    deadLetter: (m, reason, description) => r.deadLetterMessage(m, { deadLetterReason: reason, deadLetterErrorDescription: description }),
  };
}

function sessionReceiver(s: ServiceBusSessionReceiver): SessionReceiver {
  return {
    ...settler(s),
    sessionId: s.sessionId,
    receive: (max, waitMs, signal) => s.receiveMessages(max, { maxWaitTimeInMs: waitMs, ...(signal ? { abortSignal: signal } : {}) }),
    close: () => s.close(),
  };
}

export class SdkServiceBusApi implements ServiceBusApi {
  private readonly client: ServiceBusClient;
  private readonly c: ResolvedServiceBusConfig;
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(c: ResolvedServiceBusConfig, opts: { maxRetries?: number } = {}) {
    this.c = c;
    this.client = new ServiceBusClient(c.connectionString, {
      retryOptions: { maxRetries: opts.maxRetries ?? 3, retryDelayInMs: 500, maxRetryDelayInMs: 10_000, timeoutInMs: 30_000 },
    });
  }

  private args(): [string] | [string, string] {
    return this.c.topicName === undefined ? [this.c.queueName ?? ''] : [this.c.topicName, this.c.subscriptionName ?? ''];
  }

  receiver(): EntityReceiver {
    const [entity, sub] = this.args();
    const opts = { receiveMode: 'peekLock' as const, maxAutoLockRenewalDurationInMs: 0 };
    const r = sub === undefined ? this.client.createReceiver(entity, opts) : this.client.createReceiver(entity, sub, opts);
    return {
      ...settler(r),
      subscribe: (handlers, maxConcurrentCalls) => r.subscribe({
        processMessage: (m: ServiceBusReceivedMessage) => handlers.processMessage(m),
        processError: (args) => handlers.processError(args.error),
      }, { autoCompleteMessages: false, maxConcurrentCalls }),
      renewLock: (m) => r.renewMessageLock(m),
      peek: (count, signal) => r.peekMessages(count, signal ? { abortSignal: signal } : {}),
      close: () => r.close(),
    };
  }

  async acceptNextSession(signal?: AbortSignal): Promise<SessionReceiver> {
    const [entity, sub] = this.args();
    const opts = { receiveMode: 'peekLock' as const, maxAutoLockRenewalDurationInMs: this.c.maxLockRenewalSeconds * 1000, ...(signal ? { abortSignal: signal } : {}) };
    const s = sub === undefined ? await this.client.acceptNextSession(entity, opts) : await this.client.acceptNextSession(entity, sub, opts);
    return sessionReceiver(s);
  }

  async send(queueOrTopic: string, messages: ServiceBusMessage[], signal?: AbortSignal): Promise<void> {
    let sender = this.senders.get(queueOrTopic);
    if (sender === undefined) {
      sender = this.client.createSender(queueOrTopic);
      this.senders.set(queueOrTopic, sender);
    }
    await sender.sendMessages(messages, signal ? { abortSignal: signal } : {});
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.senders.values()].map((s) => s.close()));
    await this.client.close();
  }
}
