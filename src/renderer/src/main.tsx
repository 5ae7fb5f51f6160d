import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PolarisApi } from '../../shared/api';
import { ApiProvider } from './api/ApiContext';
import { App } from './App';
import { PolarisMark } from './components/PolarisMark';
import { DisplaySettingsProvider } from './display/DisplaySettingsContext';
import { connectToBackend } from './transport/connect';
import './styles.css';

let logSink: PolarisApi | null = null;

/** Uncaught renderer errors end up in the backend's log, where a bug report will look for them. */
function reportToBackend(message: string): void {
  logSink?.send('log:renderer', { level: 'error', message: message.slice(0, 10_000) });
}
window.addEventListener('error', (event) => reportToBackend(`${event.message} (${event.filename}:${event.lineno})`));
window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  const reason: unknown = event.reason;
  reportToBackend(`Unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});

function StandaloneMessage({ title, text }: { title: string; text: string }) {
  return (
    <div className="standalone">
      <PolarisMark />
      <h1>Polaris</h1>
      <h2>{title}</h2>
      <p className="muted">{text}</p>
    </div>
  );
}

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
const root = createRoot(container);
root.render(<StandaloneMessage title="Connecting…" text="Reaching the Polaris backend." />);

connectToBackend()
  .then((connection) => {
    if (connection.kind === 'none') {
      root.render(<StandaloneMessage title="Not connected" text={connection.reason} />);
      return;
    }
    logSink = connection.api;
    root.render(
      <StrictMode>
        <ApiProvider api={connection.api} kind={connection.kind}>
          <DisplaySettingsProvider>
            <App />
          </DisplaySettingsProvider>
        </ApiProvider>
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.render(<StandaloneMessage title="Polaris could not start" text={error instanceof Error ? error.message : String(error)} />);
  });
