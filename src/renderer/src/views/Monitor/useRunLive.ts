/**
 * Everything the monitor shows about one run, kept live: the run record, the epoch log, the latest
 * progress and status message, and the per-step loss values seen since the page opened. Snapshots
 * come from invoke calls; events keep them current without polling.
 */
import { useEffect, useRef, useState } from 'react';
import type { EpochLogEntry, RunDetail, RunProgress, RunStatusEvent } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { useBackendEvent } from '../../api/hooks';

export interface StepPoint {
  /** Epochs as a fraction: epoch + step / stepsPerEpoch. */
  x: number;
  losses: Record<string, number>;
}

export interface RunLive {
  run: RunDetail | null;
  error: IpcError | null;
  epochs: EpochLogEntry[];
  progress: RunProgress | null;
  status: RunStatusEvent | null;
  steps: StepPoint[];
  /** Bumped whenever a new epoch finished (the monitor refreshes reconstructions on it). */
  epochVersion: number;
  reload: () => void;
}

/** Keeps memory bounded on long runs: older step points are thinned out, never the latest ones. */
const MAX_STEP_POINTS = 4000;

function thin(points: StepPoint[]): StepPoint[] {
  if (points.length <= MAX_STEP_POINTS) return points;
  const half = points.slice(0, points.length - MAX_STEP_POINTS / 2).filter((_, i) => i % 2 === 0);
  return [...half, ...points.slice(points.length - MAX_STEP_POINTS / 2)];
}

export function useRunLive(runId: string): RunLive {
  const api = useApi();
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [epochs, setEpochs] = useState<EpochLogEntry[]>([]);
  const [progress, setProgress] = useState<RunProgress | null>(null);
  const [status, setStatus] = useState<RunStatusEvent | null>(null);
  const [steps, setSteps] = useState<StepPoint[]>([]);
  const [epochVersion, setEpochVersion] = useState(0);
  const [generation, setGeneration] = useState(0);
  const refreshTimer = useRef<number | null>(null);
  const pendingSteps = useRef<StepPoint[]>([]);
  const stepFlushTimer = useRef<number | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([call(api, 'runs:get', { runId }), call(api, 'runs:epochs', { runId })])
      .then(([detail, log]) => {
        if (!live) return;
        setRun(detail);
        setEpochs(log);
        setError(null);
      })
      .catch((thrown: unknown) => {
        if (live) setError(toIpcError(thrown));
      });
    return () => {
      live = false;
    };
  }, [api, runId, generation]);

  useEffect(
    () => () => {
      if (refreshTimer.current !== null) window.clearTimeout(refreshTimer.current);
      if (stepFlushTimer.current !== null) window.clearTimeout(stepFlushTimer.current);
    },
    [],
  );

  /** Re-reads the run record soon; several events in a burst cost one call. */
  const scheduleRefresh = (): void => {
    if (refreshTimer.current !== null) return;
    refreshTimer.current = window.setTimeout(() => {
      refreshTimer.current = null;
      setGeneration((value) => value + 1);
    }, 150);
  };

  useBackendEvent('runs:progress', (payload) => {
    if (payload.runId !== runId) return;
    setProgress(payload);
    // Batches mean the data are loaded: the loading message has done its job.
    setStatus((current) => (current?.loaded !== undefined ? null : current));
    const stepsPerEpoch = payload.stepsPerEpoch ?? 1;
    pendingSteps.current.push({ x: payload.epoch + payload.step / stepsPerEpoch, losses: payload.losses });
    // Charts redraw at most twice a second, however fast the batches come.
    stepFlushTimer.current ??= window.setTimeout(() => {
      stepFlushTimer.current = null;
      const fresh = pendingSteps.current.splice(0);
      setSteps((points) => thin([...points, ...fresh]));
    }, 500);
  });

  useBackendEvent('runs:epoch', (payload) => {
    if (payload.runId !== runId) return;
    // Very fast epochs arrive several to an event; a resumed run may repeat an epoch (the newest wins).
    const fresh = new Set(payload.logs.map((entry) => entry.epoch));
    setEpochs((log) => [...log.filter((entry) => !fresh.has(entry.epoch)), ...payload.logs].sort((a, b) => a.epoch - b.epoch));
    setEpochVersion((value) => value + 1);
    scheduleRefresh();
  });

  useBackendEvent('runs:status', (payload) => {
    if (payload.runId !== runId) return;
    setStatus(payload);
    if (payload.message !== 'loading data') scheduleRefresh();
  });

  return { run, error, epochs, progress, status, steps, epochVersion, reload: () => setGeneration((value) => value + 1) };
}
