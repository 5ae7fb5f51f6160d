/** Every run, newest first, with what can be done with it: watch, browse, cancel, resume. */
import { useState } from 'react';
import type { RunSummary } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { formatRoute } from '../../app/router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { StatusBadge } from '../../components/StatusBadge';
import { baseName, formatDateTime } from '../../lib/format';
import { methodName } from '../../lib/methods';

export function RunsTable({ runs, onChanged }: { runs: readonly RunSummary[]; onChanged: () => void }) {
  const api = useApi();
  const [error, setError] = useState<IpcError | null>(null);
  const [busyRun, setBusyRun] = useState<string | null>(null);

  const act = async (channel: 'runs:cancel' | 'runs:resume', runId: string): Promise<void> => {
    setBusyRun(runId);
    setError(null);
    try {
      await call(api, channel, { runId });
      onChanged();
    } catch (thrown) {
      setError(toIpcError(thrown));
    } finally {
      setBusyRun(null);
    }
  };

  if (runs.length === 0) return <p className="muted">No runs yet: start one above.</p>;
  return (
    <>
      {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
      <table className="table runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Method</th>
            <th scope="col">Dataset</th>
            <th scope="col">Epochs</th>
            <th scope="col">Started</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.runId} data-run-id={run.runId}>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>{methodName(run.method)}</td>
              <td className="cell-path" title={run.datasetPath}>
                {baseName(run.datasetPath)}
              </td>
              <td className="numeric">
                {run.epochsCompleted} / {run.epochsTotal}
              </td>
              <td>{formatDateTime(run.startedAt ?? run.createdAt)}</td>
              <td className="row-actions">
                <a className="button small ghost" href={formatRoute('monitor', [run.runId])}>
                  Monitor
                </a>
                {run.status === 'done' && (
                  <a className="button small ghost" href={formatRoute('gallery', [run.runId])}>
                    Gallery
                  </a>
                )}
                {(run.status === 'running' || run.status === 'queued') && (
                  <button type="button" className="button small" disabled={busyRun === run.runId} onClick={() => void act('runs:cancel', run.runId)}>
                    Cancel
                  </button>
                )}
                {(run.status === 'interrupted' || run.status === 'failed') && run.origin === 'app' && (
                  <button type="button" className="button small" disabled={busyRun === run.runId} onClick={() => void act('runs:resume', run.runId)}>
                    Resume
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
