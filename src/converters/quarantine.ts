/**
 * Quarantine for uplink converters (as ThingsBoard's TBEL does): after `maxConsecutiveFailures`
 * failing messages in a row the converter is not run for `quarantineMs`; its messages fail with
 * stage `quarantine` / CONVERTER_QUARANTINED, saying why and until when. Any success resets the
 * count. PAYLOAD_INVALID neither counts nor resets: a device sending garbage must not quarantine
 * the converter for every other device.
 */
import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { QuarantineState, UplinkConversion, UplinkConverterRunner, UplinkInput } from './types.ts';
import { DEFAULT_QUARANTINE } from './types.ts';

export interface QuarantineOptions {
  /** Used in messages and logs. */
  converterName: string;
  maxConsecutiveFailures?: number;
  quarantineMs?: number;
  clock?: Clock;
  log?: Logger;
}

export class QuarantinedUplinkRunner implements UplinkConverterRunner {
  private readonly inner: UplinkConverterRunner;
  private readonly name: string;
  private readonly maxFailures: number;
  private readonly quarantineMs: number;
  private readonly clock: Clock;
  private readonly log: Logger | undefined;
  private failures = 0;
  private until: number | null = null;
  private reason: string | null = null;

  constructor(inner: UplinkConverterRunner, opts: QuarantineOptions) {
    this.inner = inner;
    this.name = opts.converterName;
    this.maxFailures = opts.maxConsecutiveFailures ?? DEFAULT_QUARANTINE.maxConsecutiveFailures;
    this.quarantineMs = opts.quarantineMs ?? DEFAULT_QUARANTINE.quarantineMs;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
  }

  quarantine(): QuarantineState {
    this.expire();
    return { consecutiveFailures: this.failures, quarantinedUntil: this.until, reason: this.reason };
  }

  private expire(): void {
    if (this.until !== null && this.clock.now() >= this.until) {
      this.until = null;
      this.reason = null;
      this.failures = 0;
    }
  }

  private quarantinedError(): CloudbridgeError {
    const until = new Date(this.until ?? 0).toISOString();
    return new CloudbridgeError('CONVERTER_QUARANTINED',
      `converter "${this.name}" is quarantined until ${until} after ${this.maxFailures} consecutive failing messages (last error: ${this.reason ?? 'unknown'}); fix the converter or wait`,
      { quarantinedUntil: this.until, reason: this.reason });
  }

  async convert(inputs: UplinkInput[]): Promise<UplinkConversion[]> {
    this.expire();
    if (this.until !== null) {
      const error = this.quarantinedError();
      return inputs.map(() => ({ ok: false, stage: 'quarantine', error }));
    }
    const results = await this.inner.convert(inputs);
    for (const r of results) {
      if (r.ok) {
        this.failures = 0;
        continue;
      }
      if (r.error.code === 'PAYLOAD_INVALID') continue;
      this.failures++;
      if (this.until === null && this.maxFailures > 0 && this.failures >= this.maxFailures) {
        this.until = this.clock.now() + this.quarantineMs;
        this.reason = `${r.error.code}: ${r.error.message}`;
        this.log?.warn({ converter: this.name, until: this.until, reason: this.reason }, 'converter quarantined');
      }
    }
    return results;
  }

  dispose(): void {
    this.inner.dispose();
  }
}
