/**
 * A plotly figure whose points can be clicked (a histogram bin, a heat-map cell, a point on the
 * sphere), in the same card as the app's other charts, with "Save PNG". Plotly loads lazily through
 * the app's loader (a same-origin script, allowed by the CSP's script-src 'self'; the 2-D and gl3d
 * traces drawn here need no 'unsafe-eval'). Each clickable trace carries the ids the click needs in
 * `customdata`, so a click never has to be mapped back through positions.
 */
import type { Config, Data, Layout, PlotDatum, PlotlyHTMLElement } from 'plotly.js';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { dataUrlToBlob, safeFileName, saveBlob } from '../../lib/download';
import { loadPlotly } from '../../lib/plotly';

export interface InteractivePlotProps {
  title: string;
  /** What the figure shows, for screen readers (plotly draws without text access). */
  summary: string;
  data: Data[];
  layout?: Partial<Layout>;
  height: number;
  exportName: string;
  testId?: string;
  /** Called with the first point under a click. */
  onPointClick?(point: PlotDatum): void;
  /** Extra controls in the card's header, before "Save PNG". */
  headerExtra?: ReactNode;
}

const BASE_LAYOUT: Partial<Layout> = {
  margin: { l: 56, r: 16, t: 8, b: 44 },
  paper_bgcolor: '#ffffff',
  plot_bgcolor: '#ffffff',
  font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#1b1f27' },
  xaxis: { gridcolor: '#eef0f3', zeroline: false },
  yaxis: { gridcolor: '#eef0f3', zeroline: false },
  hoverlabel: { bgcolor: '#ffffff', bordercolor: '#c5cbd5', font: { color: '#1b1f27' } },
};

const CONFIG: Partial<Config> = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['toImage', 'select2d', 'lasso2d'],
};

type PlotState = 'loading' | 'ready' | 'failed';

export function InteractivePlot({ title, summary, data, layout, height, exportName, testId, onPointClick, headerExtra }: InteractivePlotProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PlotState>('loading');
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;
  const listening = useRef(false);

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
        return Plotly.react(container, data, merged, CONFIG).then((plot: PlotlyHTMLElement) => {
          // Listeners survive Plotly.react; attach once and read the latest callback through the ref.
          if (!listening.current) {
            listening.current = true;
            plot.on('plotly_click', (event) => {
              const point = event.points[0];
              if (point !== undefined) clickRef.current?.(point);
            });
          }
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
    const url = await Plotly.toImage(container, { format: 'png', width: container.clientWidth * 2 || 1200, height: height * 2, scale: 1 });
    saveBlob(dataUrlToBlob(url), `${safeFileName(exportName)}.png`);
  };

  return (
    <figure className="chart insight-chart" data-testid={testId}>
      <figcaption className="chart-header">
        <span className="chart-title">{title}</span>
        <span className="insight-chart-actions">
          {headerExtra}
          <button type="button" className="button ghost small" onClick={() => void savePng()} disabled={state !== 'ready'} aria-label={`Save the figure "${title}" as PNG`}>
            Save PNG
          </button>
        </span>
      </figcaption>
      <div className="chart-body" style={{ height }}>
        <div ref={containerRef} className="chart-canvas" role="img" aria-label={summary} data-state={state} />
        {state === 'loading' && <p className="chart-placeholder muted">Loading the chart…</p>}
        {state === 'failed' && <p className="chart-placeholder error-text">The chart could not be drawn in this window.</p>}
      </div>
    </figure>
  );
}

/** A plotly datum's customdata as a tuple of strings and numbers (how the insight traces tag their points). */
export function customTuple(point: PlotDatum): readonly (string | number)[] {
  const value: unknown = point.customdata;
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is string | number => typeof entry === 'string' || typeof entry === 'number');
}
