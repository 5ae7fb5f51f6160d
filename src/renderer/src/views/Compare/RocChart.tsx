/** The compared runs' ROC curves overlaid, each labelled with its AUROC, on the comparison's label source. */
import type { Data } from 'plotly.js';
import { useMemo } from 'react';
import type { RunComparison } from '../../../../shared/ipc-insight';
import { formatMetric, runShortName } from '../Insight/common';
import { InteractivePlot } from '../Insight/InteractivePlot';

/** Run colours, in the comparison's order (the first run is the reference). */
export const RUN_COLORS = ['#14213d', '#e0631a', '#2f6db5', '#59a14f', '#b07aa1', '#c28a00', '#76b7b2', '#e15759'];

export function RocChart({ comparison }: { comparison: RunComparison }) {
  const data = useMemo((): Data[] => {
    const chance: Data = { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], line: { color: '#c5cbd5', dash: 'dot', width: 1 }, hoverinfo: 'skip', showlegend: false };
    const curves = comparison.runs.flatMap((run, position): Data[] =>
      run.roc === null
        ? []
        : [
            {
              type: 'scatter',
              mode: 'lines',
              name: `${runShortName(run)} · AUROC ${formatMetric(run.metrics.metrics?.auroc)}`,
              x: run.roc.fpr,
              y: run.roc.tpr,
              line: { color: RUN_COLORS[position % RUN_COLORS.length], width: 2.5, shape: 'hv' },
              hovertemplate: `${runShortName(run)}<br>FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>`,
            },
          ],
    );
    return [chance, ...curves];
  }, [comparison]);
  const layout = useMemo(
    () => ({
      showlegend: true,
      legend: { x: 0.98, xanchor: 'right' as const, y: 0.04, yanchor: 'bottom' as const, bgcolor: 'rgba(255,255,255,0.85)', font: { size: 11 } },
      xaxis: { title: { text: 'false-positive rate (normal items flagged)' }, range: [0, 1] },
      yaxis: { title: { text: 'true-positive rate (anomalies caught)' }, range: [0, 1.02] },
    }),
    [],
  );
  const withCurves = comparison.runs.filter((run) => run.roc !== null).length;
  return (
    <div className="insight-main" data-testid="compare-roc">
      <InteractivePlot
        title="ROC curves"
        summary={`ROC curves of ${withCurves} runs overlaid. ${comparison.runs.map((run) => `${runShortName(run)}: AUROC ${formatMetric(run.metrics.metrics?.auroc)}`).join('; ')}.`}
        data={data}
        layout={layout}
        height={340}
        exportName="compare-roc"
        testId="compare-roc-chart"
      />
      {withCurves === 0 && <p className="notice small">No run has labels of both classes on this label source yet.</p>}
    </div>
  );
}
