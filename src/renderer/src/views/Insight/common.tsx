/**
 * Small pieces the insight views share: option sets for groupings, a segmented radio group, run
 * names, and the "choose runs" check list.
 */
import { useId, type ReactNode } from 'react';
import type { RunSummary } from '../../../../shared/ipc';
import type { ItemGrouping, LabelSource } from '../../../../shared/ipc-insight';
import { baseName } from '../../lib/format';
import { methodName } from '../../lib/methods';

export const GROUPING_OPTIONS: readonly { value: ItemGrouping; label: string }[] = [
  { value: 'anomaly', label: 'Normal vs anomalous' },
  { value: 'user-label', label: 'Your labels' },
  { value: 'class', label: 'Class' },
  { value: 'split', label: 'Training vs test' },
  { value: 'none', label: 'No split' },
];

export const LABEL_SOURCE_OPTIONS: readonly { value: LabelSource; label: string; hint: string }[] = [
  { value: 'dataset', label: 'Dataset labels', hint: 'the anomaly flags of the test split, as the run’s own metrics' },
  { value: 'user', label: 'Your labels', hint: 'items you marked anomalous or normal' },
  { value: 'combined', label: 'Both', hint: 'your label where there is one, else the dataset’s' },
];

export function parseGrouping(value: string | null, fallback: ItemGrouping): ItemGrouping {
  return GROUPING_OPTIONS.find((option) => option.value === value)?.value ?? fallback;
}

/** "Comp.VAE · mnist-digits · run-…" for lists and legends. */
export function runTitle(run: Pick<RunSummary, 'method' | 'datasetPath' | 'runId'>): string {
  return `${methodName(run.method)} on ${baseName(run.datasetPath)}`;
}

/** The short name of a run in a legend: method and the end of its id. */
export function runShortName(run: Pick<RunSummary, 'method' | 'runId'>): string {
  const tail = run.runId.length > 14 ? `…${run.runId.slice(-10)}` : run.runId;
  return `${methodName(run.method)} (${tail})`;
}

export interface SegmentedOption<T extends string> {
  value: T;
  label: string;
}

/** A row of radio buttons that looks like a segmented control; arrow keys move between options (native radios). */
export function Segmented<T extends string>({ legend, options, value, onChange, testId }: { legend: string; options: readonly SegmentedOption<NoInfer<T>>[]; value: T; onChange(value: NoInfer<T>): void; testId?: string }) {
  const name = useId();
  return (
    <fieldset className="segmented" data-testid={testId}>
      <legend>{legend}</legend>
      <div className="segmented-options">
        {options.map((option) => (
          <label key={option.value} className={option.value === value ? 'segment selected' : 'segment'}>
            <input type="radio" name={name} value={option.value} checked={option.value === value} onChange={() => onChange(option.value)} />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function SelectField<T extends string>({ label, options, value, onChange, testId }: { label: string; options: readonly SegmentedOption<NoInfer<T>>[]; value: T; onChange(value: NoInfer<T>): void; testId?: string }) {
  const id = useId();
  return (
    <div className="field inline insight-field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        data-testid={testId}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          if (chosen !== undefined) onChange(chosen.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A titled page header: what the view shows, for which run. */
export function InsightHeader({ title, subtitle, children }: { title: string; subtitle: ReactNode; children?: ReactNode }) {
  return (
    <header className="insight-header">
      <div>
        <h2>{title}</h2>
        <p className="muted small insight-subtitle">{subtitle}</p>
      </div>
      {children}
    </header>
  );
}

/** Formats a metric in [0, 1] with three decimals, or a dash. */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3);
}
