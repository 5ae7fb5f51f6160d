/**
 * Pre-binned histograms (shared edges, counts per group) as plotly traces. One series: translucent
 * bars overlaid per group. Several series (epochs, runs): step lines, one colour per group and one
 * dash per series, so the groups and the series read apart. Every point carries
 * [series, group key, bin] in customdata, which is all a click needs to open the bin's items.
 */
import type { Data } from 'plotly.js';
import type { GroupCounts } from '../../../../shared/ipc-insight';
import { groupColor, SERIES_DASHES } from './colors';

export type HistogramNormalization = 'count' | 'share';

export interface HistogramSeries {
  /** Shown in legends and hover text ("after epoch 3", "VAE run …"). */
  name: string;
  groups: readonly GroupCounts[];
}

export interface BinClick {
  series: number;
  group: string;
  bin: number;
}

function binCenters(edges: readonly number[]): number[] {
  return edges.slice(0, -1).map((low, bin) => (low + (edges[bin + 1] as number)) / 2);
}

function heights(group: GroupCounts, normalization: HistogramNormalization): number[] {
  return normalization === 'share' && group.total > 0 ? group.counts.map((count) => count / group.total) : [...group.counts];
}

export function histogramTraces(edges: readonly number[], series: readonly HistogramSeries[], normalization: HistogramNormalization, valueLabel: string): Data[] {
  if (edges.length < 2) return [];
  const centers = binCenters(edges);
  const width = (edges[1] as number) - (edges[0] as number);
  const classPositions = new Map<string, number>();
  const colorOf = (key: string): string => {
    if (!classPositions.has(key)) classPositions.set(key, classPositions.size);
    return groupColor(key, classPositions.get(key));
  };
  const yFormat = normalization === 'share' ? '%{y:.1%} of the group' : '%{y} items';
  const traces: Data[] = [];
  series.forEach((entry, seriesIndex) => {
    for (const group of entry.groups) {
      const color = colorOf(group.key);
      const name = series.length > 1 ? `${group.label} · ${entry.name}` : group.label;
      const customdata = centers.map((_, bin) => [seriesIndex, group.key, bin]);
      const text = centers.map((_, bin) => `${group.counts[bin] ?? 0} of ${group.total}`);
      const hovertemplate = `<b>${name}</b><br>${valueLabel} %{x:.3~f}<br>${yFormat} (%{text})<extra></extra>`;
      if (series.length === 1) {
        traces.push({ type: 'bar', name, x: centers, y: heights(group, normalization), width, marker: { color, opacity: 0.62, line: { color, width: 1 } }, customdata, text, textposition: 'none', hovertemplate } as Data);
      } else {
        traces.push({
          type: 'scatter',
          mode: 'lines+markers',
          name,
          x: centers,
          y: heights(group, normalization),
          line: { color, width: 2, shape: 'hvh', dash: SERIES_DASHES[seriesIndex % SERIES_DASHES.length] },
          marker: { color, size: 5 },
          customdata,
          text,
          hovertemplate,
        } as Data);
      }
    }
  });
  return traces;
}

export function parseBinClick(custom: readonly (string | number)[]): BinClick | null {
  const [series, group, bin] = custom;
  return typeof series === 'number' && typeof group === 'string' && typeof bin === 'number' ? { series, group, bin } : null;
}
