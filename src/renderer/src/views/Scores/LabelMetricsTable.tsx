/**
 * Every scored run's AUROC, FPR95, AP and precision at n recomputed from the user's labels so far
 * (and, for reference, from the dataset's labels), plus the labels export of the current run.
 */
import { useState } from 'react';
import type { MetricOutcome } from '../../../../shared/ipc-insight';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { safeFileName, saveText } from '../../lib/download';
import { formatMetric, runShortName } from '../Insight/common';
import { labelsCsv } from '../Insight/labels-csv';

function MetricCells({ outcome, testId }: { outcome: MetricOutcome; testId?: string }) {
  const { metrics, reason } = outcome;
  if (metrics === null) {
    return (
      <td colSpan={4} className="reason" data-testid={testId}>
        {reason}
      </td>
    );
  }
  return (
    <>
      <td className="numeric" data-testid={testId}>
        {formatMetric(metrics.auroc)}
      </td>
      <td className="numeric">{formatMetric(metrics.fpr95)}</td>
      <td className="numeric">{formatMetric(metrics.ap)}</td>
      <td className="numeric">{formatMetric(metrics.precisionAtN)}</td>
    </>
  );
}

export function LabelMetricsTable({ runId, version }: { runId: string; version: number }) {
  const api = useApi();
  const { loadable } = useInvoke('insight:label-metrics', [{}], `all:${version}`);
  const [exportError, setExportError] = useState<IpcError | null>(null);
  const [exportMessage, setExportMessage] = useState<string | null>(null);

  const exportLabels = async (): Promise<void> => {
    setExportError(null);
    try {
      const { items } = await call(api, 'insight:labelled-items', { runId });
      saveText(labelsCsv(items), `${safeFileName(runId)}-labels.csv`, 'text/csv');
      setExportMessage(`Saved ${items.length} label${items.length === 1 ? '' : 's'}.`);
    } catch (thrown) {
      setExportError(toIpcError(thrown));
    }
  };

  return (
    <section className="card insight-card" aria-labelledby="label-metrics-heading" data-testid="label-metrics">
      <div className="card-header">
        <div>
          <h3 id="label-metrics-heading" className="card-title">Metrics from your labels</h3>
          <p className="muted small">Recomputed for every run after each label: items you marked anomalous are the positives, items you marked normal the negatives.</p>
        </div>
        <div className="button-row">
          <button type="button" className="button small" onClick={() => void exportLabels()} data-testid="export-labels">
            Export labels (CSV)
          </button>
        </div>
      </div>
      {exportMessage !== null && (
        <p className="muted small" role="status">
          {exportMessage}
        </p>
      )}
      {exportError !== null && <ErrorMessage error={exportError} onDismiss={() => setExportError(null)} />}
      {loadable.state === 'failed' && <ErrorMessage error={loadable.error} />}
      {loadable.state === 'ready' && (
        <div className="table-scroll">
          <table className="table compact-table metrics-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col" className="numeric">
                  Labels (a / n / i)
                </th>
                <th scope="col" className="numeric">
                  AUROC
                </th>
                <th scope="col" className="numeric">
                  FPR95
                </th>
                <th scope="col" className="numeric">
                  AP
                </th>
                <th scope="col" className="numeric">
                  P@n
                </th>
                <th scope="col" className="numeric" title="On the dataset's own labels (test split), for reference">
                  AUROC, dataset labels
                </th>
              </tr>
            </thead>
            <tbody>
              {loadable.value.runs.map((entry) => (
                <tr key={entry.runId} className={entry.runId === runId ? 'current-run' : undefined} data-run-id={entry.runId}>
                  <th scope="row">
                    {runShortName(entry)}
                    {entry.runId === runId && <span className="muted small"> (this run)</span>}
                  </th>
                  <td className="numeric">
                    {entry.labelCounts.anomalous} / {entry.labelCounts.normal} / {entry.labelCounts.interesting}
                  </td>
                  <MetricCells outcome={entry.user} testId={`user-auroc-${entry.runId}`} />
                  <td className="numeric">{entry.dataset.metrics === null ? '—' : formatMetric(entry.dataset.metrics.auroc)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
