/**
 * Where the insight views send the user: the gallery of a run filtered to some items (a histogram bin,
 * a top-k change), or opened on one item. Hash routes, so they work in Electron and in a browser.
 */
import type { GalleryFilter } from '../../../../shared/ipc-insight';
import { formatRoute, navigate } from '../../app/router';
import { encodeGalleryFilter } from './gallery-filter';

/** Query keys the gallery reads (see views/Gallery/GalleryView.tsx). */
export const GALLERY_FILTER_QUERY = 'filter';
export const GALLERY_ITEM_QUERY = 'item';

export function galleryFilterHref(runId: string, filter: GalleryFilter): string {
  return formatRoute('gallery', [runId], { [GALLERY_FILTER_QUERY]: encodeGalleryFilter(filter) });
}

export function galleryItemHref(runId: string, index: number): string {
  return formatRoute('gallery', [runId], { [GALLERY_ITEM_QUERY]: index });
}

export const openGalleryFiltered = (runId: string, filter: GalleryFilter): void => navigate(galleryFilterHref(runId, filter));
export const openGalleryItem = (runId: string, index: number): void => navigate(galleryItemHref(runId, index));
export const openGallery = (runId: string): void => navigate(formatRoute('gallery', [runId]));
