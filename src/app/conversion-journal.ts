/**
 * Attributes a stop of the whole Cloudbridge process to the message that was being converted,
 * so that a message which takes Cloudbridge down cannot do it again on every redelivery.
 *
 * Converters run in sandbox processes, so a converter crash never reaches Cloudbridge itself
 * (src/converters/sandbox/host/). What is left is Cloudbridge being killed while a conversion
 * runs long: the out-of-memory killer, an operator's `kill -9`, a watchdog. For that, a conversion
 * still running after JOURNAL_AFTER_MS is written to the store's conversion journal, and removed
 * when it ends; fast conversions never touch the store. At the next start, a journal entry means
 * Cloudbridge stopped during that conversion:
 * - one message: it is the one; when it comes back (a redelivery), it is dead-lettered with
 *   CONVERTER_CRASHED without being converted, and so acknowledged once;
 * - several: each of them is converted alone when it comes back (with its own journal entry), so
 *   a second stop names the message exactly.
 * Only redeliveries (dedupe mode `check`) are matched: an MQTT first delivery that happens to have
 * the same content is a new message.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { UplinkMessage } from '../core/model.ts';
import type { ConvertPort, UplinkConversion } from '../core/ports.ts';
import type { ConversionJournalStore } from '../store/types.ts';

/** A conversion running longer than this is journaled. */
export const JOURNAL_AFTER_MS = 1000;

export interface ConversionJournalOptions {
  store: ConversionJournalStore;
  integrationId: string;
  clock: Clock;
  log: Logger;
  journalAfterMs?: number;
}

function isRedelivery(m: UplinkMessage): boolean {
  return (m.dedupe ?? 'check') === 'check';
}

export class ConversionJournal {
  private readonly opts: ConversionJournalOptions;
  /** Messages that were converted alone when Cloudbridge stopped: dead-lettered when they come back. */
  private readonly poison = new Map<string, number>();
  /** Messages of a batch that was being converted when Cloudbridge stopped: converted alone. */
  private readonly suspects = new Set<string>();

  constructor(opts: ConversionJournalOptions) {
    this.opts = opts;
  }

  /** Takes over what the previous process left in the journal. */
  async load(): Promise<void> {
    const { store, integrationId, log } = this.opts;
    const entry = await store.getConversionJournal(integrationId);
    if (!entry) return;
    const [only] = entry.sourceKeys;
    if (entry.sourceKeys.length === 1 && only !== undefined) this.poison.set(only, entry.startedAt);
    else for (const key of entry.sourceKeys) this.suspects.add(key);
    log.warn({ messages: entry.sourceKeys.length, since: new Date(entry.startedAt).toISOString() },
      entry.sourceKeys.length === 1
        ? 'Cloudbridge stopped while converting a message: it will be dead-lettered (CONVERTER_CRASHED) when it is redelivered'
        : 'Cloudbridge stopped while converting a batch: its messages will be converted one at a time when they are redelivered');
    await store.clearConversionJournal(integrationId);
  }

  /** Converts a batch through `convert`: known poison dead-lettered, suspects alone, the rest together. */
  async convert(messages: UplinkMessage[], convert: ConvertPort): Promise<UplinkConversion[]> {
    if (this.poison.size === 0 && this.suspects.size === 0) return this.journaled(messages, convert);
    const out: Array<UplinkConversion | undefined> = new Array(messages.length);
    const rest: number[] = [];
    for (const [i, m] of messages.entries()) {
      const stoppedAt = isRedelivery(m) ? this.poison.get(m.sourceKey) : undefined;
      if (stoppedAt !== undefined) {
        this.poison.delete(m.sourceKey);
        out[i] = { ok: false, stage: 'convert', error: crashedError(stoppedAt) };
      } else if (isRedelivery(m) && this.suspects.delete(m.sourceKey)) {
        out[i] = (await this.journaled([m], convert))[0];
      } else {
        rest.push(i);
      }
    }
    if (rest.length > 0) {
      const converted = await this.journaled(rest.map((i) => messages[i] as UplinkMessage), convert);
      rest.forEach((i, k) => { out[i] = converted[k]; });
    }
    return out.map((c) => c ?? { ok: false, stage: 'convert', error: new CloudbridgeError('INTERNAL', 'no conversion result for this message') });
  }

  /** Runs `convert`, writing the journal entry if it is still running after the delay. */
  private async journaled(messages: UplinkMessage[], convert: ConvertPort): Promise<UplinkConversion[]> {
    const { store, integrationId, clock, log } = this.opts;
    const journal: { written: Promise<boolean> | null } = { written: null };
    const timer: TimerHandle = clock.setTimeout(() => {
      journal.written = store.setConversionJournal(integrationId, { sourceKeys: messages.map((m) => m.sourceKey), startedAt: clock.now() - this.delayMs })
        .then(() => true, (err: unknown) => {
          log.warn({ err: toCloudbridgeError(err).message }, 'could not write the conversion journal');
          return false;
        });
    }, this.delayMs);
    try {
      return await convert(messages);
    } finally {
      clock.clearTimeout(timer);
      if (journal.written !== null && await journal.written) {
        await store.clearConversionJournal(integrationId).catch((err: unknown) => {
          log.warn({ err: toCloudbridgeError(err).message }, 'could not clear the conversion journal');
        });
      }
    }
  }

  private get delayMs(): number {
    return this.opts.journalAfterMs ?? JOURNAL_AFTER_MS;
  }
}

function crashedError(stoppedAt: number): CloudbridgeError {
  return new CloudbridgeError('CONVERTER_CRASHED',
    `Cloudbridge stopped while converting this message (conversion started ${new Date(stoppedAt).toISOString()}); it is not converted again, `
    + 'so that it cannot stop Cloudbridge again: fix the converter, then replay this dead letter',
    { stoppedAt });
}
