/**
 * One colour per group everywhere in the insight views, so "anomalous" is the same orange in the
 * histograms, on the sphere and in the legends. Chosen to stay apart for the common colour-vision
 * deficiencies (blue / orange / purple / grey) and readable on white.
 */
const GROUP_COLORS: Readonly<Record<string, string>> = {
  normal: '#2f6db5',
  anomalous: '#e0631a',
  unknown: '#9aa3b2',
  interesting: '#7b4fc9',
  unlabelled: '#9aa3b2',
  other: '#6b7280',
  train: '#2f6db5',
  test: '#c28a00',
  all: '#14213d',
};

/** For dataset classes, in order of appearance (Tableau 10, without its grey). */
const CLASS_PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#86bcb6', '#d37295', '#a0cbe8'];

export function groupColor(key: string, position = 0): string {
  return GROUP_COLORS[key] ?? (CLASS_PALETTE[position % CLASS_PALETTE.length] as string);
}

/** Line dashes for telling overlaid series (epochs, runs) apart, in order. */
export const SERIES_DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash', 'longdashdot'] as const;

/** Score colour scale: cool for low scores (the island), hot for the far-away items. */
export const SCORE_COLORSCALE: [number, string][] = [
  [0, '#1d3f72'],
  [0.35, '#3f7fbf'],
  [0.6, '#9ccbe6'],
  [0.8, '#f4a259'],
  [1, '#c0392b'],
];

/** Mean cosine: −1 (anti-pole) blue through 0 (the equator) white to +1 (the pole) dark red. */
export const COSINE_COLORSCALE: [number, string][] = [
  [0, '#2c5aa0'],
  [0.5, '#f7f7f7'],
  [0.75, '#f4a582'],
  [1, '#8c1c13'],
];
