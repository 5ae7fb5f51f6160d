/**
 * The insight views' pure logic, without a browser: gallery filters in the route, the label keys,
 * histogram traces (what a click on a bin reports), the labels CSV, and which runs the Sphere and
 * Compare views start with.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../src/shared/ipc';
import type { GalleryFilter, LabelledItem } from '../src/shared/ipc-insight';
import { GalleryFilterSchema } from '../src/shared/ipc-insight';
import { labelForKey } from '../src/renderer/src/components/LabelControls';
import { suggestedRuns } from '../src/renderer/src/views/Compare/suggested-runs';
import { decodeGalleryFilter, encodeGalleryFilter } from '../src/renderer/src/views/Insight/gallery-filter';
import { histogramTraces, parseBinClick } from '../src/renderer/src/views/Insight/histogram-traces';
import { labelsCsv } from '../src/renderer/src/views/Insight/labels-csv';
import { defaultCompanion } from '../src/renderer/src/views/Sphere/companion';

describe('gallery filters in the route', () => {
  const filters: GalleryFilter[] = [
    { kind: 'items', indexes: [3, 1, 4], title: 'Entered the top 20' },
    { kind: 'angle-bin', epoch: 5, angle: 2, scale: 'degrees', low: 80, high: 84.5, firstBin: false, lastBin: true, grouping: 'class', group: 'class:7' },
    { kind: 'angle-bin', epoch: null, angle: 1, scale: 'cosine', low: -1, high: -0.95, firstBin: true, lastBin: false, grouping: 'anomaly', group: null },
    { kind: 'score-range', low: 0.1, high: 0.2, firstBin: false, lastBin: false, grouping: 'user-label', group: 'anomalous', split: 'test' },
  ];

  it('round-trips every kind, and what it decodes is what the backend accepts', () => {
    for (const filter of filters) {
      const decoded = decodeGalleryFilter(encodeGalleryFilter(filter));
      expect(decoded).toEqual(filter);
      expect(GalleryFilterSchema.safeParse(decoded).success).toBe(true);
    }
  });

  it('refuses what is not a filter', () => {
    for (const text of [null, '', 'not json', '[]', '{"kind":"nope"}', '{"kind":"items","indexes":[-1],"title":"x"}', '{"kind":"angle-bin","epoch":null,"angle":1,"scale":"cosine","low":0,"high":1,"firstBin":false,"lastBin":false,"grouping":"bogus","group":null}']) {
      expect(decodeGalleryFilter(text)).toBeNull();
    }
  });
});

describe('label keys', () => {
  const key = (name: string, extra: Partial<Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey'>> = {}) => labelForKey({ key: name, ctrlKey: false, metaKey: false, altKey: false, target: null, ...extra });

  it('maps a, n, i to the labels and Backspace or Delete to clearing; anything else is not labelling', () => {
    expect(key('a')).toBe('anomalous');
    expect(key('A')).toBe('anomalous');
    expect(key('n')).toBe('normal');
    expect(key('i')).toBe('interesting');
    expect(key('Backspace')).toBe('clear');
    expect(key('Delete')).toBe('clear');
    expect(key('x')).toBeNull();
    expect(key('ArrowRight')).toBeNull();
    // Browser and system shortcuts stay theirs.
    expect(key('a', { ctrlKey: true })).toBeNull();
    expect(key('n', { metaKey: true })).toBeNull();
  });
});

describe('histogram traces', () => {
  const groups = [
    { key: 'normal', label: 'Normal', counts: [2, 6, 2], total: 10, mean: 0 },
    { key: 'anomalous', label: 'Anomalous', counts: [0, 1, 3], total: 4, mean: 0.5 },
  ];

  it('draws one series as bars (shares of the group) and several as step lines, tagging every bin for clicks', () => {
    const bars = histogramTraces([0, 1, 2, 3], [{ name: 'scores', groups }], 'share', 'score') as { type: string; x: number[]; y: number[]; customdata: unknown[] }[];
    expect(bars.map((trace) => trace.type)).toEqual(['bar', 'bar']);
    expect(bars[0]?.x).toEqual([0.5, 1.5, 2.5]);
    expect(bars[1]?.y).toEqual([0, 0.25, 0.75]);
    expect(parseBinClick(bars[1]?.customdata[2] as (string | number)[])).toEqual({ series: 0, group: 'anomalous', bin: 2 });

    const lines = histogramTraces([0, 1, 2, 3], [{ name: 'after epoch 1', groups }, { name: 'after epoch 6', groups }], 'count', 'cos φ1') as { type: string; name: string; y: number[]; line: { dash: string } }[];
    expect(lines).toHaveLength(4);
    expect(lines.every((trace) => trace.type === 'scatter')).toBe(true);
    expect(lines[2]?.name).toBe('Normal · after epoch 6');
    expect(lines[2]?.line.dash).not.toBe(lines[0]?.line.dash);
    expect(lines[3]?.y).toEqual([0, 1, 3]);
    expect(parseBinClick(['x'])).toBeNull();
  });
});

describe('labels CSV', () => {
  it('writes one row per labelled item with its score and rank, quoting where needed', () => {
    const item: LabelledItem = { index: 4, file: 'odd, name.png', label: '7', anomaly: 1, split: 'test', score: 1.5, rank: 2, userLabel: 'anomalous', labelledAt: '2026-01-02T03:04:05.000Z' };
    expect(labelsCsv([item])).toBe('file,user_label,labelled_at,score,rank,dataset_label,anomaly,split,index\n"odd, name.png",anomalous,2026-01-02T03:04:05.000Z,1.5,2,7,1,test,4\n');
  });
});

describe('the runs a view starts with', () => {
  const run = (runId: string, method: string, datasetId: number | null, status: RunSummary['status'] = 'done'): RunSummary => ({
    runId,
    datasetId,
    datasetPath: `/data/${datasetId}`,
    origin: 'app',
    method,
    status,
    stopReason: null,
    epochsCompleted: 1,
    epochsTotal: 1,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    error: null,
  });

  it('puts a standard VAE beside Comp.VAE on the same data, and Comp.VAE beside a VAE', () => {
    const runs = [run('comp-2', 'comp', 2), run('vae-1', 'vae', 1), run('knn-1', 'pixel-knn', 1), run('comp-1', 'comp', 1), run('vae-1b', 'vae', 1, 'running')];
    expect(defaultCompanion(runs[3] as RunSummary, runs)).toBe('vae-1');
    expect(defaultCompanion(runs[1] as RunSummary, runs)).toBe('comp-1');
    // Nothing of the other kind on the same data: nothing beside it (a pixel baseline has no latent).
    expect(defaultCompanion(runs[0] as RunSummary, runs)).toBeNull();
  });

  it('compares the newest finished run with the others on its dataset', () => {
    expect(suggestedRuns([run('a', 'comp', 1), run('b', 'vae', 2), run('c', 'vae', 1), run('d', 'ae', 1, 'failed')])).toEqual(['a', 'c']);
    expect(suggestedRuns([run('a', 'comp', 1), run('b', 'vae', 2)])).toEqual(['a', 'b']);
    expect(suggestedRuns([])).toEqual([]);
  });
});
