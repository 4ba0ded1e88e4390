/**
 * The lifecycle every source shares, written once: a phase, `start` and `stop` that may each be
 * called once (a second `stop` returns the first one's promise), the drain within `drainMs`, and
 * the state reports the integration status is made of. A connector supplies the four steps that
 * differ between clouds:
 *
 *   open(signal)  connect and start intake; throw a translated CloudbridgeError when the first
 *                 connection fails (`signal` aborts when `stop` is called meanwhile)
 *   halt()        stop taking messages in (no more reads or polls); deliveries go on settling
 *   drained()     resolves once every delivery handed to the pipeline settled and was acknowledged
 *                 or given back
 *   close()       give back what is still unsettled, disconnect; also called after a failed open
 *
 * start:  idle → starting (reports `connecting`) → running (reports `connected`), or → stopped
 *         (reports `disconnected` with the error, after `close`).
 * stop:   → stopping: aborts `stopping`, waits for a start in progress, `halt`, waits for
 *         `drained` at most `drainMs`, aborts `deliveries` (deliveries still waiting to be
 *         admitted by the pipeline give up), `close`, → stopped (reports `disconnected`).
 *
 * Reconnects after the start stay the connector's own business (report `disconnected` and
 * `connected` through the context as they happen; check `running` before acting on a callback).
 */
import { waitAtMost } from './bounded-wait.ts';
import type { ConnectorContext } from './connector.ts';
import { CloudbridgeError, toCloudbridgeError } from './errors.ts';

export type SourcePhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface SourceSteps {
  open(signal: AbortSignal): Promise<void>;
  halt(): void | Promise<void>;
  drained(): Promise<unknown>;
  /** `drained`: whether everything settled within the drain time; `drainMs`: the drain time given to stop. */
  close(outcome: { drained: boolean; drainMs: number }): Promise<void>;
}

export interface SourceLifecycleOptions {
  /** For messages, e.g. `the MQTT source`. */
  name: string;
  ctx: Pick<ConnectorContext, 'reportState' | 'clock'>;
  steps: SourceSteps;
}

/** Default time a stop waits for deliveries in flight. */
export const DEFAULT_DRAIN_MS = 5000;

export class SourceLifecycle {
  private readonly opts: SourceLifecycleOptions;
  private readonly stopController = new AbortController();
  private readonly deliveryController = new AbortController();
  private current: SourcePhase = 'idle';
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(opts: SourceLifecycleOptions) {
    this.opts = opts;
  }

  get phase(): SourcePhase {
    return this.current;
  }

  /** Started and not stopping. */
  get running(): boolean {
    return this.current === 'running';
  }

  /** Aborted when `stop` begins: abandons connection attempts, waits and retries. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** Aborted when the drain time is over: pass it to `deliver()`. */
  get deliverySignal(): AbortSignal {
    return this.deliveryController.signal;
  }

  start(): Promise<void> {
    if (this.current !== 'idle') {
      return Promise.reject(new CloudbridgeError('INTERNAL', `${this.opts.name} cannot start: it is ${this.current}`));
    }
    this.current = 'starting';
    this.starting = this.open();
    return this.starting;
  }

  stop(drainMs = DEFAULT_DRAIN_MS): Promise<void> {
    this.stopping ??= this.shutdown(drainMs);
    return this.stopping;
  }

  private async open(): Promise<void> {
    const { ctx, steps, name } = this.opts;
    ctx.reportState('connecting');
    try {
      await steps.open(this.stopController.signal);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
      if (this.current === 'starting') {
        this.current = 'stopped';
        await steps.close({ drained: true, drainMs: 0 });
        ctx.reportState('disconnected', error);
      }
      throw error;
    }
    if (this.current !== 'starting') throw new CloudbridgeError('SHUTTING_DOWN', `${name} was stopped while starting`);
    this.current = 'running';
    ctx.reportState('connected');
  }

  private async shutdown(drainMs: number): Promise<void> {
    const { ctx, steps } = this.opts;
    const was = this.current;
    if (was === 'idle' || was === 'stopped') {
      this.current = 'stopped';
      return;
    }
    this.current = 'stopping';
    this.stopController.abort(new CloudbridgeError('SHUTTING_DOWN', `${this.opts.name} is stopping`));
    await this.starting?.catch(() => undefined);
    await steps.halt();
    const drained = await waitAtMost(steps.drained(), drainMs, ctx.clock);
    this.deliveryController.abort(new CloudbridgeError('SHUTTING_DOWN', `${this.opts.name} stopped`));
    await steps.close({ drained, drainMs });
    this.current = 'stopped';
    ctx.reportState('disconnected');
  }
}
