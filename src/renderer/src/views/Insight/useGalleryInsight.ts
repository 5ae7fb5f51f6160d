/**
 * What the gallery takes from the insight views, in one hook so the gallery itself changes little:
 * the filter a histogram bin or a top-k change opened (`?filter=`), the item a sphere point opened
 * (`?item=`), the run's score threshold with the number of items it flags, and labelling.
 */
import { useMemo } from 'react';
import type { PolarisApi } from '../../../../shared/api';
import type { GalleryFilter, InsightItem } from '../../../../shared/ipc-insight';
import { call } from '../../api/call';
import { useInvoke } from '../../api/hooks';
import { formatRoute, type Route } from '../../app/router';
import { useItemLabelling, type ItemLabelling } from '../../components/LabelControls';
import { decodeGalleryFilter } from './gallery-filter';
import { GALLERY_FILTER_QUERY, GALLERY_ITEM_QUERY } from './navigation';
import { useRunThreshold } from './threshold-store';

export interface GalleryInsight {
  filter: GalleryFilter | null;
  /** Part of the gallery's list key: changes with the filter. */
  filterKey: string;
  /** The filter in words, once the first page has answered. */
  filterDescription: string | null;
  /** The gallery without the filter. */
  clearFilterHref: string;
  /** One page of the filtered items, most anomalous first. */
  fetchFiltered(offset: number, limit: number): Promise<{ total: number; items: InsightItem[] }>;
  /** The item to open, from `?item=`. */
  itemToOpen: number | null;
  threshold: number | null;
  /** Items with score ≥ threshold (ranks 1…this), null while unknown. */
  flaggedCount: number | null;
  isAboveThreshold(score: number | null): boolean;
  labelling: ItemLabelling;
}

export function useGalleryInsight(api: PolarisApi, runId: string, route: Route, datasetId: number | null): GalleryInsight {
  const filterText = route.query.get(GALLERY_FILTER_QUERY);
  const filter = useMemo(() => decodeGalleryFilter(filterText), [filterText]);
  const itemText = route.query.get(GALLERY_ITEM_QUERY);
  const itemToOpen = itemText !== null && /^\d+$/.test(itemText) ? Number(itemText) : null;
  const [threshold] = useRunThreshold(runId);
  const { loadable: thresholdLoadable } = useInvoke('insight:score-histogram', threshold === null ? null : [{ runId, bins: 5, threshold }], `${runId}:${String(threshold)}`);
  const { loadable: filterLoadable } = useInvoke('insight:filtered-items', filter === null ? null : [{ runId, filter, limit: 1 }], `${runId}:${filterText ?? ''}`);
  const labelling = useItemLabelling(datasetId);

  return {
    filter,
    filterKey: filter === null ? '' : (filterText ?? ''),
    filterDescription: filter !== null && filterLoadable.state === 'ready' ? `${filterLoadable.value.description} · ${filterLoadable.value.total.toLocaleString('en-US')} items` : null,
    clearFilterHref: formatRoute('gallery', [runId]),
    fetchFiltered: async (offset, limit) => {
      if (filter === null) return { total: 0, items: [] };
      const page = await call(api, 'insight:filtered-items', { runId, filter, offset, limit });
      return { total: page.total, items: page.items };
    },
    itemToOpen,
    threshold,
    flaggedCount: threshold !== null && thresholdLoadable.state === 'ready' ? (thresholdLoadable.value.threshold?.lastFlaggedRank ?? null) : null,
    isAboveThreshold: (score) => threshold !== null && score !== null && score >= threshold,
    labelling,
  };
}
