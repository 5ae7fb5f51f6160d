/**
 * Run comparison: the chosen runs in a table with their metrics (on the dataset's labels, the user's
 * or both) and training time, the settings in which they differ highlighted, their ROC curves
 * overlaid, and how far their top-k lists agree (top-k Jaccard and rank-biased overlap) with the
 * items that entered or left the top k from the first run to each other.
 */
import { useId, useMemo, useState } from 'react';
import type { GalleryFilter, LabelSource } from '../../../../shared/ipc-insight';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { StatusBadge } from '../../components/StatusBadge';
import { baseName, formatDuration } from '../../lib/format';
import { formatMetric, InsightHeader, LABEL_SOURCE_OPTIONS, runShortName, Segmented } from '../Insight/common';
import '../Insight/insight.css';
import { ConfigDifferences } from './ConfigDifferences';
import { RocChart } from './RocChart';
import { suggestedRuns } from './suggested-runs';
import { TopKChanges } from './TopKChanges';

export interface CompareViewProps {
  /** The runs to compare, from the route; empty lets the view suggest some. */
  runIds: readonly string[];
  onRunIdsChange(runIds: string[]): void;
  onOpenItem(runId: string, index: number): void;
  onOpenGallery(runId: string, filter: GalleryFilter): void;
}

const MAX_COMPARED = 8;
const SPLIT_OPTIONS = [
  { value: 'all', label: 'All items' },
  { value: 'test', label: 'Test split' },
] as const;

export function CompareView({ runIds, onRunIdsChange, onOpenItem, onOpenGallery }: CompareViewProps) {
  const id = useId();
  const { loadable: runsLoadable } = useInvoke('runs:list', [], 'runs');
  const runs = useMemo(() => (runsLoadable.state === 'ready' ? runsLoadable.value : []), [runsLoadable]);
  const chosen = runIds.length > 0 ? [...runIds] : suggestedRuns(runs);
  const [labelSource, setLabelSource] = useState<LabelSource>('dataset');
  const [topK, setTopK] = useState(20);
  const [split, setSplit] = useState<'all' | 'test'>('all');

  const request = chosen.length >= 2 ? { runIds: chosen, topK, labelSource, split } : null;
  const { loadable } = useInvoke('insight:compare-runs', request === null ? null : [request], JSON.stringify(request));
  const comparison = loadable.state === 'ready' && request !== null ? loadable.value : null;

  const toggle = (runId: string): void => {
    const next = chosen.includes(runId) ? chosen.filter((entry) => entry !== runId) : [...chosen, runId].slice(0, MAX_COMPARED);
    onRunIdsChange(next);
  };
  const candidates = runs.filter((run) => run.status === 'done' || chosen.includes(run.runId));
  const sourceHint = LABEL_SOURCE_OPTIONS.find((option) => option.value === labelSource)?.hint ?? '';

  if (runsLoadable.state === 'failed') return <div className="page narrow"><ErrorMessage error={runsLoadable.error} /></div>;

  return (
    <div className="page insight-page" data-testid="compare-view">
      <InsightHeader title="Compare runs" subtitle="Settings that differ, metrics and time, ROC curves, and how much the runs agree on the most anomalous items." />
      <section className="card compare-options" aria-label="Runs and options">
        <fieldset className="compare-picker segmented" data-testid="compare-picker">
          <legend title={`Up to ${MAX_COMPARED}; the first is the reference of the top-k comparison`}>Runs</legend>
          {candidates.map((run) => (
            <label key={run.runId} className="check" title={`${run.runId} · ${run.datasetPath}`}>
              <input type="checkbox" checked={chosen.includes(run.runId)} onChange={() => toggle(run.runId)} disabled={!chosen.includes(run.runId) && chosen.length >= MAX_COMPARED} />
              {runShortName(run)}
            </label>
          ))}
          {candidates.length === 0 && runsLoadable.state === 'ready' && <span className="muted">No finished runs yet.</span>}
        </fieldset>
        <div className="compare-option-row">
        <Segmented legend="Metrics from" options={LABEL_SOURCE_OPTIONS} value={labelSource} onChange={setLabelSource} testId="compare-label-source" />
        <div className="field inline insight-field">
          <label htmlFor={`${id}-k`}>Top k</label>
          <input
            id={`${id}-k`}
            className="input compact angle-input"
            type="number"
            min={1}
            max={500}
            value={topK}
            onChange={(event) => {
              const value = Math.round(Number(event.target.value));
              if (Number.isFinite(value) && value >= 1) setTopK(Math.min(value, 500));
            }}
            data-testid="compare-top-k"
          />
        </div>
        <Segmented legend="Rank over" options={SPLIT_OPTIONS} value={split} onChange={setSplit} />
        </div>
      </section>

      {request === null && <p className="notice">Choose at least two runs to compare.</p>}
      {loadable.state === 'failed' && request !== null && <ErrorMessage error={loadable.error} />}
      {comparison !== null && (
        <>
          <section className="card insight-card" aria-labelledby={`${id}-runs-heading`}>
            <h3 id={`${id}-runs-heading`} className="card-title">
              Runs <span className="muted small">· metrics from {sourceHint}</span>
            </h3>
            <div className="table-scroll">
              <table className="table compact-table" data-testid="compare-table">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Dataset</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="numeric">Epochs</th>
                    <th scope="col" className="numeric">Training time</th>
                    <th scope="col" className="numeric">AUROC</th>
                    <th scope="col" className="numeric">FPR95</th>
                    <th scope="col" className="numeric">AP</th>
                    <th scope="col" className="numeric">P@n</th>
                  </tr>
                </thead>
                <tbody>
                  {comparison.runs.map((run) => (
                    <tr key={run.runId} data-run-id={run.runId}>
                      <th scope="row" title={run.runId}>{runShortName(run)}</th>
                      <td className="cell-path" title={run.datasetPath}>{baseName(run.datasetPath)}</td>
                      <td>
                        <StatusBadge status={run.status} />
                      </td>
                      <td className="numeric">
                        {run.epochsCompleted} / {run.epochsTotal}
                      </td>
                      <td className="numeric">{formatDuration(run.trainSeconds)}</td>
                      {run.metrics.metrics === null ? (
                        <td colSpan={4} className="muted small">
                          {run.metrics.reason}
                        </td>
                      ) : (
                        <>
                          <td className="numeric" data-testid={`compare-auroc-${run.runId}`}>{formatMetric(run.metrics.metrics.auroc)}</td>
                          <td className="numeric">{formatMetric(run.metrics.metrics.fpr95)}</td>
                          <td className="numeric">{formatMetric(run.metrics.metrics.ap)}</td>
                          <td className="numeric">{formatMetric(run.metrics.metrics.precisionAtN)}</td>
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <div className="compare-grid">
            <RocChart comparison={comparison} />
            <div className="insight-main">
              <TopKChanges comparison={comparison} onOpenItem={onOpenItem} onOpenGallery={onOpenGallery} />
            </div>
          </div>
          <ConfigDifferences comparison={comparison} />
        </>
      )}
    </div>
  );
}
