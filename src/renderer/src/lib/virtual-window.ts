/**
 * The arithmetic of a windowed grid of fixed-size tiles: how many columns fit, which rows are on
 * screen, where a tile sits, and where to scroll so a tile is visible. Pure functions, so the part
 * that decides what 100,000 items cost the DOM is tested without a browser.
 */

export interface GridMetrics {
  tileWidth: number;
  tileHeight: number;
  gap: number;
}

export interface GridWindow {
  columns: number;
  rows: number;
  /** Total scrollable height in pixels. */
  height: number;
  /** First and last item index to render (inclusive); last < first when there is nothing to render. */
  first: number;
  last: number;
}

export function columnCount(viewportWidth: number, metrics: GridMetrics): number {
  return Math.max(1, Math.floor((viewportWidth + metrics.gap) / (metrics.tileWidth + metrics.gap)));
}

export function rowPitch(metrics: GridMetrics): number {
  return metrics.tileHeight + metrics.gap;
}

/** The items to render for a scroll position, with `overscanRows` extra rows above and below. */
export function visibleWindow(count: number, viewportWidth: number, viewportHeight: number, scrollTop: number, metrics: GridMetrics, overscanRows = 2): GridWindow {
  const columns = columnCount(viewportWidth, metrics);
  const rows = Math.ceil(count / columns);
  const pitch = rowPitch(metrics);
  const height = Math.max(0, rows * pitch - metrics.gap);
  if (count === 0 || viewportHeight <= 0) return { columns, rows, height, first: 0, last: -1 };
  const firstRow = Math.max(0, Math.floor(scrollTop / pitch) - overscanRows);
  const lastRow = Math.min(rows - 1, Math.floor((scrollTop + viewportHeight) / pitch) + overscanRows);
  return { columns, rows, height, first: firstRow * columns, last: Math.min(count - 1, (lastRow + 1) * columns - 1) };
}

export function tilePosition(index: number, columns: number, metrics: GridMetrics): { left: number; top: number } {
  return { left: (index % columns) * (metrics.tileWidth + metrics.gap), top: Math.floor(index / columns) * rowPitch(metrics) };
}

/** The scrollTop that brings item `index` fully into view with the least movement (unchanged if it already is). */
export function scrollTopToReveal(index: number, columns: number, viewportHeight: number, scrollTop: number, metrics: GridMetrics): number {
  const top = Math.floor(index / columns) * rowPitch(metrics);
  const bottom = top + metrics.tileHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** Where keyboard navigation moves the active item; null for keys the grid does not handle. */
export function nextActiveIndex(key: string, active: number, count: number, columns: number, rowsPerPage: number): number | null {
  if (count === 0) return null;
  const clamp = (value: number): number => Math.min(count - 1, Math.max(0, value));
  switch (key) {
    case 'ArrowRight':
      return clamp(active + 1);
    case 'ArrowLeft':
      return clamp(active - 1);
    case 'ArrowDown':
      return clamp(active + columns);
    case 'ArrowUp':
      return clamp(active - columns);
    case 'PageDown':
      return clamp(active + columns * Math.max(1, rowsPerPage));
    case 'PageUp':
      return clamp(active - columns * Math.max(1, rowsPerPage));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
