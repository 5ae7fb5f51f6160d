/** The orders the gallery offers, and how they read in the URL and in the sort menu. */

export type GallerySortKey = 'rank' | 'score' | 'label' | 'file';
export type SortDirection = 'asc' | 'desc';
export type SplitFilter = 'all' | 'train' | 'test';

export interface GallerySort {
  key: GallerySortKey;
  direction: SortDirection;
}

export const SORT_KEYS: readonly { key: GallerySortKey; label: string; defaultDirection: SortDirection }[] = [
  { key: 'rank', label: 'Rank', defaultDirection: 'asc' },
  { key: 'score', label: 'Score', defaultDirection: 'desc' },
  { key: 'label', label: 'Label', defaultDirection: 'asc' },
  { key: 'file', label: 'File name', defaultDirection: 'asc' },
];

/** The most anomalous first: what a scientist opens the gallery for. */
export const DEFAULT_SORT: GallerySort = { key: 'rank', direction: 'asc' };

export function parseSort(key: string | null, direction: string | null): GallerySort {
  const known = SORT_KEYS.find((entry) => entry.key === key);
  if (known === undefined) return DEFAULT_SORT;
  return { key: known.key, direction: direction === 'asc' || direction === 'desc' ? direction : known.defaultDirection };
}

export function parseSplit(value: string | null): SplitFilter {
  return value === 'train' || value === 'test' ? value : 'all';
}

export function describeSort(sort: GallerySort): string {
  switch (sort.key) {
    case 'rank':
      return sort.direction === 'asc' ? 'most anomalous first' : 'most normal first';
    case 'score':
      return sort.direction === 'desc' ? 'highest score first' : 'lowest score first';
    case 'label':
      return sort.direction === 'asc' ? 'label A→Z' : 'label Z→A';
    case 'file':
      return sort.direction === 'asc' ? 'file name A→Z' : 'file name Z→A';
  }
}
