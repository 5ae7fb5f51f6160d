/** Every file of a dataset as a thumbnail, in file-name order, virtualized like the gallery. */
import { useCallback, useState } from 'react';
import type { DatasetFile, DisplaySettings } from '../../../../shared/ipc';
import { useApi } from '../../api/ApiContext';
import { call } from '../../api/call';
import { ErrorMessage } from '../../components/ErrorMessage';
import { VirtualGrid } from '../../components/VirtualGrid';
import { useThumbnailCache } from '../../display/thumbnails';
import { baseName } from '../../lib/format';
import { usePagedItems } from '../../lib/paged-items';
import { useThumbnail, type ThumbnailCache } from '../../lib/thumbnail-cache';
import type { GridMetrics } from '../../lib/virtual-window';

const METRICS: GridMetrics = { tileWidth: 112, tileHeight: 146, gap: 10 };
const THUMBNAIL_SIZE = 96;

function FileTile({ file, cache }: { file: DatasetFile | undefined; cache: ThumbnailCache | null }) {
  const thumbnail = useThumbnail(cache, file?.file ?? null);
  const failed = thumbnail !== undefined && thumbnail.src === null;
  return (
    <div className={failed ? 'tile small unreadable' : 'tile small'}>
      <div className="tile-image">
        {thumbnail?.src ? <img src={thumbnail.src} alt="" draggable={false} /> : <span className="tile-placeholder">{failed ? 'unreadable' : ''}</span>}
        {file?.label !== null && file?.label !== undefined && <span className="tile-label">{file.label}</span>}
      </div>
      <div className="tile-caption">
        <span className="tile-file" title={failed ? `${file?.file}: ${thumbnail.error ?? ''}` : file?.file}>
          {file === undefined ? '' : baseName(file.file)}
        </span>
      </div>
    </div>
  );
}

export function DatasetFilesGrid({ datasetId, display }: { datasetId: number; display: DisplaySettings }) {
  const api = useApi();
  const cache = useThumbnailCache(datasetId, display, THUMBNAIL_SIZE);
  const fetchPage = useCallback(
    async (offset: number, limit: number) => {
      const page = await call(api, 'datasets:files', { datasetId, offset, limit });
      return { total: page.total, items: page.files };
    },
    [api, datasetId],
  );
  const files = usePagedItems<DatasetFile>(fetchPage, String(datasetId));
  const [active, setActive] = useState(0);

  const renderTile = useCallback((index: number) => <FileTile file={files.get(index)} cache={cache} />, [files, cache]);
  const describeTile = useCallback((index: number) => files.get(index)?.file ?? `File ${index + 1}`, [files]);

  if (files.error !== null) return <ErrorMessage error={files.error} />;
  if (files.total === 0) return <p className="muted">This folder has no image files.</p>;
  return (
    <div className="files-grid">
      <VirtualGrid
        count={files.total ?? 0}
        metrics={METRICS}
        label="Files of the dataset"
        idPrefix={`dataset-${datasetId}-file`}
        activeIndex={active}
        onActiveChange={setActive}
        onOpen={setActive}
        renderTile={renderTile}
        describeTile={describeTile}
        onRangeChange={files.ensureRange}
        testId="dataset-files-grid"
      />
    </div>
  );
}
