/**
 * Settles messages with Service Bus once the pipeline has decided: complete after the commit,
 * dead-letter on Service Bus (with the reason and description) after a committed converter
 * failure when `deadLetterOnConverterFailure` is set, abandon when the source stops before the
 * message could be stored. A lost lock is not an error: the message comes back (delivery count +
 * 1) and is recognised as a duplicate once stored; it is counted. Never throws.
 */
import type { DeadLetteredMessage } from '../../core/connector.ts';
import type { Logger } from '../../core/logger.ts';
import type { MessageSettler, ServiceBusReceivedMessage } from './service-bus-api.ts';
import { isLockLost } from './service-bus-errors.ts';

export interface SettleCounters {
  completed: number;
  deadLetteredOnServiceBus: number;
  abandoned: number;
  lockLost: number;
  settleFailures: number;
}

export class Settler {
  readonly counters: SettleCounters = { completed: 0, deadLetteredOnServiceBus: 0, abandoned: 0, lockLost: 0, settleFailures: 0 };
  private readonly log: Logger;
  private readonly deadLetterOnConverterFailure: boolean;

  constructor(log: Logger, deadLetterOnConverterFailure: boolean) {
    this.log = log;
    this.deadLetterOnConverterFailure = deadLetterOnConverterFailure;
  }

  /** After the commit: complete, or dead-letter on Service Bus a message the converter failed (when configured). */
  async settle(by: MessageSettler, m: ServiceBusReceivedMessage, deadLetter: DeadLetteredMessage | undefined): Promise<void> {
    const toDlq = deadLetter !== undefined && this.deadLetterOnConverterFailure && deadLetter.stage !== 'provision';
    try {
      if (toDlq) {
        await by.deadLetter(m, deadLetter.errorCode, `${deadLetter.stage}: ${deadLetter.error}`.slice(0, 4096));
        this.counters.deadLetteredOnServiceBus++;
      } else {
        await by.complete(m);
        this.counters.completed++;
      }
    } catch (err) {
      this.failed(err, m, toDlq ? 'dead-letter' : 'complete');
    }
  }

  async abandon(by: MessageSettler, m: ServiceBusReceivedMessage): Promise<void> {
    try {
      await by.abandon(m);
      this.counters.abandoned++;
    } catch (err) {
      this.failed(err, m, 'abandon');
    }
  }

  /** The lock was lost before settlement (expired, or its link gone). */
  lost(): void {
    this.counters.lockLost++;
  }

  private failed(err: unknown, m: ServiceBusReceivedMessage, what: string): void {
    if (isLockLost(err)) {
      this.counters.lockLost++;
      this.log.debug({ messageId: String(m.messageId), what }, 'the message lock was lost; Service Bus redelivers the message and the store recognises it');
      return;
    }
    this.counters.settleFailures++;
    this.log.warn({ messageId: String(m.messageId), what, err: err instanceof Error ? err.message : String(err) }, 'could not settle a message; Service Bus redelivers it when its lock ends');
  }
}
