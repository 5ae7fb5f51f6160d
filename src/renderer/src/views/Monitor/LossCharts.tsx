/**
 * One small chart per loss term: the mean of every finished epoch (points and line) over the values
 * of the individual batches seen live (thin line). Terms span many orders of magnitude, so a chart
 * switches to a log axis when its values are positive and spread widely.
 */
import type { Data, Layout } from 'plotly.js';
import { useMemo } from 'react';
import type { EpochLogEntry } from '../../../../shared/ipc';
import { PlotlyChart } from '../../components/PlotlyChart';
import { formatNumber } from '../../lib/format';
import { lossTermLabel, sortLossTerms } from '../../lib/loss-terms';
import type { StepPoint } from './useRunLive';

const EPOCH_COLOR = '#14213d';
const STEP_COLOR = '#9fb3d1';

interface TermChart {
  term: string;
  data: Data[];
  layout: Partial<Layout>;
  summary: string;
}

function wantsLogAxis(values: readonly number[]): boolean {
  if (values.length < 2 || values.some((value) => !(value > 0))) return false;
  return Math.max(...values) / Math.min(...values) > 50;
}

function buildCharts(epochs: readonly EpochLogEntry[], steps: readonly StepPoint[]): TermChart[] {
  const terms = sortLossTerms([...epochs.flatMap((entry) => Object.keys(entry.losses)), ...steps.flatMap((point) => Object.keys(point.losses))]);
  return terms.map((term) => {
    const epochPoints = epochs.filter((entry) => entry.losses[term] !== undefined);
    // An epoch's mean is drawn at its end (x = epoch + 1), where the live batch values of that epoch end.
    const epochX = epochPoints.map((entry) => entry.epoch + 1);
    const epochY = epochPoints.map((entry) => entry.losses[term] as number);
    const stepPoints = steps.filter((point) => point.losses[term] !== undefined);
    const stepY = stepPoints.map((point) => point.losses[term] as number);
    const data: Data[] = [
      { type: 'scatter', mode: 'lines', name: 'batches', x: stepPoints.map((point) => point.x), y: stepY, line: { color: STEP_COLOR, width: 1 }, hoverinfo: 'skip' },
      { type: 'scatter', mode: 'lines+markers', name: 'epoch mean', x: epochX, y: epochY, line: { color: EPOCH_COLOR, width: 2 }, marker: { size: 6 } },
    ];
    const layout: Partial<Layout> = {
      xaxis: { title: { text: 'epoch' }, rangemode: 'tozero' },
      yaxis: { type: wantsLogAxis([...epochY, ...stepY]) ? 'log' : 'linear', exponentformat: 'power' },
    };
    const latest = epochY[epochY.length - 1] ?? stepY[stepY.length - 1];
    const summary = `${lossTermLabel(term)}: ${epochY.length} epoch means${latest === undefined ? '' : `, latest ${formatNumber(latest)}`}.`;
    return { term, data, layout, summary };
  });
}

export function LossCharts({ runId, epochs, steps }: { runId: string; epochs: readonly EpochLogEntry[]; steps: readonly StepPoint[] }) {
  const charts = useMemo(() => buildCharts(epochs, steps), [epochs, steps]);
  if (charts.length === 0) {
    return <p className="muted empty-note">The curves appear with the first batch.</p>;
  }
  return (
    <div className="chart-grid" data-testid="loss-charts">
      {charts.map((chart) => (
        <PlotlyChart
          key={chart.term}
          title={lossTermLabel(chart.term)}
          summary={chart.summary}
          data={chart.data}
          layout={chart.layout}
          height={200}
          exportName={`${runId}-${chart.term}`}
          testId={`chart-${chart.term}`}
        />
      ))}
    </div>
  );
}
