/**
 * Gallery filters in the route (`#/gallery/<run>?filter=<json>`): what a histogram bin or a picked set
 * of items opens. Checked by hand here (the renderer does not load zod), and validated again by the
 * backend, which refuses anything that does not match GalleryFilterSchema.
 */
import type { GalleryFilter, ItemGrouping } from '../../../../shared/ipc-insight';

const GROUPINGS: readonly ItemGrouping[] = ['anomaly', 'user-label', 'class', 'split', 'none'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isGrouping = (value: unknown): value is ItemGrouping => typeof value === 'string' && (GROUPINGS as readonly string[]).includes(value);
const isGroup = (value: unknown): value is string | null => value === null || typeof value === 'string';

export function encodeGalleryFilter(filter: GalleryFilter): string {
  return JSON.stringify(filter);
}

/** The filter in a route's query, or null when there is none or it does not look like one. */
export function decodeGalleryFilter(text: string | null): GalleryFilter | null {
  if (text === null || text.length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const bin = isFiniteNumber(value['low']) && isFiniteNumber(value['high']) && typeof value['firstBin'] === 'boolean' && typeof value['lastBin'] === 'boolean';
  switch (value['kind']) {
    case 'items': {
      const indexes = value['indexes'];
      const title = value['title'];
      if (!Array.isArray(indexes) || !indexes.every((index) => Number.isInteger(index) && (index as number) >= 0) || typeof title !== 'string') return null;
      return { kind: 'items', indexes: indexes as number[], title };
    }
    case 'angle-bin': {
      const { epoch, angle, scale, low, high, firstBin, lastBin, grouping, group } = value;
      if (!bin || !(epoch === null || Number.isInteger(epoch)) || !Number.isInteger(angle) || (scale !== 'cosine' && scale !== 'degrees') || !isGrouping(grouping) || !isGroup(group)) return null;
      return { kind: 'angle-bin', epoch: epoch as number | null, angle: angle as number, scale, low: low as number, high: high as number, firstBin: firstBin as boolean, lastBin: lastBin as boolean, grouping, group };
    }
    case 'score-range': {
      const { low, high, firstBin, lastBin, grouping, group, split } = value;
      if (!bin || !isGrouping(grouping) || !isGroup(group) || (split !== 'all' && split !== 'train' && split !== 'test')) return null;
      return { kind: 'score-range', low: low as number, high: high as number, firstBin: firstBin as boolean, lastBin: lastBin as boolean, grouping, group, split };
    }
    default:
      return null;
  }
}
