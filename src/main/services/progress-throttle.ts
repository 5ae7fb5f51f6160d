/**
 * Rate limiting for progress events, so a fast training loop (hundreds of batches a second on a GPU)
 * cannot flood the IPC channel or the renderer. Leading and trailing: the first update goes out at
 * once, later ones at most once per interval, and the latest update of a burst is never lost (it goes
 * out when the interval ends, or at flush()). The clock is injected so tests drive it by hand.
 */

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `callback` after `delayMs`; returns a function that cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    // A pending progress update must not keep a process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Ten updates a second: smooth to watch, nothing for the UI to choke on. */
export const PROGRESS_INTERVAL_MS = 100;

export class ProgressThrottle<T> {
  private lastEmitAt = Number.NEGATIVE_INFINITY;
  private pending: { value: T } | null = null;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly emit: (value: T) => void,
    private readonly clock: Clock = systemClock,
    private readonly intervalMs: number = PROGRESS_INTERVAL_MS,
  ) {}

  push(value: T): void {
    const now = this.clock.now();
    if (this.cancelTimer === null && now - this.lastEmitAt >= this.intervalMs) {
      this.send(value, now);
      return;
    }
    this.pending = { value };
    if (this.cancelTimer === null) {
      this.cancelTimer = this.clock.schedule(() => {
        this.cancelTimer = null;
        this.flush();
      }, this.lastEmitAt + this.intervalMs - now);
    }
  }

  /** Sends the held-back update now (e.g. before an epoch or status event, so the order stays right). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    this.send(pending.value, this.clock.now());
  }

  /** Drops the held-back update (the run ended; its last progress no longer matters). */
  cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.pending = null;
  }

  private send(value: T, now: number): void {
    this.lastEmitAt = now;
    this.emit(value);
  }
}
