/**
 * The app shell: the header with the navigation between views, the backend's version and compute
 * backend, and the current view. Run views (monitor, gallery, …) show the run named in the route, or
 * the run the user last looked at, or ask which run to show.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useInvoke } from './api/hooks';
import { RunPicker } from './app/RunPicker';
import { formatRoute, useRoute } from './app/router';
import { DEFAULT_VIEW_ID, findView, VIEWS, type ViewDefinition } from './app/views';
import { PolarisMark } from './components/PolarisMark';

const LAST_RUN_KEY = 'polaris.last-run';

function rememberedRunId(): string | null {
  try {
    return localStorage.getItem(LAST_RUN_KEY);
  } catch {
    return null; // storage can be disabled; the app works without it
  }
}

function BackendInfo() {
  const { loadable } = useInvoke('app:info', [], 'once');
  if (loadable.state !== 'ready') {
    return <span className="backend-info muted">{loadable.state === 'loading' ? 'Connecting…' : 'Backend unavailable'}</span>;
  }
  const { version, backend } = loadable.value;
  return (
    <span className="backend-info" title="Polaris version and the TensorFlow.js backend training uses">
      <span className="muted">Polaris</span> <span data-testid="app-version">{version}</span>
      <span className="dot" aria-hidden="true">·</span>
      <span className="muted">compute</span> <span data-testid="app-backend">{backend}</span>
    </span>
  );
}

function navHref(view: ViewDefinition, runId: string | null): string {
  return view.scope === 'run' && runId !== null ? formatRoute(view.id, [runId]) : formatRoute(view.id);
}

export function App() {
  const route = useRoute();
  const view = findView(route.view) ?? findView(DEFAULT_VIEW_ID);
  const [currentRunId, setCurrentRunId] = useState<string | null>(rememberedRunId);
  const routeRunId = view?.scope === 'run' ? (route.params[0] ?? null) : null;

  useEffect(() => {
    if (routeRunId === null) return;
    setCurrentRunId(routeRunId);
    try {
      localStorage.setItem(LAST_RUN_KEY, routeRunId);
    } catch {
      // not remembered across restarts; fine
    }
  }, [routeRunId]);

  useEffect(() => {
    document.title = view === undefined ? 'Polaris' : `${view.label} · Polaris`;
  }, [view]);

  let content: ReactNode;
  if (view === undefined) {
    content = null;
  } else if (view.scope === 'app') {
    const Component = view.component;
    content = <Component route={route} />;
  } else if (routeRunId !== null) {
    const Component = view.component;
    // Keyed by run: switching runs starts the view afresh instead of mixing two runs' state.
    content = <Component key={routeRunId} route={route} runId={routeRunId} />;
  } else {
    content = <RunPicker view={view} suggestedRunId={currentRunId} />;
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <PolarisMark />
          <h1>Polaris</h1>
        </div>
        <nav className="view-nav" aria-label="Views">
          <ol>
            {VIEWS.map((entry, position) => (
              <li key={entry.id}>
                <a href={navHref(entry, currentRunId)} aria-current={entry.id === view?.id ? 'page' : undefined} title={entry.purpose}>
                  <span className="step" aria-hidden="true">{position + 1}</span>
                  {entry.label}
                </a>
              </li>
            ))}
          </ol>
        </nav>
        <BackendInfo />
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
