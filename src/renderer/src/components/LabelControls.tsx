/**
 * Labelling items: mark one anomalous, normal or interesting by mouse (toggle buttons) or keyboard
 * (a, n, i; Backspace or Delete clears). Labels are the user's labels of dataset files (labels:set,
 * committed to disk before it answers), so every run on the same dataset sees them, and the metrics
 * of every run are recomputed from them (insight:label-metrics).
 *
 * useItemLabelling keeps the labels set in this view (the lists it shows were fetched before), saves
 * optimistically and puts the old label back when saving fails.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InsightLabel } from '../../../shared/ipc-insight';
import type { IpcError } from '../../../shared/ipc-errors';
import { useApi } from '../api/ApiContext';
import { call, toIpcError } from '../api/call';
import { useInvoke } from '../api/hooks';
import { ErrorMessage } from './ErrorMessage';
import '../views/Insight/insight.css';

export interface LabelChoice {
  label: InsightLabel;
  /** The keyboard shortcut (lower case). */
  key: string;
  text: string;
}

export const LABEL_CHOICES: readonly LabelChoice[] = [
  { label: 'anomalous', key: 'a', text: 'Anomalous' },
  { label: 'normal', key: 'n', text: 'Normal' },
  { label: 'interesting', key: 'i', text: 'Interesting' },
];

/** What a key press means for labelling: a label, 'clear', or null when it is not a label key (or the user is typing). */
export function labelForKey(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): InsightLabel | 'clear' | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target;
  // Typing in a field, or choosing in a select, is never labelling.
  if (typeof HTMLElement !== 'undefined' && target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select') !== null)) return null;
  if (event.key === 'Backspace' || event.key === 'Delete') return 'clear';
  return LABEL_CHOICES.find((choice) => choice.key === event.key.toLowerCase())?.label ?? null;
}

/** Calls `onLabelKey` for label keys pressed anywhere in the window while `enabled`. */
export function useLabelShortcuts(enabled: boolean, onLabelKey: (label: InsightLabel | null) => void): void {
  const handler = useRef(onLabelKey);
  handler.current = onLabelKey;
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented) return;
      const choice = labelForKey(event);
      if (choice === null) return;
      event.preventDefault();
      handler.current(choice === 'clear' ? null : choice);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

export interface ItemLabelling {
  /** The label to show for a file: set in this view, else what the list said. */
  labelOf(file: string, listed: string | null): string | null;
  /** Saves a label (null removes it); resolves once it is on disk. */
  setLabel(file: string, label: InsightLabel | null, listed: string | null): Promise<void>;
  error: IpcError | null;
  dismissError(): void;
  /** The last change in words, for a polite live region. */
  message: string | null;
  /** Counts the labels saved in this view: a key for refetching what depends on labels. */
  version: number;
  /** Why labelling is off (no dataset), or null. */
  disabledReason: string | null;
}

export function useItemLabelling(datasetId: number | null): ItemLabelling {
  const api = useApi();
  const [overrides, setOverrides] = useState<ReadonlyMap<string, string | null>>(new Map());
  const [error, setError] = useState<IpcError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    setOverrides(new Map());
  }, [datasetId]);

  const labelOf = useCallback((file: string, listed: string | null): string | null => (overrides.has(file) ? (overrides.get(file) ?? null) : listed), [overrides]);

  const setLabel = useCallback(
    async (file: string, label: InsightLabel | null, listed: string | null): Promise<void> => {
      if (datasetId === null) return;
      const previous = overrides.has(file) ? (overrides.get(file) ?? null) : listed;
      const update = (value: string | null): void => setOverrides((current) => new Map(current).set(file, value));
      update(label);
      setError(null);
      try {
        await call(api, 'labels:set', { datasetId, file, label });
        setMessage(label === null ? `Removed the label of ${file}.` : `Labelled ${file} ${label}.`);
        setVersion((value) => value + 1);
      } catch (thrown) {
        update(previous);
        setError(toIpcError(thrown));
      }
    },
    [api, datasetId, overrides],
  );

  return {
    labelOf,
    setLabel,
    error,
    dismissError: () => setError(null),
    message,
    version,
    disabledReason: datasetId === null ? 'This run is not linked to a dataset here, so its items cannot be labelled.' : null,
  };
}

export interface LabelControlsProps {
  /** The item's current label (any text; only the three choices light up). */
  value: string | null;
  onChange(label: InsightLabel | null): void;
  disabledReason?: string | null;
  /** Show the keyboard shortcuts on the buttons. */
  showShortcuts?: boolean;
  testId?: string;
}

/** Three toggle buttons; pressing the lit one removes the label. */
export function LabelControls({ value, onChange, disabledReason = null, showShortcuts = true, testId }: LabelControlsProps) {
  return (
    <div className="label-controls" role="group" aria-label="Your label for this item" data-testid={testId} data-label={value ?? ''}>
      <span className="label-title">Your label</span>
      {LABEL_CHOICES.map((choice) => {
        const pressed = value === choice.label;
        return (
          <button
            key={choice.label}
            type="button"
            className={`label-button label-${choice.label}`}
            aria-pressed={pressed}
            aria-keyshortcuts={choice.key}
            disabled={disabledReason !== null}
            title={disabledReason ?? `${pressed ? 'Remove the label' : `Label ${choice.text.toLowerCase()}`} (key ${choice.key.toUpperCase()})`}
            onClick={() => onChange(pressed ? null : choice.label)}
            data-testid={`label-${choice.label}`}
          >
            {choice.text}
            {showShortcuts && <kbd aria-hidden="true">{choice.key.toUpperCase()}</kbd>}
          </button>
        );
      })}
      {value !== null && (
        <button type="button" className="button ghost small" onClick={() => onChange(null)} disabled={disabledReason !== null} aria-keyshortcuts="Backspace Delete" title="Remove the label (Backspace)">
          Clear
        </button>
      )}
    </div>
  );
}

/** The labelling state of a view: errors, and the last change announced politely. */
export function LabellingStatus({ labelling }: { labelling: ItemLabelling }) {
  return (
    <>
      <span className="visually-hidden" role="status" aria-live="polite">
        {labelling.message ?? ''}
      </span>
      {labelling.error !== null && <ErrorMessage error={labelling.error} onDismiss={labelling.dismissError} />}
    </>
  );
}

/** A small chip with the user's label, for tiles and lists. */
export function UserLabelChip({ label }: { label: string | null }) {
  if (label === null) return null;
  const known = LABEL_CHOICES.some((choice) => choice.label === label);
  return <span className={`user-label-chip ${known ? `label-${label}` : 'label-other'}`} title={`Your label: ${label}`}>{label}</span>;
}

/**
 * This run's metrics from the labels so far, recomputed whenever `version` changes (a label was set):
 * "3 anomalous, 4 normal · AUROC 0.812 · AP 0.77".
 */
export function LabelMetricsLine({ runId, version }: { runId: string; version: number }) {
  const { loadable } = useInvoke('insight:label-metrics', [{ runIds: [runId] }], `${runId}:${version}`);
  if (loadable.state !== 'ready') return null;
  const entry = loadable.value.runs[0];
  if (entry === undefined) return null;
  const { anomalous, normal, interesting } = entry.labelCounts;
  const metrics = entry.user.metrics;
  return (
    <p className="muted small label-metrics-line" data-testid="label-metrics-line">
      Your labels: {anomalous} anomalous, {normal} normal, {interesting} interesting
      {metrics !== null
        ? ` · from them: AUROC ${metrics.auroc.toFixed(3)}, FPR95 ${metrics.fpr95.toFixed(3)}, AP ${metrics.ap.toFixed(3)}, P@n ${metrics.precisionAtN.toFixed(3)}`
        : anomalous + normal > 0
          ? ' · metrics need both an anomalous and a normal label'
          : ''}
    </p>
  );
}
