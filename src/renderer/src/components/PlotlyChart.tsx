/**
 * One plotly figure in a card, with a "Save PNG" button. Plotly loads lazily; until it arrives (or if
 * it cannot load) the card says so instead of leaving a blank box. Updates go through Plotly.react, so
 * live data redraws without rebuilding the figure.
 */
import type { Config, Data, Layout } from 'plotly.js';
import { useEffect, useRef, useState } from 'react';
import { dataUrlToBlob, safeFileName, saveBlob } from '../lib/download';
import { loadPlotly } from '../lib/plotly';

export interface PlotlyChartProps {
  title: string;
  /** What the figure shows, for screen readers (the figure itself is drawn in SVG without text access). */
  summary: string;
  data: Data[];
  layout?: Partial<Layout>;
  height?: number;
  /** File name (without extension) for "Save PNG". */
  exportName: string;
  testId?: string;
}

const BASE_LAYOUT: Partial<Layout> = {
  margin: { l: 56, r: 16, t: 8, b: 40 },
  paper_bgcolor: '#ffffff',
  plot_bgcolor: '#ffffff',
  font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#1b1f27' },
  xaxis: { gridcolor: '#eef0f3', zeroline: false },
  yaxis: { gridcolor: '#eef0f3', zeroline: false },
  showlegend: false,
};

const CONFIG: Partial<Config> = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['toImage', 'select2d', 'lasso2d'],
};

export function PlotlyChart({ title, summary, data, layout, height = 220, exportName, testId }: PlotlyChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    let live = true;
    loadPlotly()
      .then((Plotly) => {
        if (!live) return;
        const merged: Partial<Layout> = {
          ...BASE_LAYOUT,
          ...layout,
          xaxis: { ...BASE_LAYOUT.xaxis, ...layout?.xaxis },
          yaxis: { ...BASE_LAYOUT.yaxis, ...layout?.yaxis },
          height,
        };
        return Plotly.react(container, data, merged, CONFIG).then(() => {
          if (live) setState('ready');
        });
      })
      .catch((error: unknown) => {
        console.warn('[polaris] plotly failed:', error);
        if (live) setState('failed');
      });
    return () => {
      live = false;
    };
  }, [data, layout, height]);

  useEffect(() => {
    const container = containerRef.current;
    return () => {
      if (container !== null) void loadPlotly().then((Plotly) => Plotly.purge(container));
    };
  }, []);

  const savePng = async (): Promise<void> => {
    const container = containerRef.current;
    if (container === null) return;
    const Plotly = await loadPlotly();
    // Twice the on-screen size, on white, so the PNG reads well in a paper or slide.
    const url = await Plotly.toImage(container, { format: 'png', width: container.clientWidth * 2 || 1200, height: height * 2, scale: 1 });
    saveBlob(dataUrlToBlob(url), `${safeFileName(exportName)}.png`);
  };

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-header">
        <span className="chart-title">{title}</span>
        <button type="button" className="button ghost small" onClick={() => void savePng()} disabled={state !== 'ready'} aria-label={`Save the figure "${title}" as PNG`}>
          Save PNG
        </button>
      </figcaption>
      <div className="chart-body" style={{ height }}>
        <div ref={containerRef} className="chart-canvas" role="img" aria-label={summary} data-state={state} />
        {state === 'loading' && <p className="chart-placeholder muted">Loading the chart…</p>}
        {state === 'failed' && <p className="chart-placeholder error-text">The chart could not be drawn in this window.</p>}
      </div>
    </figure>
  );
}
