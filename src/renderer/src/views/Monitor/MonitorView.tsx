/**
 * The training monitor of one run: a progress bar with epoch, step, speed, ETA and backend; live loss
 * curves; reconstructions of a few items refreshed after every epoch; and cancel / resume.
 */
import { useState } from 'react';
import type { IpcError } from '../../../../shared/ipc-errors';
import type { RunDetail, RunProgress, RunStatusEvent } from '../../../../shared/ipc';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { formatRoute } from '../../app/router';
import type { RunViewProps } from '../../app/views';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { baseName, formatCount, formatDuration, formatNumber } from '../../lib/format';
import { methodName } from '../../lib/methods';
import { LossCharts } from './LossCharts';
import { ReconstructionStrip } from './ReconstructionStrip';
import { useRunLive } from './useRunLive';

function overallProgress(run: RunDetail, progress: RunProgress | null): { value: number; detail: string } {
  const total = Math.max(run.epochsTotal, 1);
  if (run.status === 'done') return { value: total, detail: `all ${run.epochsTotal} epochs` };
  // Batch progress only counts while it belongs to the epoch after the last finished one.
  if (progress !== null && progress.epoch === run.epochsCompleted && progress.stepsPerEpoch !== undefined) {
    const within = progress.step / progress.stepsPerEpoch;
    return {
      value: Math.min(total, run.epochsCompleted + within),
      detail: `epoch ${progress.epoch + 1} of ${run.epochsTotal}, batch ${progress.step} of ${progress.stepsPerEpoch}`,
    };
  }
  return { value: run.epochsCompleted, detail: `${run.epochsCompleted} of ${run.epochsTotal} epochs` };
}

function phaseText(run: RunDetail, status: RunStatusEvent | null): string {
  if (status !== null && status.loaded !== undefined) return `Loading images: ${formatCount(status.loaded.done)} of ${formatCount(status.loaded.total)}`;
  if (run.status === 'running') return status?.message ? capitalise(status.message) : 'Training';
  if (run.status === 'queued') return 'Waiting for the run before it to finish';
  if (run.status === 'interrupted') return run.stopReason === 'cancelled' ? 'Cancelled; resume continues from the last finished epoch' : 'Stopped; resume continues from the last finished epoch';
  if (run.status === 'failed') return 'Training failed';
  return 'Finished: every item has a score';
}

/** Time since the current attempt started (a resumed run counts from its resume). */
function runningSeconds(run: RunDetail): number {
  const started = run.attempts[run.attempts.length - 1]?.startedAt ?? run.startedAt;
  return started === null ? 0 : Math.max(0, (Date.now() - Date.parse(started)) / 1000);
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]?.toUpperCase() + text.slice(1);
}

export function MonitorView({ runId }: RunViewProps) {
  const api = useApi();
  const live = useRunLive(runId);
  const [actionError, setActionError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const { run, progress } = live;

  const act = async (channel: 'runs:cancel' | 'runs:resume'): Promise<void> => {
    setBusy(true);
    setActionError(null);
    try {
      await call(api, channel, { runId });
      live.reload();
    } catch (thrown) {
      setActionError(toIpcError(thrown));
    } finally {
      setBusy(false);
    }
  };

  if (live.error !== null && run === null) {
    return (
      <div className="page narrow">
        <ErrorMessage error={live.error} />
      </div>
    );
  }
  if (run === null) return <div className="page"><p className="muted">Loading the run…</p></div>;

  if (run.method.startsWith('pixel-')) {
    return (
      <div className="page narrow">
        <section className="card" aria-labelledby="monitor-heading">
          <h2 id="monitor-heading">{methodName(run.method)} on {baseName(run.datasetPath)}</h2>
          <p>A pixel baseline is scored directly in pixel space: there is no training to watch.</p>
          <a className="button primary" href={formatRoute('gallery', [run.runId])}>
            Browse the results
          </a>
        </section>
      </div>
    );
  }

  const overall = overallProgress(run, progress);
  const active = run.status === 'running' || run.status === 'queued';
  const latestEpoch = live.epochs[live.epochs.length - 1];
  const speed = active && progress !== null ? progress.imagesPerSecond : (latestEpoch?.imagesPerSecond ?? null);
  const eta = run.status === 'running' && progress !== null ? progress.etaSeconds : null;

  return (
    <div className="page monitor">
      <section className="card run-header" aria-labelledby="monitor-heading">
        <div className="run-title">
          <h2 id="monitor-heading">
            {methodName(run.method)} on <span title={run.datasetPath}>{baseName(run.datasetPath)}</span>
          </h2>
          <StatusBadge status={run.status} />
          <span className="muted run-id">{run.runId}</span>
        </div>
        <div className="actions">
          {active && (
            <button type="button" className="button" onClick={() => void act('runs:cancel')} disabled={busy}>
              Cancel training
            </button>
          )}
          {(run.status === 'interrupted' || run.status === 'failed') && run.origin === 'app' && (
            <button type="button" className="button primary" onClick={() => void act('runs:resume')} disabled={busy}>
              Resume from epoch {(run.checkpoint?.nextEpoch ?? 0) + 1}
            </button>
          )}
          {run.status === 'done' && (
            <a className="button primary" href={formatRoute('gallery', [run.runId])}>
              Browse the results
            </a>
          )}
        </div>
        <div className="run-progress" data-testid="run-progress" data-status={run.status} data-epochs={run.epochsCompleted}>
          <ProgressBar label={phaseText(run, live.status)} value={overall.value} max={Math.max(run.epochsTotal, 1)} detail={overall.detail} />
          <dl className="stats">
            <div>
              <dt>Epochs done</dt>
              <dd data-testid="epochs-done">
                {run.epochsCompleted} / {run.epochsTotal}
              </dd>
            </div>
            <div>
              <dt>Speed</dt>
              <dd data-testid="images-per-second">{speed === null ? '—' : `${formatNumber(speed)} images/s`}</dd>
            </div>
            <div>
              <dt>Time left</dt>
              <dd data-testid="eta">{eta === null ? '—' : formatDuration(eta)}</dd>
            </div>
            <div>
              <dt>Compute backend</dt>
              <dd data-testid="run-backend">{run.backend ?? '—'}</dd>
            </div>
            <div>
              <dt>{run.status === 'running' ? 'Running for' : 'Training time'}</dt>
              <dd>{formatDuration(run.status === 'running' ? runningSeconds(run) : run.trainSeconds)}</dd>
            </div>
          </dl>
        </div>
        {actionError !== null && <ErrorMessage error={actionError} onDismiss={() => setActionError(null)} />}
        {run.error !== null && <ErrorMessage error={run.error} />}
      </section>

      <div className="monitor-body">
        <section className="card" aria-labelledby="reconstructions-heading">
          <h2 id="reconstructions-heading">Reconstructions</h2>
          <ReconstructionStrip runId={runId} epochVersion={live.epochVersion} epochsCompleted={run.epochsCompleted} />
        </section>

        <section className="card" aria-labelledby="curves-heading">
          <h2 id="curves-heading">Loss terms</h2>
          <LossCharts runId={runId} epochs={live.epochs} steps={live.steps} />
        </section>
      </div>
    </div>
  );
}
