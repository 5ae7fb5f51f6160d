/**
 * Score histograms: a run's anomaly scores with the labelled classes overlaid (normal vs anomalous,
 * the user's labels, classes, splits), and a threshold the user picks (score ≥ threshold is flagged),
 * drawn on the histogram, counted per group, and shown in the gallery. Clicking a bin opens its items.
 * Below: every run's metrics from the labels so far, and the labels export.
 */
import type { PlotDatum } from 'plotly.js';
import { useId, useMemo, useState } from 'react';
import type { GalleryFilter, ItemGrouping } from '../../../../shared/ipc-insight';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatCount, formatNumber } from '../../lib/format';
import { groupColor } from '../Insight/colors';
import { GROUPING_OPTIONS, InsightHeader, runTitle, Segmented, SelectField } from '../Insight/common';
import { histogramTraces, parseBinClick, type HistogramNormalization } from '../Insight/histogram-traces';
import { customTuple, InteractivePlot } from '../Insight/InteractivePlot';
import '../Insight/insight.css';
import { useRunThreshold } from '../Insight/threshold-store';
import { LabelMetricsTable } from './LabelMetricsTable';

export interface ScoresViewProps {
  runId: string;
  onOpenGallery(runId: string, filter: GalleryFilter): void;
  /** Opens the gallery of the run, most anomalous first, where the threshold is marked. */
  onShowGallery(runId: string): void;
  /** Changes whenever labels were set elsewhere in the window, so the metrics refresh. */
  labelsVersion?: number;
}

type SplitChoice = 'all' | 'test' | 'train';
const SPLIT_OPTIONS = [
  { value: 'all', label: 'All items' },
  { value: 'test', label: 'Test split' },
  { value: 'train', label: 'Training split' },
] as const;
const NORMALIZATION_OPTIONS = [
  { value: 'count', label: 'Item count' },
  { value: 'share', label: 'Share of group' },
] as const;
const SLIDER_STEPS = 1000;

export function ScoresView({ runId, onOpenGallery, onShowGallery, labelsVersion = 0 }: ScoresViewProps) {
  const id = useId();
  const { loadable: runLoadable } = useInvoke('runs:get', [{ runId }], runId);
  const run = runLoadable.state === 'ready' ? runLoadable.value : null;
  const [grouping, setGrouping] = useState<ItemGrouping>('anomaly');
  const [split, setSplit] = useState<SplitChoice>('all');
  const [normalization, setNormalization] = useState<HistogramNormalization>('count');
  const [threshold, setThreshold] = useRunThreshold(runId);
  const [draft, setDraft] = useState<string | null>(null);

  const request = { runId, grouping, split, bins: 40, threshold };
  const { loadable } = useInvoke('insight:score-histogram', [request], JSON.stringify(request) + labelsVersion);
  const histogram = loadable.state === 'ready' ? loadable.value : null;
  const edges = histogram?.edges ?? [];
  const low = edges[0] ?? 0;
  const high = edges[edges.length - 1] ?? 1;

  const traces = useMemo(() => (histogram === null ? [] : histogramTraces(histogram.edges, [{ name: 'scores', groups: histogram.groups }], normalization, 'score')), [histogram, normalization]);
  const layout = useMemo(
    () => ({
      barmode: 'overlay' as const,
      bargap: 0.04,
      showlegend: true,
      legend: { orientation: 'h' as const, y: 1.02, yanchor: 'bottom' as const, x: 0, font: { size: 11 } },
      margin: { l: 56, r: 16, t: 28, b: 44 },
      xaxis: { title: { text: 'anomaly score (mean distance to the k nearest normal items)' } },
      yaxis: { title: { text: normalization === 'share' ? 'share of the group' : 'items' }, tickformat: normalization === 'share' ? '.0%' : '' },
      shapes:
        threshold === null
          ? []
          : [{ type: 'line' as const, xref: 'x' as const, yref: 'paper' as const, x0: threshold, x1: threshold, y0: 0, y1: 1, line: { color: '#fca311', width: 3 } }],
      annotations:
        threshold === null
          ? []
          : [{ xref: 'x' as const, yref: 'paper' as const, x: threshold, y: 1, yanchor: 'bottom' as const, text: `threshold ${formatNumber(threshold)}`, showarrow: false, font: { color: '#8a5300', size: 11 } }],
    }),
    [normalization, threshold],
  );

  const onPointClick = (point: PlotDatum): void => {
    const click = parseBinClick(customTuple(point));
    if (click === null || histogram === null) return;
    const bins = histogram.edges.length - 1;
    onOpenGallery(runId, {
      kind: 'score-range',
      low: histogram.edges[click.bin] as number,
      high: histogram.edges[click.bin + 1] as number,
      firstBin: click.bin === 0,
      lastBin: click.bin === bins - 1,
      grouping,
      group: click.group,
      split,
    });
  };

  const commitDraft = (text: string): void => {
    const value = Number(text);
    if (text.trim() !== '' && Number.isFinite(value)) setThreshold(value);
    setDraft(null);
  };
  const sliderValue = threshold === null || high <= low ? SLIDER_STEPS : Math.round(((Math.min(Math.max(threshold, low), high) - low) / (high - low)) * SLIDER_STEPS);
  const groupLabels = new Map((histogram?.groups ?? []).map((group) => [group.key, group.label]));
  // The histogram colours classes by their order in the groups list; the counts use the same order.
  const groupPositions = new Map((histogram?.groups ?? []).map((group, position) => [group.key, position]));

  if (runLoadable.state === 'failed') return <div className="page narrow"><ErrorMessage error={runLoadable.error} /></div>;

  return (
    <div className="page insight-page" data-testid="scores-view">
      <InsightHeader title="Scores" subtitle={run === null ? 'Loading…' : `${runTitle(run)} · ${formatCount(run.resultCount)} scored items. Pick a threshold: items scoring at or above it are flagged, here and in the gallery.`} />
      <section className="card insight-controls" aria-label="What the histogram shows">
        <SelectField label="Split by" options={GROUPING_OPTIONS} value={grouping} onChange={setGrouping} testId="score-grouping" />
        <Segmented legend="Items" options={SPLIT_OPTIONS} value={split} onChange={setSplit} />
        <Segmented legend="Height" options={NORMALIZATION_OPTIONS} value={normalization} onChange={setNormalization} />
      </section>
      <div className="insight-columns">
        <div className="insight-main">
          {loadable.state === 'failed' && <ErrorMessage error={loadable.error} />}
          {histogram !== null && histogram.itemCount === 0 && <p className="notice">This run has no scores yet.</p>}
          <InteractivePlot
            title="Score histogram"
            summary={`Histogram of ${histogram?.itemCount ?? 0} scores split by ${GROUPING_OPTIONS.find((option) => option.value === grouping)?.label ?? grouping}${threshold === null ? '' : `, threshold at ${formatNumber(threshold)}`}. Click a bin to open its items in the gallery.`}
            data={traces}
            layout={layout}
            height={340}
            exportName={`${runId}-scores`}
            testId="score-histogram"
            onPointClick={onPointClick}
          />
          <p className="muted small chart-hint">Click a bar to open the items of that bin in the gallery.</p>
        </div>
        <aside className="card threshold-panel" aria-labelledby={`${id}-threshold-heading`} data-testid="threshold-panel">
          <h3 id={`${id}-threshold-heading`}>Threshold</h3>
          <div className="threshold-row">
            <label className="visually-hidden" htmlFor={`${id}-threshold-value`}>
              Threshold score
            </label>
            <input
              id={`${id}-threshold-value`}
              className="input compact"
              type="number"
              step="any"
              placeholder="none"
              value={draft ?? (threshold === null ? '' : String(Number(threshold.toPrecision(6))))}
              onChange={(event) => setDraft(event.target.value)}
              onBlur={(event) => commitDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') commitDraft(event.currentTarget.value);
              }}
              data-testid="threshold-value"
            />
            {threshold !== null && (
              <button type="button" className="button ghost small" onClick={() => setThreshold(null)}>
                Clear
              </button>
            )}
          </div>
          <input
            type="range"
            min={0}
            max={SLIDER_STEPS}
            value={sliderValue}
            disabled={histogram === null || histogram.itemCount === 0}
            aria-label="Threshold between the lowest and the highest score"
            aria-valuetext={threshold === null ? 'no threshold' : `score ${formatNumber(threshold)}`}
            onChange={(event) => setThreshold(low + ((high - low) * Number(event.target.value)) / SLIDER_STEPS)}
            data-testid="threshold-slider"
          />
          {histogram?.threshold != null ? (
            <>
              <p className="small" data-testid="threshold-summary">
                <strong>{formatCount(histogram.threshold.flagged)}</strong> of {formatCount(histogram.itemCount)} items flagged
                {histogram.threshold.lastFlaggedRank > 0 ? ` (ranks 1–${formatCount(histogram.threshold.lastFlaggedRank)} of the run)` : ''}.
              </p>
              <dl className="threshold-counts">
                {Object.entries(histogram.threshold.flaggedByGroup).map(([key, count]) => (
                  <div key={key} style={{ display: 'contents' }}>
                    <dt>
                      <span className="swatch-dot" style={{ background: groupColor(key, groupPositions.get(key) ?? 0) }} aria-hidden="true" />
                      {groupLabels.get(key) ?? key}
                    </dt>
                    <dd>{formatCount(count)}</dd>
                  </div>
                ))}
              </dl>
              <button type="button" className="button primary small" onClick={() => onShowGallery(runId)} data-testid="threshold-gallery">
                Show in the gallery
              </button>
            </>
          ) : (
            <p className="muted small">Type a score, or drag the slider. The threshold is kept for this run and marked in its gallery.</p>
          )}
        </aside>
      </div>
      <LabelMetricsTable runId={runId} version={labelsVersion} />
    </div>
  );
}
