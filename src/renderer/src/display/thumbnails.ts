/**
 * Thumbnail caches bound to the backend: one per dataset, display settings and size, so every view
 * that shows the same images with the same stretch shares the fetched PNGs.
 */
import { useMemo } from 'react';
import type { PolarisApi } from '../../../shared/api';
import type { DisplaySettings } from '../../../shared/ipc';
import { useApi } from '../api/ApiContext';
import { call } from '../api/call';
import { ThumbnailCache, type ThumbnailImage } from '../lib/thumbnail-cache';

export function pngDataUrl(base64: string): string {
  return `data:image/png;base64,${base64}`;
}

const caches = new Map<string, ThumbnailCache>();
/** Caches for other datasets or settings are dropped beyond this many, oldest first. */
const MAX_CACHES = 6;

function cacheFor(api: PolarisApi, datasetId: number, display: DisplaySettings, size: number): ThumbnailCache {
  const key = JSON.stringify([datasetId, display, size]);
  const existing = caches.get(key);
  if (existing !== undefined) return existing;
  const cache = new ThumbnailCache(async (files) => {
    const { thumbnails } = await call(api, 'images:thumbnails', { datasetId, files: [...files], size, display });
    return new Map<string, ThumbnailImage>(
      thumbnails.map((thumbnail) => [thumbnail.file, { src: thumbnail.png === null ? null : pngDataUrl(thumbnail.png), error: thumbnail.error }]),
    );
  });
  caches.set(key, cache);
  if (caches.size > MAX_CACHES) caches.delete(caches.keys().next().value as string);
  return cache;
}

/** The shared cache for a dataset shown with `display` at `size` pixels; null while there is no dataset. */
export function useThumbnailCache(datasetId: number | null, display: DisplaySettings, size: number): ThumbnailCache | null {
  const api = useApi();
  const displayKey = JSON.stringify(display);
  return useMemo(
    () => (datasetId === null ? null : cacheFor(api, datasetId, JSON.parse(displayKey) as DisplaySettings, size)),
    [api, datasetId, displayKey, size],
  );
}
