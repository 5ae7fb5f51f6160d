/**
 * Exports of a run: the ranked list as CSV (file, score, rank, label) and the metrics as JSON. The CSV
 * is assembled a page at a time, with progress and a cancel button, so 100,000 items never freeze
 * the window.
 */
import { useRef, useState } from 'react';
import type { PolarisApi } from '../../../../shared/api';
import type { RunDetail } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { csvRow } from '../../lib/csv';
import { safeFileName, saveText } from '../../lib/download';
import { formatCount } from '../../lib/format';
import { labelsCsv } from '../Insight/labels-csv';

const EXPORT_PAGE = 500;

class ExportCancelled extends Error {
  override readonly name = 'AbortError';
}

/** The ranked list, most anomalous first; reports progress after every page. */
export async function rankedCsv(api: PolarisApi, runId: string, onProgress: (done: number, total: number) => void, signal: AbortSignal): Promise<string> {
  const parts: string[] = [csvRow(['file', 'score', 'rank', 'label'])];
  let offset = 0;
  let total = Infinity;
  while (offset < total) {
    if (signal.aborted) throw new ExportCancelled('Export cancelled');
    const page = await call(api, 'runs:items-sorted', { runId, offset, limit: EXPORT_PAGE, sortBy: 'rank', direction: 'asc' });
    total = page.total;
    for (const item of page.items) parts.push(csvRow([item.file, item.score, item.rank, item.label]));
    offset += page.items.length;
    onProgress(Math.min(offset, total), total);
    if (page.items.length === 0) break;
  }
  return parts.join('');
}

export function metricsJson(run: RunDetail): string {
  const document = {
    runId: run.runId,
    method: run.method,
    dataset: run.datasetPath,
    status: run.status,
    epochs: { completed: run.epochsCompleted, total: run.epochsTotal },
    backend: run.backend,
    appVersion: run.appVersion,
    trainSeconds: run.trainSeconds,
    seed: run.seed,
    items: run.resultCount,
    metrics: run.metrics,
    config: run.config,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function ExportPanel({ run }: { run: RunDetail }) {
  const api = useApi();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const exportCsv = async (): Promise<void> => {
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setMessage(null);
    setProgress({ done: 0, total: run.resultCount });
    try {
      const text = await rankedCsv(api, run.runId, (done, total) => setProgress({ done, total }), controller.signal);
      saveText(text, `${safeFileName(run.runId)}-ranked.csv`, 'text/csv');
      setMessage('Saved the ranked list.');
    } catch (thrown) {
      if (thrown instanceof ExportCancelled) setMessage('Export cancelled.');
      else setError(toIpcError(thrown));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  const exportLabels = async (): Promise<void> => {
    setError(null);
    try {
      const { items } = await call(api, 'insight:labelled-items', { runId: run.runId });
      saveText(labelsCsv(items), `${safeFileName(run.runId)}-labels.csv`, 'text/csv');
      setMessage(`Saved your ${items.length} label${items.length === 1 ? '' : 's'}.`);
    } catch (thrown) {
      setError(toIpcError(thrown));
    }
  };

  const exportMetrics = (): void => {
    saveText(metricsJson(run), `${safeFileName(run.runId)}-metrics.json`, 'application/json');
    setMessage('Saved the metrics.');
  };

  return (
    <div className="export-panel">
      <div className="button-row" role="group" aria-label="Export">
        <button type="button" className="button" onClick={() => void exportCsv()} disabled={progress !== null} data-testid="export-csv">
          Ranked list (CSV)
        </button>
        <button type="button" className="button" onClick={exportMetrics} data-testid="export-metrics">
          Metrics (JSON)
        </button>
        <button type="button" className="button" onClick={() => void exportLabels()} data-testid="export-user-labels">
          Your labels (CSV)
        </button>
      </div>
      {progress !== null && (
        <div className="inline-progress">
          <ProgressBar label="Writing the ranked list" value={progress.done} max={Math.max(progress.total, 1)} detail={`${formatCount(progress.done)} of ${formatCount(progress.total)} items`} />
          <button type="button" className="button small" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </div>
      )}
      {message !== null && (
        <p className="muted small" role="status">
          {message}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}
