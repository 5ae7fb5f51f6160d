/**
 * How the pole forms: the mean cos φ_i of the snapshot sample after every epoch, as a heat map (angles
 * across, epochs down). Under Comp.VAE the cells turn towards +1 as training packs the normal items
 * into the island at the north pole; a standard VAE stays near 0, on the equators.
 */
import type { Data, PlotDatum } from 'plotly.js';
import { useMemo, useState } from 'react';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatCount } from '../../lib/format';
import { COSINE_COLORSCALE } from '../Insight/colors';
import { Segmented } from '../Insight/common';
import { InteractivePlot } from '../Insight/InteractivePlot';

type HeatmapGroup = 'all' | 'normal' | 'anomalous';
const GROUP_OPTIONS = [
  { value: 'all', label: 'All items' },
  { value: 'normal', label: 'Normal' },
  { value: 'anomalous', label: 'Anomalous' },
] as const;

export function AngleHeatmapCard({ runId, selectedAngle, onPickCell }: { runId: string; selectedAngle: number; onPickCell(epoch: number, angle: number): void }) {
  const [group, setGroup] = useState<HeatmapGroup>('all');
  const { loadable } = useInvoke('insight:angle-heatmap', [{ runId, group }], `${runId}:${group}`);
  const heatmap = loadable.state === 'ready' ? loadable.value : null;

  const data = useMemo((): Data[] => {
    if (heatmap === null || heatmap.epochs.length === 0) return [];
    const angles = Array.from({ length: heatmap.angleCount }, (_, i) => i + 1);
    const epochs = heatmap.epochs.map((epoch) => epoch + 1);
    return [
      {
        type: 'heatmap' as const,
        z: heatmap.meanCosines,
        x: angles,
        y: epochs,
        zmin: -1,
        zmax: 1,
        colorscale: COSINE_COLORSCALE,
        colorbar: { title: { text: 'mean cos φ', side: 'right' as const }, thickness: 12, len: 0.9 },
        hovertemplate: 'after epoch %{y}<br>φ%{x}: mean cos %{z:.3f}<extra></extra>',
        xgap: heatmap.angleCount <= 40 ? 1 : 0,
        ygap: heatmap.epochs.length <= 40 ? 1 : 0,
      } as Data,
    ];
  }, [heatmap]);

  const layout = useMemo(
    () => ({
      margin: { l: 56, r: 16, t: 8, b: 44 },
      xaxis: { title: { text: 'angle φ_i' }, dtick: heatmap !== null && heatmap.angleCount <= 32 ? 1 : undefined, showgrid: false },
      yaxis: { title: { text: 'epoch' }, dtick: heatmap !== null && heatmap.epochs.length <= 20 ? 1 : undefined, showgrid: false, autorange: 'reversed' as const },
      shapes:
        heatmap === null || heatmap.epochs.length === 0
          ? []
          : [{ type: 'rect' as const, xref: 'x' as const, yref: 'paper' as const, x0: selectedAngle - 0.5, x1: selectedAngle + 0.5, y0: 0, y1: 1, line: { color: '#14213d', width: 2 } }],
    }),
    [heatmap, selectedAngle],
  );

  // A heat-map cell reports its axis values: x is the angle number, y the 1-based epoch.
  const onPointClick = (point: PlotDatum): void => {
    const { x, y } = point;
    if (typeof x === 'number' && typeof y === 'number') onPickCell(y - 1, x);
  };

  const rows = heatmap?.epochs.length ?? 0;
  return (
    <section className="card insight-card" aria-labelledby="heatmap-heading" data-testid="angle-heatmap">
      <div className="card-header">
        <div>
          <h3 id="heatmap-heading" className="card-title">How the pole forms</h3>
          <p className="muted small">
            Mean cos φ_i of {heatmap === null ? 'the' : formatCount(heatmap.itemCount)} sampled items after each epoch; red is the pole. Click a cell to see that angle and epoch.
          </p>
        </div>
        <Segmented legend="Items" options={GROUP_OPTIONS} value={group} onChange={setGroup} />
      </div>
      {loadable.state === 'failed' && <ErrorMessage error={loadable.error} />}
      {heatmap !== null && heatmap.unavailableReason !== null && <p className="notice">{heatmap.unavailableReason}</p>}
      {heatmap !== null && heatmap.epochs.length > 0 && (
        <InteractivePlot
          title="Mean cos φ_i over epochs"
          summary={`Heat map of the mean cosine of each of ${heatmap.angleCount} angles over ${rows} epochs; values near 1 mean the items sit near the north pole in that angle.`}
          data={data}
          layout={layout}
          height={Math.min(330, 110 + rows * 30)}
          exportName={`${runId}-pole-heatmap`}
          testId="angle-heatmap-chart"
          onPointClick={onPointClick}
        />
      )}
    </section>
  );
}
