import { useEffect, useState } from 'react';
import type { PolarisApi } from '../../shared/api';
// Types only from the contract (it carries zod); runtime constants from the zod-free module.
import type { InvokeArgs, InvokeChannel, InvokeResponse, RunSummary } from '../../shared/ipc';
import { IpcErrorNames, type IpcError } from '../../shared/ipc-errors';

/** Channels that take no payload, so a component can fetch them with nothing but the name. */
type PayloadFreeChannel = { [C in InvokeChannel]: InvokeArgs<C> extends [] ? C : never }[InvokeChannel];

type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: IpcError };

const MISSING_BRIDGE: IpcError = {
  name: 'NoBackendError',
  message: 'This page is not connected to the Polaris backend. Start it through the desktop app.',
};

function getApi(): PolarisApi | undefined {
  return window.polaris;
}

/** Loads one payload-free channel once, on mount. */
function useInvokeOnce<C extends PayloadFreeChannel>(channel: C): Loadable<InvokeResponse<C>> {
  const [loadable, setLoadable] = useState<Loadable<InvokeResponse<C>>>({ state: 'loading' });

  useEffect(() => {
    const api = getApi();
    if (api === undefined) {
      setLoadable({ state: 'failed', error: MISSING_BRIDGE });
      return;
    }
    let current = true; // ignore answers that arrive after unmount (StrictMode mounts twice in dev)
    const noPayload = [] as InvokeArgs<C>;
    api
      .invoke(channel, ...noPayload)
      .then((result) => {
        if (!current) return;
        setLoadable(result.ok ? { state: 'ready', value: result.value } : { state: 'failed', error: result.error });
      })
      .catch((thrown: unknown) => {
        if (!current) return;
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        setLoadable({ state: 'failed', error: { name: 'TransportError', message } });
      });
    return () => {
      current = false;
    };
  }, [channel]);

  return loadable;
}

function PolarisMark() {
  // The pole star: a four-pointed star over a night-blue tile (same drawing as resources/icon.svg).
  return (
    <svg className="mark" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#14213d" />
      <path d="M32 8 L36.5 27.5 L56 32 L36.5 36.5 L32 56 L27.5 36.5 L8 32 L27.5 27.5 Z" fill="#f8f4e3" />
      <circle cx="32" cy="32" r="3" fill="#fca311" />
    </svg>
  );
}

function InstallationCard() {
  const info = useInvokeOnce('app:info');
  return (
    <section className="card" aria-labelledby="installation-heading">
      <h2 id="installation-heading">This installation</h2>
      {info.state === 'loading' && <p className="muted">Asking the backend…</p>}
      {info.state === 'failed' && <ErrorNote error={info.error} />}
      {info.state === 'ready' && (
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="app-version">{info.value.version}</dd>
          <dt>Compute backend</dt>
          <dd data-testid="app-backend">{info.value.backend}</dd>
          <dt>Platform</dt>
          <dd>{info.value.platform}</dd>
        </dl>
      )}
    </section>
  );
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function RunList({ runs }: { runs: readonly RunSummary[] }) {
  if (runs.length === 0) return <p className="muted">No runs yet. Start one from a dataset folder.</p>;
  return (
    <ul className="runs">
      {runs.map((run) => (
        <li key={run.runId}>
          <span className={`status status-${run.status}`}>{run.status}</span>
          <span className="run-path" title={run.datasetPath}>
            {run.datasetPath}
          </span>
          <time dateTime={run.createdAt}>{formatDate(run.createdAt)}</time>
        </li>
      ))}
    </ul>
  );
}

function RunsCard() {
  const runs = useInvokeOnce('runs:list');
  return (
    <section className="card" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Recent runs</h2>
      {runs.state === 'loading' && <p className="muted">Loading runs…</p>}
      {runs.state === 'failed' &&
        (runs.error.name === IpcErrorNames.notImplemented ? (
          <p className="muted">Run history is not available in this build yet.</p>
        ) : (
          <ErrorNote error={runs.error} />
        ))}
      {runs.state === 'ready' && <RunList runs={runs.value} />}
    </section>
  );
}

function ErrorNote({ error }: { error: IpcError }) {
  return (
    <p className="error" role="alert">
      <strong>{error.name}:</strong> {error.message}
    </p>
  );
}

export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <PolarisMark />
        <div>
          <h1>Polaris</h1>
          <p className="tagline">Anomaly detection for scientific image collections</p>
        </div>
      </header>
      <main className="content">
        <InstallationCard />
        <RunsCard />
      </main>
    </div>
  );
}
