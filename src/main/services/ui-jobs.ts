/**
 * Long actions the UI starts with an id of its own choosing, so that it can cancel them (jobs:cancel)
 * and follow them (jobs:progress) before their answer arrives.
 */
import type { JobProgress } from '../../shared/ipc';
import type { EventSink } from './events';

export class JobCancelledError extends Error {
  override readonly name = 'AbortError';
}

/** At most this often per job, progress events go out (and always for the last step of a phase). */
const PROGRESS_INTERVAL_MS = 100;

export interface JobHandle {
  readonly signal: AbortSignal;
  progress(phase: string, done: number, total: number): void;
  /** Throws JobCancelledError once the job was cancelled. */
  throwIfCancelled(): void;
}

export class UiJobs {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly emit: EventSink) {}

  /** Runs `work` as job `jobId`; a second job with the same id is refused while the first runs. */
  async run<T>(jobId: string, cancelledMessage: string, work: (job: JobHandle) => Promise<T>): Promise<T> {
    if (this.running.has(jobId)) throw new RangeError(`A job with id ${jobId} is already running`);
    const controller = new AbortController();
    this.running.set(jobId, controller);
    let lastSent = 0;
    const handle: JobHandle = {
      signal: controller.signal,
      progress: (phase, done, total) => {
        const now = Date.now();
        if (done < total && now - lastSent < PROGRESS_INTERVAL_MS) return;
        lastSent = now;
        const payload: JobProgress = { jobId, phase, done, total };
        this.emit('jobs:progress', payload);
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new JobCancelledError(cancelledMessage);
      },
    };
    try {
      return await work(handle);
    } catch (error) {
      // Whatever a cancelled job threw on its way out (an AbortError from a stream, …) reads as the cancellation.
      if (controller.signal.aborted) throw new JobCancelledError(cancelledMessage);
      throw error;
    } finally {
      this.running.delete(jobId);
    }
  }

  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (controller === undefined) return false;
    controller.abort();
    return true;
  }
}
