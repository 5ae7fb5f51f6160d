/**
 * The anomaly gallery: every item of a run in a virtualized grid, most anomalous first (or sorted by
 * any column), with rank and score on each tile. Arrow keys move through it, Enter opens the detail
 * of the active item, which then follows the keyboard; Escape closes it.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { RunItem } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { useInvoke } from '../../api/hooks';
import { formatRoute, navigate } from '../../app/router';
import type { RunViewProps } from '../../app/views';
import { ErrorMessage } from '../../components/ErrorMessage';
import { LabelControls, useLabelShortcuts } from '../../components/LabelControls';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualGrid } from '../../components/VirtualGrid';
import { DisplayControls } from '../../display/DisplayControls';
import { useDatasetDisplay } from '../../display/useDatasetDisplay';
import { useThumbnailCache } from '../../display/thumbnails';
import { baseName, formatCount } from '../../lib/format';
import { methodName } from '../../lib/methods';
import { usePagedItems } from '../../lib/paged-items';
import type { GridMetrics } from '../../lib/virtual-window';
import { GalleryInsightBar } from '../Insight/GalleryInsightBar';
import { useGalleryInsight } from '../Insight/useGalleryInsight';
import { ExportPanel } from './ExportPanel';
import { describeSort, parseSort, parseSplit, SORT_KEYS, type GallerySort, type SplitFilter } from './gallery-sort';
import { GalleryTile } from './GalleryTile';
import { ItemDetail } from './ItemDetail';

const TILE_METRICS: GridMetrics = { tileWidth: 152, tileHeight: 212, gap: 12 };
const TILE_IMAGE_SIZE = 128;

export function GalleryView({ runId, route }: RunViewProps) {
  const api = useApi();
  const id = useId();
  const sort = parseSort(route.query.get('sort'), route.query.get('dir'));
  const split = parseSplit(route.query.get('split'));
  const { loadable: runLoadable } = useInvoke('runs:get', [{ runId }], runId);
  const run = runLoadable.state === 'ready' ? runLoadable.value : null;
  const datasetId = run?.datasetId ?? null;
  const configuredChannels = run?.config['channels'];
  const { settings: display, setSettings: setDisplay, channels } = useDatasetDisplay(datasetId, typeof configuredChannels === 'number' ? configuredChannels : null);
  const thumbnails = useThumbnailCache(datasetId, display, TILE_IMAGE_SIZE);
  // Part 2: a filter from a histogram bin (?filter=), an item to open (?item=), the threshold, labels.
  const insight = useGalleryInsight(api, runId, route, datasetId);

  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      insight.filter !== null
        ? insight.fetchFiltered(offset, limit)
        : call(api, 'runs:items-sorted', { runId, offset, limit, sortBy: sort.key, direction: sort.direction, ...(split === 'all' ? {} : { split }) }),
    // insight.fetchFiltered changes with the filter, which insight.filterKey names (usePagedItems reads the latest fetcher).
    [api, runId, sort.key, sort.direction, split, insight.filterKey],
  );
  const listKey = `${runId}|${sort.key}|${sort.direction}|${split}|${insight.filterKey}`;
  const items = usePagedItems<RunItem>(fetchPage, listKey);
  const [activeIndex, setActiveIndex] = useState(0);
  const [detail, setDetail] = useState<RunItem | null>(null);
  const total = items.total ?? 0;

  useEffect(() => {
    setActiveIndex(0);
  }, [listKey]);

  // While the detail is open it follows the active tile.
  const activeItem = items.get(activeIndex);
  useEffect(() => {
    setDetail((current) => (current !== null && activeItem !== undefined && current.index !== activeItem.index ? activeItem : current));
  }, [activeItem]);

  const setQuery = (next: { sort?: GallerySort; split?: SplitFilter }): void => {
    const nextSort = next.sort ?? sort;
    const nextSplit = next.split ?? split;
    navigate(formatRoute('gallery', [runId], { sort: nextSort.key, dir: nextSort.direction, split: nextSplit === 'all' ? undefined : nextSplit }), { replace: true });
  };

  const [openError, setOpenError] = useState<IpcError | null>(null);
  const openItemByIndex = async (index: number): Promise<void> => {
    setOpenError(null);
    try {
      setDetail(await call(api, 'runs:item', { runId, index }));
    } catch (thrown) {
      setOpenError(toIpcError(thrown));
    }
  };

  // An item opened from another view (a point on the sphere, a top-k change). In the default order its
  // tile is at rank − 1, so the grid moves there too and the detail keeps following the active tile.
  useEffect(() => {
    const index = insight.itemToOpen;
    if (index === null) return;
    let live = true;
    call(api, 'runs:item', { runId, index })
      .then((item) => {
        if (!live) return;
        if (insight.filter === null && sort.key === 'rank' && sort.direction === 'asc' && split === 'all' && item.rank !== null) setActiveIndex(item.rank - 1);
        setDetail(item);
      })
      .catch((thrown: unknown) => {
        if (live) setOpenError(toIpcError(thrown));
      });
    return () => {
      live = false;
    };
  }, [api, runId, insight.itemToOpen]);

  // Label keys (a, n, i; Backspace clears) label the open item, else the active tile.
  const labelTarget = detail ?? activeItem ?? null;
  useLabelShortcuts(insight.labelling.disabledReason === null && labelTarget !== null, (label) => {
    if (labelTarget !== null) void insight.labelling.setLabel(labelTarget.file, label, labelTarget.userLabel);
  });

  const closeDetail = useCallback(() => {
    setDetail(null);
    document.getElementById(`${id}-grid`)?.focus();
  }, [id]);

  const renderTile = useCallback(
    (index: number) => {
      const item = items.get(index);
      return (
        <GalleryTile
          item={item}
          position={index}
          thumbnails={thumbnails}
          userLabel={item === undefined ? null : insight.labelling.labelOf(item.file, item.userLabel)}
          aboveThreshold={insight.isAboveThreshold(item?.score ?? null)}
        />
      );
    },
    [items, thumbnails, insight.labelling.labelOf, insight.threshold],
  );
  const describeTile = useCallback(
    (index: number) => {
      const item = items.get(index);
      if (item === undefined) return `Item ${index + 1}, loading`;
      return `Rank ${item.rank ?? 'none'}, score ${item.score === null ? 'none' : item.score.toPrecision(4)}, ${item.file}${item.label === null ? '' : `, label ${item.label}`}`;
    },
    [items],
  );

  if (runLoadable.state === 'failed') {
    return (
      <div className="page narrow">
        <ErrorMessage error={runLoadable.error} />
      </div>
    );
  }

  return (
    <div className="page gallery">
      <div className="gallery-toolbar">
        <div className="gallery-title">
          <h2>{run === null ? 'Loading…' : `${methodName(run.method)} on ${baseName(run.datasetPath)}`}</h2>
          {run !== null && <StatusBadge status={run.status} />}
          <span className="muted" data-testid="gallery-count" aria-live="polite">
            {items.total === null ? '' : `${formatCount(total)} items, ${describeSort(sort)}`}
          </span>
        </div>
        <div className="gallery-controls">
          <div className="field inline">
            <label htmlFor={`${id}-sort`}>Sort by</label>
            <select
              id={`${id}-sort`}
              value={sort.key}
              onChange={(event) => {
                const entry = SORT_KEYS.find((candidate) => candidate.key === event.target.value);
                if (entry !== undefined) setQuery({ sort: { key: entry.key, direction: entry.defaultDirection } });
              }}
              disabled={insight.filter !== null}
              title={insight.filter !== null ? 'A filtered gallery shows its items most anomalous first' : undefined}
              data-testid="sort-key"
            >
              {SORT_KEYS.map((entry) => (
                <option key={entry.key} value={entry.key}>
                  {entry.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button small"
              onClick={() => setQuery({ sort: { ...sort, direction: sort.direction === 'asc' ? 'desc' : 'asc' } })}
              aria-label={`Reverse the order (now ${describeSort(sort)})`}
              data-testid="sort-direction"
            >
              {sort.direction === 'asc' ? '↑ Ascending' : '↓ Descending'}
            </button>
          </div>
          <div className="field inline">
            <label htmlFor={`${id}-split`}>Items</label>
            <select id={`${id}-split`} value={split} onChange={(event) => setQuery({ split: parseSplit(event.target.value) })}>
              <option value="all">All</option>
              <option value="test">Test split</option>
              <option value="train">Training split</option>
            </select>
          </div>
          <details className="menu">
            <summary className="button small">Display</summary>
            <div className="menu-panel">
              <DisplayControls settings={display} onChange={setDisplay} channels={channels} />
            </div>
          </details>
          {run !== null && (
            <details className="menu">
              <summary className="button small">Export</summary>
              <div className="menu-panel">
                <ExportPanel run={run} />
              </div>
            </details>
          )}
        </div>
      </div>
      <GalleryInsightBar runId={runId} insight={insight} target={labelTarget} />
      {items.error !== null && <ErrorMessage error={items.error} />}
      {openError !== null && <ErrorMessage error={openError} onDismiss={() => setOpenError(null)} />}
      {run !== null && run.resultCount === 0 && (
        <p className="notice">
          {run.status === 'running' || run.status === 'queued' ? 'This run is still training: its scores come when it finishes.' : 'This run has no scores.'}
          {total > 0 ? ' Its items are listed in dataset order.' : ''} <a href={formatRoute('monitor', [runId])}>See its training</a>.
        </p>
      )}
      <div className={detail === null ? 'gallery-body' : 'gallery-body with-detail'}>
        <div className="gallery-grid">
          {items.total === 0 ? (
            <p className="muted empty-note">No items to show.</p>
          ) : (
            <VirtualGrid
              id={`${id}-grid`}
              testId="gallery-grid"
              count={total}
              metrics={TILE_METRICS}
              label={`Items of the run, ${describeSort(sort)}. Arrow keys move, Enter opens the details.`}
              idPrefix={`${id}-tile`}
              activeIndex={activeIndex}
              openIndex={detail !== null && activeItem?.index === detail.index ? activeIndex : null}
              onActiveChange={setActiveIndex}
              onOpen={(index) => {
                const item = items.get(index);
                if (item !== undefined) setDetail(item);
              }}
              renderTile={renderTile}
              describeTile={describeTile}
              onRangeChange={items.ensureRange}
            />
          )}
        </div>
        {detail !== null && (
          <ItemDetail
            runId={runId}
            method={run?.method ?? ''}
            item={detail}
            total={total}
            datasetId={datasetId}
            display={display}
            onClose={closeDetail}
            onOpenItem={(index) => void openItemByIndex(index)}
            labelControls={
              <LabelControls
                value={insight.labelling.labelOf(detail.file, detail.userLabel)}
                onChange={(label) => void insight.labelling.setLabel(detail.file, label, detail.userLabel)}
                disabledReason={insight.labelling.disabledReason}
                testId="detail-labels"
              />
            }
          />
        )}
      </div>
    </div>
  );
}
