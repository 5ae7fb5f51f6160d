/**
 * Per-angle histograms of the latent (method.md §2): for one angle φ_i, the distribution of cos φ_i
 * (or φ_i in degrees) over the items, split normal vs anomalous, by class or by the user's labels,
 * overlaid across the epochs of this run (its latent snapshots) or across runs; and the heat map of
 * the mean cos φ_i over epochs, where the island at the north pole forms. Clicking a bin opens the
 * gallery filtered to its items; clicking a heat-map cell shows that angle and epoch.
 */
import type { PlotDatum } from 'plotly.js';
import { useId, useMemo, useState } from 'react';
import type { AngleHistograms, AngleScale, GalleryFilter, ItemGrouping } from '../../../../shared/ipc-insight';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatCount } from '../../lib/format';
import { GROUPING_OPTIONS, InsightHeader, runShortName, runTitle, Segmented, SelectField } from '../Insight/common';
import { histogramTraces, parseBinClick, type HistogramNormalization } from '../Insight/histogram-traces';
import { customTuple, InteractivePlot } from '../Insight/InteractivePlot';
import '../Insight/insight.css';
import { AngleHeatmapCard } from './AngleHeatmapCard';
import { HistogramTable } from './HistogramTable';

export interface AnglesViewProps {
  runId: string;
  /** Opens the gallery of `runId` showing only the items `filter` selects. */
  onOpenGallery(runId: string, filter: GalleryFilter): void;
}

type OverlayMode = 'epochs' | 'runs';
/** A series of the histogram: a run's scored model (epoch null) or its snapshot after an epoch. */
interface SeriesChoice {
  runId: string;
  epoch: number | null;
}

const SCALE_OPTIONS = [
  { value: 'cosine', label: 'cos φ' },
  { value: 'degrees', label: 'φ in degrees' },
] as const;
const OVERLAY_OPTIONS = [
  { value: 'epochs', label: 'Epochs of this run' },
  { value: 'runs', label: 'Runs' },
] as const;
const NORMALIZATION_OPTIONS = [
  { value: 'share', label: 'Share of group' },
  { value: 'count', label: 'Item count' },
] as const;

const MAX_EPOCH_CHOICES = 12;

function epochName(epoch: number | null): string {
  return epoch === null ? 'scored model' : `after epoch ${epoch + 1}`;
}

/** First and last snapshot epochs by default: the start and the end of the pole forming. */
function defaultEpochs(epochs: readonly number[]): (number | null)[] {
  if (epochs.length === 0) return [null];
  if (epochs.length === 1) return [epochs[0] as number];
  return [epochs[0] as number, epochs[epochs.length - 1] as number];
}

export function AnglesView({ runId, onOpenGallery }: AnglesViewProps) {
  const id = useId();
  const { loadable: runLoadable } = useInvoke('runs:get', [{ runId }], runId);
  const { loadable: runsLoadable } = useInvoke('runs:list', [], 'runs');
  const { loadable: snapshotLoadable } = useInvoke('insight:angle-heatmap', [{ runId }], `${runId}:all`);
  const run = runLoadable.state === 'ready' ? runLoadable.value : null;
  const latentDim = typeof run?.config['latentDim'] === 'number' ? run.config['latentDim'] : null;
  const snapshotEpochs = snapshotLoadable.state === 'ready' ? snapshotLoadable.value.epochs : null;

  const [angle, setAngle] = useState(1);
  const [scale, setScale] = useState<AngleScale>('cosine');
  const [grouping, setGrouping] = useState<ItemGrouping>('anomaly');
  const [overlay, setOverlay] = useState<OverlayMode>('epochs');
  const [normalization, setNormalization] = useState<HistogramNormalization>('share');
  const [zoomToData, setZoomToData] = useState(false);
  const [chosenEpochs, setChosenEpochs] = useState<(number | null)[] | null>(null);
  const [chosenRuns, setChosenRuns] = useState<string[] | null>(null);

  const epochs = chosenEpochs ?? (snapshotEpochs === null ? null : defaultEpochs(snapshotEpochs));
  // Other scored runs on the same dataset are the natural comparison; the first one is shown by default.
  const otherRuns = useMemo(() => {
    if (runsLoadable.state !== 'ready' || run === null) return [];
    return runsLoadable.value.filter((candidate) => candidate.runId !== runId && candidate.status === 'done');
  }, [runsLoadable, run, runId]);
  const sameDatasetRuns = otherRuns.filter((candidate) => candidate.datasetId !== null && candidate.datasetId === run?.datasetId);
  const runsShown = chosenRuns ?? sameDatasetRuns.slice(0, 1).map((candidate) => candidate.runId);

  const series: SeriesChoice[] | null =
    overlay === 'epochs' ? (epochs === null ? null : epochs.map((epoch) => ({ runId, epoch }))) : [{ runId, epoch: null }, ...runsShown.map((other) => ({ runId: other, epoch: null }))];
  const maxAngle = latentDim === null ? 1023 : Math.max(1, latentDim - 1);
  const request = series === null || series.length === 0 ? null : { series, angle: Math.min(angle, maxAngle), scale, grouping, bins: 40, range: zoomToData ? ('data' as const) : ('full' as const) };
  const { loadable: histogramLoadable } = useInvoke('insight:angle-histograms', request === null ? null : [request], JSON.stringify(request));
  const histograms = histogramLoadable.state === 'ready' ? histogramLoadable.value : null;

  const runNames = useMemo(() => {
    const names = new Map<string, string>();
    if (runsLoadable.state === 'ready') for (const entry of runsLoadable.value) names.set(entry.runId, runShortName(entry));
    return names;
  }, [runsLoadable]);
  const valueLabel = scale === 'cosine' ? `cos φ${angle}` : `φ${angle} (°)`;
  const seriesName = useMemo(
    () =>
      (entry: AngleHistograms['series'][number]): string =>
        overlay === 'epochs' ? epochName(entry.epoch) : (runNames.get(entry.runId) ?? entry.runId),
    [overlay, runNames],
  );
  const traces = useMemo(
    () => (histograms === null ? [] : histogramTraces(histograms.edges, histograms.series.map((entry) => ({ name: seriesName(entry), groups: entry.groups })), normalization, valueLabel)),
    [histograms, normalization, valueLabel, seriesName],
  );
  const layout = useMemo(
    () => ({
      barmode: 'overlay' as const,
      bargap: 0.04,
      showlegend: true,
      legend: { orientation: 'h' as const, y: 1.02, yanchor: 'bottom' as const, x: 0, font: { size: 11 } },
      margin: { l: 56, r: 16, t: 28, b: 44 },
      xaxis: { title: { text: scale === 'cosine' ? `cos φ${angle}   (1 = the north pole)` : `φ${angle} in degrees   (0° = the north pole)` }, range: histograms === null ? undefined : [histograms.edges[0], histograms.edges[histograms.edges.length - 1]] },
      yaxis: { title: { text: normalization === 'share' ? 'share of the group' : 'items' }, tickformat: normalization === 'share' ? '.0%' : '' },
    }),
    [scale, angle, normalization, histograms],
  );

  const openBin = (seriesIndex: number, groupKey: string | null, bin: number): void => {
    if (histograms === null) return;
    const entry = histograms.series[seriesIndex];
    if (entry === undefined) return;
    const bins = histograms.edges.length - 1;
    onOpenGallery(entry.runId, {
      kind: 'angle-bin',
      epoch: entry.epoch,
      angle: histograms.angle,
      scale: histograms.scale,
      low: histograms.edges[bin] as number,
      high: histograms.edges[bin + 1] as number,
      firstBin: bin === 0,
      lastBin: bin === bins - 1,
      grouping: histograms.grouping,
      group: groupKey,
    });
  };

  const onPointClick = (point: PlotDatum): void => {
    const click = parseBinClick(customTuple(point));
    if (click !== null) openBin(click.series, click.group, click.bin);
  };

  const showEpochAndAngle = (epoch: number, angleNumber: number): void => {
    setOverlay('epochs');
    setAngle(angleNumber);
    setChosenEpochs((current) => {
      const base = current ?? epochs ?? [];
      return base.includes(epoch) ? base : [...base, epoch].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
    });
  };

  // Long runs offer a dozen evenly spaced epochs (and any epoch chosen); the heat map reaches the rest.
  const epochChoices = useMemo(() => {
    const all = snapshotEpochs ?? [];
    if (all.length <= MAX_EPOCH_CHOICES) return all;
    const spaced = new Set(Array.from({ length: MAX_EPOCH_CHOICES }, (_, i) => all[Math.round((i * (all.length - 1)) / (MAX_EPOCH_CHOICES - 1))] as number));
    for (const epoch of epochs ?? []) if (epoch !== null) spaced.add(epoch);
    return [...spaced].sort((a, b) => a - b);
  }, [snapshotEpochs, epochs]);

  const toggleEpoch = (epoch: number | null): void => {
    const base = epochs ?? [];
    setChosenEpochs(base.includes(epoch) ? base.filter((entry) => entry !== epoch) : [...base, epoch].sort((a, b) => (a ?? Infinity) - (b ?? Infinity)));
  };
  const toggleRun = (other: string): void => {
    setChosenRuns(runsShown.includes(other) ? runsShown.filter((entry) => entry !== other) : [...runsShown, other].slice(0, 11));
  };

  if (runLoadable.state === 'failed') return <div className="page narrow"><ErrorMessage error={runLoadable.error} /></div>;

  const unavailable = histograms?.series.filter((entry) => entry.unavailableReason !== null) ?? [];
  return (
    <div className="page insight-page" data-testid="angles-view">
      <InsightHeader
        title="Angles of the latent"
        subtitle={
          run === null ? 'Loading…' : (
            <>
              {runTitle(run)} · n = {latentDim ?? '?'} · Comp.VAE packs normal items near cos φ = 1 (the north pole); items far from it are anomalous.
            </>
          )
        }
      />
      <section className="card insight-controls" aria-label="What the histogram shows">
        <div className="field inline insight-field">
          <label htmlFor={`${id}-angle`}>Angle φ</label>
          <input
            id={`${id}-angle`}
            className="input compact angle-input"
            type="number"
            min={1}
            max={maxAngle}
            step={1}
            value={angle}
            data-testid="angle-number"
            onChange={(event) => {
              const value = Math.round(Number(event.target.value));
              if (Number.isFinite(value)) setAngle(Math.min(Math.max(value, 1), maxAngle));
            }}
          />
          <span className="muted small">of {maxAngle}</span>
        </div>
        <Segmented legend="Value" options={SCALE_OPTIONS} value={scale} onChange={setScale} testId="angle-scale" />
        <SelectField label="Split by" options={GROUPING_OPTIONS} value={grouping} onChange={setGrouping} testId="angle-grouping" />
        <Segmented legend="Height" options={NORMALIZATION_OPTIONS} value={normalization} onChange={setNormalization} />
        <label className="check">
          <input type="checkbox" checked={zoomToData} onChange={(event) => setZoomToData(event.target.checked)} /> Zoom to the data
        </label>
      </section>
      <section className="card insight-controls angle-series" aria-label="Series to overlay">
        <Segmented legend="Overlay" options={OVERLAY_OPTIONS} value={overlay} onChange={setOverlay} testId="angle-overlay" />
        {overlay === 'epochs' ? (
          <div className="angle-series" role="group" aria-label="Epochs to overlay" data-testid="epoch-choices">
            <label className="chip-check">
              <input type="checkbox" checked={(epochs ?? []).includes(null)} onChange={() => toggleEpoch(null)} /> Scored model
            </label>
            {epochChoices.map((epoch) => (
              <label key={epoch} className="chip-check" title={`The snapshot sample after epoch ${epoch + 1}`}>
                <input type="checkbox" checked={(epochs ?? []).includes(epoch)} onChange={() => toggleEpoch(epoch)} /> Epoch {epoch + 1}
              </label>
            ))}
            {snapshotEpochs !== null && snapshotEpochs.length === 0 && <span className="muted small">This run kept no per-epoch snapshots.</span>}
            {snapshotEpochs !== null && snapshotEpochs.length > epochChoices.length && <span className="muted small">Click the heat map for any other epoch.</span>}
          </div>
        ) : (
          <div className="angle-series" role="group" aria-label="Runs to overlay" data-testid="run-choices">
            <span className="muted small">This run, and:</span>
            {otherRuns.map((other) => (
              <label key={other.runId} className="chip-check" title={other.datasetId !== run?.datasetId ? 'Trained on another dataset' : other.runId}>
                <input type="checkbox" checked={runsShown.includes(other.runId)} onChange={() => toggleRun(other.runId)} /> {runShortName(other)}
                {other.datasetId !== run?.datasetId && <span className="muted small"> · other data</span>}
              </label>
            ))}
            {otherRuns.length === 0 && <span className="muted small">No other finished run yet.</span>}
          </div>
        )}
      </section>

      <div className="angle-grid">
        <div className="insight-main">
          {histogramLoadable.state === 'failed' && <ErrorMessage error={histogramLoadable.error} />}
          <InteractivePlot
            title={`Histogram of ${valueLabel}`}
            summary={`Histogram of ${valueLabel} split by ${GROUPING_OPTIONS.find((option) => option.value === grouping)?.label ?? grouping}, ${histograms?.series.length ?? 0} series overlaid. Click a bin to open its items in the gallery.`}
            data={traces}
            layout={layout}
            height={360}
            exportName={`${runId}-angle-${angle}-${scale}`}
            testId="angle-histogram"
            onPointClick={onPointClick}
          />
          <p className="muted small chart-hint">
            Click a bar or point to open the items of that bin in the gallery
            {snapshotLoadable.state === 'ready' && snapshotLoadable.value.itemCount > 0 ? ` (epoch snapshots follow a fixed sample of ${formatCount(snapshotLoadable.value.itemCount)} items)` : ''}.
          </p>
          {unavailable.map((entry) => (
            <p key={`${entry.runId}:${String(entry.epoch)}`} className="notice small">
              {overlay === 'epochs' ? epochName(entry.epoch) : (runNames.get(entry.runId) ?? entry.runId)}: {entry.unavailableReason}
            </p>
          ))}
          {histograms !== null && <HistogramTable histograms={histograms} seriesName={seriesName} onOpenBin={openBin} />}
        </div>
        <AngleHeatmapCard runId={runId} selectedAngle={angle} onPickCell={showEpochAndAngle} />
      </div>
    </div>
  );
}
