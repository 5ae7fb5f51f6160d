/**
 * One run on the unit sphere: a plotly scatter3d of the items' 3-D points, a light wireframe and the
 * north pole, coloured by score or label; a snapshot epoch can replace the scored model to watch the
 * island form. A list of the most anomalous points gives the same "open the item" path by keyboard.
 */
import type { Data, PlotDatum } from 'plotly.js';
import { useId, useMemo, useState } from 'react';
import type { RunSummary } from '../../../../shared/ipc';
import type { SpherePoints } from '../../../../shared/ipc-insight';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatCount, formatNumber } from '../../lib/format';
import { methodName } from '../../lib/methods';
import { groupColor, SCORE_COLORSCALE } from '../Insight/colors';
import { runShortName } from '../Insight/common';
import { customTuple, InteractivePlot } from '../Insight/InteractivePlot';

export type SphereColoring = 'score' | 'label' | 'user-label';

export interface SpherePanelProps {
  runId: string | null;
  heading: string;
  coloring: SphereColoring;
  onOpenItem(runId: string, index: number): void;
  testId: string;
  /** When given, the panel offers these runs to show instead. */
  runChoices?: readonly RunSummary[];
  onRunChange?(runId: string | null): void;
  emptyText?: string;
}

const TOP_POINTS_LISTED = 10;

/** Great circles and two latitudes, drawn once: they give the eye the sphere without hiding points. */
function wireframe(): Data[] {
  const steps = 96;
  const circle = (point: (t: number) => [number, number, number]): Data => {
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let i = 0; i <= steps; i++) {
      const [x, y, z] = point((2 * Math.PI * i) / steps);
      xs.push(x);
      ys.push(y);
      zs.push(z);
    }
    return { type: 'scatter3d', mode: 'lines', x: xs, y: ys, z: zs, line: { color: '#c5cbd5', width: 2 }, hoverinfo: 'skip', showlegend: false } as Data;
  };
  const latitude = (height: number) => (t: number): [number, number, number] => {
    const radius = Math.sqrt(1 - height * height);
    return [height, radius * Math.cos(t), radius * Math.sin(t)];
  };
  return [
    circle((t) => [Math.cos(t), Math.sin(t), 0]),
    circle((t) => [Math.cos(t), 0, Math.sin(t)]),
    circle((t) => [0, Math.cos(t), Math.sin(t)]),
    circle(latitude(0.7)),
    circle(latitude(-0.7)),
  ];
}
const WIREFRAME = wireframe();

/** In sphere3d's coordinates the north pole (every angle 0, μ along e_1) is (1, 0, 0). */
const POLE: Data = {
  type: 'scatter3d',
  mode: 'text+markers',
  x: [1],
  y: [0],
  z: [0],
  text: ['pole'],
  textposition: 'bottom center',
  textfont: { color: '#8a5300', size: 12 },
  marker: { symbol: 'diamond', size: 7, color: '#fca311', line: { color: '#8a5300', width: 1 } },
  hovertemplate: 'north pole (φ = 0)<extra></extra>',
  showlegend: false,
} as Data;

function labelGroup(points: SpherePoints['points'], position: number, coloring: SphereColoring): string {
  const userLabel = points.userLabel[position];
  if (coloring === 'user-label') return userLabel === 'anomalous' || userLabel === 'normal' || userLabel === 'interesting' ? userLabel : 'unlabelled';
  if (userLabel === 'anomalous') return 'anomalous';
  if (userLabel === 'normal') return 'normal';
  const anomaly = points.anomaly[position];
  return anomaly === 1 ? 'anomalous' : anomaly === 0 ? 'normal' : 'unknown';
}

const GROUP_NAMES: Readonly<Record<string, string>> = {
  normal: 'Normal',
  anomalous: 'Anomalous',
  unknown: 'Not labelled',
  interesting: 'Interesting',
  unlabelled: 'No label of yours',
};

function pointTraces(sphere: SpherePoints, coloring: SphereColoring): Data[] {
  const { points } = sphere;
  const hoverText = points.index.map((_, position) => {
    const label = points.label[position];
    const userLabel = points.userLabel[position];
    return `${points.file[position] ?? ''}<br>rank ${points.rank[position] ?? '—'} · score ${formatNumber(points.score[position])}${label === null ? '' : `<br>label ${label}`}${userLabel === null ? '' : ` · yours: ${userLabel}`}`;
  });
  const trace = (positions: number[], name: string, marker: Record<string, unknown>, showlegend: boolean): Data =>
    ({
      type: 'scatter3d',
      mode: 'markers',
      name,
      x: positions.map((p) => points.x[p]),
      y: positions.map((p) => points.y[p]),
      z: positions.map((p) => points.z[p]),
      text: positions.map((p) => hoverText[p]),
      customdata: positions.map((p) => [points.index[p]]),
      hovertemplate: '%{text}<extra></extra>',
      marker: { size: 3.2, opacity: 0.88, ...marker },
      showlegend,
    }) as Data;

  const all = points.index.map((_, position) => position);
  if (coloring === 'score') {
    const scored = all.filter((p) => points.score[p] !== null);
    const unscored = all.filter((p) => points.score[p] === null);
    const traces = [trace(scored, 'score', { color: scored.map((p) => points.score[p]), colorscale: SCORE_COLORSCALE, showscale: true, colorbar: { title: { text: 'score' }, thickness: 10, len: 0.6 } }, false)];
    if (unscored.length > 0) traces.push(trace(unscored, 'no score', { color: '#9aa3b2' }, true));
    return traces;
  }
  const byGroup = new Map<string, number[]>();
  for (const position of all) {
    const group = labelGroup(points, position, coloring);
    byGroup.set(group, [...(byGroup.get(group) ?? []), position]);
  }
  // Draw the unlabelled first so the labelled points sit on top.
  const order = ['unlabelled', 'unknown', 'normal', 'interesting', 'anomalous'];
  return order.filter((group) => byGroup.has(group)).map((group) => trace(byGroup.get(group) as number[], GROUP_NAMES[group] ?? group, { color: groupColor(group) }, true));
}

function epochOptionValue(epoch: number | null): string {
  return epoch === null ? 'final' : String(epoch);
}

export function SpherePanel({ runId, heading, coloring, onOpenItem, testId, runChoices, onRunChange, emptyText }: SpherePanelProps) {
  const id = useId();
  const [epoch, setEpoch] = useState<number | null>(null);
  const { loadable: epochsLoadable } = useInvoke('insight:angle-heatmap', runId === null ? null : [{ runId }], `${runId}:all`);
  const { loadable } = useInvoke('insight:sphere-points', runId === null ? null : [{ runId, epoch }], `${runId}:${String(epoch)}`);
  const sphere = runId !== null && loadable.state === 'ready' && loadable.value.runId === runId ? loadable.value : null;
  const epochs = epochsLoadable.state === 'ready' ? epochsLoadable.value.epochs : [];

  const data = useMemo(() => (sphere === null || sphere.unavailableReason !== null ? [] : [...WIREFRAME, POLE, ...pointTraces(sphere, coloring)]), [sphere, coloring]);
  const layout = useMemo(
    () => ({
      margin: { l: 0, r: 0, t: 0, b: 0 },
      showlegend: coloring !== 'score',
      legend: { x: 0.01, y: 0.99, bgcolor: 'rgba(255,255,255,0.8)', font: { size: 11 } },
      // Keeps the user's rotation when the colouring or labels change.
      uirevision: runId ?? '',
      // The three group means have no units worth reading: the wireframe alone shows the sphere.
      scene: {
        aspectmode: 'cube' as const,
        xaxis: { range: [-1.05, 1.05], visible: false },
        yaxis: { range: [-1.05, 1.05], visible: false },
        zaxis: { range: [-1.05, 1.05], visible: false },
        camera: { eye: { x: 1.25, y: 0.85, z: 0.62 } },
      },
    }),
    [coloring, runId],
  );

  const onPointClick = (point: PlotDatum): void => {
    const [index] = customTuple(point);
    if (runId !== null && typeof index === 'number') onOpenItem(runId, index);
  };

  const topPoints = useMemo(() => {
    if (sphere === null) return [];
    return sphere.points.index
      .map((index, position) => ({ index, position, rank: sphere.points.rank[position] ?? null }))
      .filter((entry): entry is { index: number; position: number; rank: number } => entry.rank !== null)
      .sort((a, b) => a.rank - b.rank)
      .slice(0, TOP_POINTS_LISTED);
  }, [sphere]);

  return (
    <section className="card insight-card sphere-panel" aria-labelledby={`${id}-heading`} data-testid={testId} data-run-id={runId ?? ''}>
      <div className="sphere-panel-header">
        {runChoices === undefined ? (
          <h3 id={`${id}-heading`}>{heading}</h3>
        ) : (
          <>
            <h3 id={`${id}-heading`}>
              <label htmlFor={`${id}-run`}>{heading}</label>
            </h3>
            <select id={`${id}-run`} value={runId ?? ''} onChange={(event) => onRunChange?.(event.target.value === '' ? null : event.target.value)} data-testid={`${testId}-run`}>
              <option value="">No second run</option>
              {runChoices.map((choice) => (
                <option key={choice.runId} value={choice.runId}>
                  {runShortName(choice)}
                </option>
              ))}
            </select>
          </>
        )}
        {runId !== null && (
          <select aria-label="Which model's means" value={epochOptionValue(epoch)} onChange={(event) => setEpoch(event.target.value === 'final' ? null : Number(event.target.value))} data-testid={`${testId}-epoch`}>
            <option value="final">Scored model</option>
            {epochs.map((entry) => (
              <option key={entry} value={entry}>
                After epoch {entry + 1} (sample)
              </option>
            ))}
          </select>
        )}
      </div>
      {runId === null && <p className="muted empty-note">{emptyText ?? 'No run chosen.'}</p>}
      {loadable.state === 'failed' && runId !== null && <ErrorMessage error={loadable.error} />}
      {sphere !== null && sphere.unavailableReason !== null && <p className="notice">{sphere.unavailableReason}</p>}
      {runId !== null && (sphere === null || sphere.unavailableReason === null) && (
        <>
          <InteractivePlot
            title={sphere === null ? 'Loading…' : `${sphere.method === 'vae' ? 'Standard VAE' : methodName(sphere.method)}: ${formatCount(sphere.points.index.length)} items`}
            summary={`A 3-D scatter of ${sphere?.points.index.length ?? 0} items on the unit sphere, coloured by ${coloring === 'score' ? 'score' : 'label'}. The list below offers the most anomalous items by keyboard.`}
            data={data}
            layout={layout}
            height={440}
            exportName={`${runId}-sphere`}
            testId={`${testId}-chart`}
            onPointClick={onPointClick}
          />
          {sphere !== null && (
            <p className="sphere-facts">
              <span>
                n = <strong>{sphere.dimension}</strong>
              </span>
              <span>
                points <strong>{formatCount(sphere.points.index.length)}</strong>
                {sphere.sampled ? ` of ${formatCount(sphere.total)} (a sample, always with the 200 most anomalous)` : ''}
              </span>
              <span>{sphere.epoch === null ? 'scored model' : `after epoch ${sphere.epoch + 1}`}</span>
            </p>
          )}
          {topPoints.length > 0 && sphere !== null && (
            <details className="accessible-list">
              <summary>The {topPoints.length} most anomalous points</summary>
              <ol className="link-list compact-list" data-testid={`${testId}-top`}>
                {topPoints.map((entry) => (
                  <li key={entry.index}>
                    <button type="button" className="link-button" onClick={() => runId !== null && onOpenItem(runId, entry.index)}>
                      #{entry.rank} {sphere.points.file[entry.position]} — score {formatNumber(sphere.points.score[entry.position])}
                    </button>
                  </li>
                ))}
              </ol>
            </details>
          )}
        </>
      )}
    </section>
  );
}
