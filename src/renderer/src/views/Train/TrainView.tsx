/** Training setup (a new run) and the list of runs, which stays current as runs change state. */
import { useEffect, useRef } from 'react';
import { useBackendEvent, useInvoke } from '../../api/hooks';
import type { AppViewProps } from '../../app/views';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RunsTable } from './RunsTable';
import { TrainingForm } from './TrainingForm';

export function TrainView({ route }: AppViewProps) {
  const defaults = useInvoke('app:config-defaults', [], 'defaults');
  const datasets = useInvoke('datasets:list', [], 'datasets');
  const runs = useInvoke('runs:list', [], 'runs');
  const requestedDataset = Number(route.query.get('dataset'));

  // Status events come in bursts (loading progress); one reload per burst is enough.
  const reloadTimer = useRef<number | null>(null);
  useBackendEvent('runs:status', () => {
    reloadTimer.current ??= window.setTimeout(() => {
      reloadTimer.current = null;
      runs.reload();
    }, 300);
  });
  useEffect(
    () => () => {
      if (reloadTimer.current !== null) window.clearTimeout(reloadTimer.current);
    },
    [],
  );

  return (
    <div className="page">
      <section className="card" aria-labelledby="new-run-heading">
        <h2 id="new-run-heading">New run</h2>
        {(defaults.loadable.state === 'loading' || datasets.loadable.state === 'loading') && <p className="muted">Loading the defaults…</p>}
        {defaults.loadable.state === 'failed' && <ErrorMessage error={defaults.loadable.error} />}
        {datasets.loadable.state === 'failed' && <ErrorMessage error={datasets.loadable.error} />}
        {defaults.loadable.state === 'ready' && datasets.loadable.state === 'ready' && (
          <TrainingForm
            defaults={defaults.loadable.value}
            datasets={datasets.loadable.value}
            initialDatasetId={Number.isInteger(requestedDataset) && requestedDataset > 0 ? requestedDataset : null}
            onStarted={runs.reload}
          />
        )}
      </section>
      <section className="card" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        {runs.loadable.state === 'loading' && <p className="muted">Loading runs…</p>}
        {runs.loadable.state === 'failed' && <ErrorMessage error={runs.loadable.error} />}
        {runs.loadable.state === 'ready' && <RunsTable runs={runs.loadable.value} onChanged={runs.reload} />}
      </section>
    </div>
  );
}
