/** Terminal output for the CLI: a progress line that redraws on a TTY and logs one line per epoch elsewhere. */
import type { EpochLog, StepInfo } from '../ml/train';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes a script can act on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, data: 3, interrupted: 130 } as const;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(2);
  return value.toPrecision(4);
}

export function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([key, value]) => `${key} ${formatNumber(value)}`)
    .join('  ');
}

export class ProgressReporter {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly totalEpochs: number,
    private readonly label = '',
  ) {}

  private get interactive(): boolean {
    return Boolean(this.stream.isTTY);
  }

  batch(info: StepInfo): void {
    if (!this.interactive) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && info.step < info.stepsPerEpoch) return;
    this.lastDraw = now;
    const width = 20;
    const fraction = info.step / info.stepsPerEpoch;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '-');
    const line = `${this.label}epoch ${info.epoch + 1}/${this.totalEpochs} [${bar}] ${info.step}/${info.stepsPerEpoch}  ${formatLosses(info.losses)}  ${info.imagesPerSecond.toFixed(1)} img/s  ETA ${formatDuration(info.etaSeconds)}`;
    const columns = this.stream.columns ?? 160;
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(columns - 1, 40))}`);
    this.drawn = true;
  }

  epoch(log: EpochLog): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    const remaining = Math.max(this.totalEpochs - log.epoch - 1, 0);
    const eta = remaining > 0 ? `  ETA ${formatDuration(remaining * log.seconds)}` : '';
    this.stream.write(`${this.label}epoch ${log.epoch + 1}/${this.totalEpochs}  ${formatLosses(log.losses)}  ${log.imagesPerSecond.toFixed(1)} img/s  ${log.seconds.toFixed(1)}s${eta}\n`);
  }

  message(text: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.stream.write(`${text}\n`);
  }
}

/**
 * Ctrl-C handling: the first press asks the running job to stop after its current batch (so the last
 * checkpoint is consistent); a second press exits at once.
 */
export function installInterruptHandler(onFirst: () => void): { stopRequested: () => boolean; dispose: () => void } {
  let requested = false;
  const handler = () => {
    if (requested) {
      process.stderr.write('\nInterrupted again: exiting now.\n');
      process.exit(EXIT.interrupted);
    }
    requested = true;
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stopRequested: () => requested,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
