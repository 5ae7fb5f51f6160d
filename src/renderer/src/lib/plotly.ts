/**
 * Loads plotly on first use, once, so the first paint never waits for it. The prebuilt bundle is
 * shipped as a plain file (Vite's ?url copies it as it is, without re-bundling 4.7 MB of minified
 * code) and loaded with a <script> tag from the app's own origin, which the CSP's script-src 'self'
 * allows; the 2-D traces Polaris draws need no 'unsafe-eval'.
 */
import plotlyUrl from 'plotly.js-dist-min/plotly.min.js?url';

export type PlotlyModule = typeof import('plotly.js');

declare global {
  interface Window {
    /** Set by plotly's bundle when it loads. */
    Plotly?: PlotlyModule;
  }
}

let loading: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= new Promise<PlotlyModule>((resolve, reject) => {
    if (window.Plotly !== undefined) {
      resolve(window.Plotly);
      return;
    }
    const script = document.createElement('script');
    script.src = plotlyUrl;
    script.async = true;
    script.onload = () => (window.Plotly === undefined ? reject(new Error('plotly loaded but did not register')) : resolve(window.Plotly));
    script.onerror = () => reject(new Error('plotly could not be loaded'));
    document.head.append(script);
  }).catch((error: unknown) => {
    loading = null; // allow a later retry
    throw error;
  });
  return loading;
}
