/**
 * A Clock whose time moves only when the test says so: `advance(ms)` runs the timers that fall due,
 * in order, letting promise callbacks run after each; `set(epochMs)` jumps without running timers.
 *
 *   const clock = new ManualClock();
 *   const pipeline = new IngestPipeline({ ..., clock });
 *   await clock.advance(500);
 */
import type { Clock, TimerHandle } from '../../src/core/clock.ts';
import { nextTurn } from './wait.ts';

interface Timer { at: number; fn: () => void; id: number }

export class ManualClock implements Clock {
  private nowMs: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = 1_000_000) {
    this.nowMs = start;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.nowMs + ms, fn, id: ++this.seq };
    this.timers.push(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== (handle as unknown as Timer));
  }

  /** Timers not run yet. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time on by `ms`, running every timer due by then (in order of due time). Pending promise
   * callbacks run first, so timers they set are counted from the time they were set at.
   */
  async advance(ms: number): Promise<void> {
    await nextTurn();
    const end = this.nowMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
      await nextTurn();
    }
    this.nowMs = end;
    await nextTurn();
  }

  /** Sets the time without running any timer (e.g. to simulate a clock far in the future). */
  set(epochMs: number): void {
    this.nowMs = epochMs;
  }
}
