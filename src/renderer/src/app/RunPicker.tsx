/** Shown when a run view is opened without a run: lists the runs to choose from. */
import { useInvoke } from '../api/hooks';
import { ErrorMessage } from '../components/ErrorMessage';
import { StatusBadge } from '../components/StatusBadge';
import { baseName, formatDateTime } from '../lib/format';
import { formatRoute } from './router';
import type { ViewDefinition } from './views';

export function RunPicker({ view, suggestedRunId }: { view: ViewDefinition; suggestedRunId: string | null }) {
  const { loadable } = useInvoke('runs:list', [], 'runs');
  return (
    <div className="page narrow">
      <section className="card" aria-labelledby="run-picker-heading">
        <h2 id="run-picker-heading">{view.label}: choose a run</h2>
        <p className="muted">{view.purpose}.</p>
        {loadable.state === 'loading' && <p className="muted">Loading runs…</p>}
        {loadable.state === 'failed' && <ErrorMessage error={loadable.error} />}
        {loadable.state === 'ready' && loadable.value.length === 0 && (
          <p>
            No runs yet. <a href={formatRoute('data')}>Import a dataset</a> and <a href={formatRoute('train')}>start training</a>.
          </p>
        )}
        {loadable.state === 'ready' && loadable.value.length > 0 && (
          <ul className="link-list">
            {loadable.value.map((run) => (
              <li key={run.runId}>
                <a href={formatRoute(view.id, [run.runId])} className={run.runId === suggestedRunId ? 'suggested' : undefined}>
                  <StatusBadge status={run.status} />
                  <span className="link-main">{run.method} on {baseName(run.datasetPath)}</span>
                  <span className="muted">{formatDateTime(run.createdAt)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
