import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

/** Uncaught renderer errors end up in the main-process log, where a bug report will look for them. */
function reportToMain(message: string): void {
  window.polaris?.send('log:renderer', { level: 'error', message: message.slice(0, 10_000) });
}
window.addEventListener('error', (event) => reportToMain(`${event.message} (${event.filename}:${event.lineno})`));
window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  const reason: unknown = event.reason;
  reportToMain(`Unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
