/**
 * The score threshold a user picked for a run (score ≥ threshold = flagged), kept in this window's
 * storage so the gallery shows it after the Scores view set it. A same-window event tells open views.
 */
import { useEffect, useState } from 'react';

const KEY_PREFIX = 'polaris.threshold.';
const CHANGE_EVENT = 'polaris:threshold-change';

export function readThreshold(runId: string): number | null {
  try {
    const text = localStorage.getItem(KEY_PREFIX + runId);
    const value = text === null ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null; // storage disabled: no remembered threshold
  }
}

export function writeThreshold(runId: string, threshold: number | null): void {
  try {
    if (threshold === null) localStorage.removeItem(KEY_PREFIX + runId);
    else localStorage.setItem(KEY_PREFIX + runId, String(threshold));
  } catch {
    // not remembered; the view still shows it until it closes
  }
  window.dispatchEvent(new CustomEvent(CHANGE_EVENT, { detail: runId }));
}

/** The run's threshold, following changes made anywhere in this window. */
export function useRunThreshold(runId: string): [number | null, (threshold: number | null) => void] {
  const [threshold, setThreshold] = useState(() => readThreshold(runId));
  useEffect(() => {
    setThreshold(readThreshold(runId));
    const onChange = (event: Event): void => {
      if (event instanceof CustomEvent && event.detail === runId) setThreshold(readThreshold(runId));
    };
    window.addEventListener(CHANGE_EVENT, onChange);
    return () => window.removeEventListener(CHANGE_EVENT, onChange);
  }, [runId]);
  return [threshold, (value) => writeThreshold(runId, value)];
}
