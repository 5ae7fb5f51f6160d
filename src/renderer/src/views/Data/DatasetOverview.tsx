/**
 * What Polaris found in a dataset: counts, formats, sizes, bands and bit depths, every file it could
 * not read with the reason, the display settings of its thumbnails, and the thumbnails themselves.
 */
import type { DatasetInspection, DatasetRecord } from '../../../../shared/ipc';
import { useInvoke } from '../../api/hooks';
import { formatRoute } from '../../app/router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { DisplayControls } from '../../display/DisplayControls';
import { useDatasetDisplay } from '../../display/useDatasetDisplay';
import { baseName, formatBytes, formatCount } from '../../lib/format';
import { DatasetFilesGrid } from './DatasetFilesGrid';

function bitDepthText(bitDepth: number): string {
  return bitDepth < 0 ? `${-bitDepth}-bit float` : `${bitDepth}-bit`;
}

function listWithCounts(entries: readonly { text: string; count: number }[]): string {
  return entries.map((entry) => (entries.length === 1 ? entry.text : `${entry.text} (${formatCount(entry.count)})`)).join(', ');
}

/** The most common image sizes (width × height, whatever the bands), e.g. "64×64" or "48×48 (40), 512×512 (2)". */
function sizesText(inspection: DatasetInspection): string {
  const bySize = new Map<string, number>();
  for (const shape of inspection.shapes) bySize.set(`${shape.width}×${shape.height}`, (bySize.get(`${shape.width}×${shape.height}`) ?? 0) + shape.count);
  const sizes = [...bySize].sort((a, b) => b[1] - a[1]);
  const shown = listWithCounts(sizes.slice(0, 3).map(([text, count]) => ({ text, count })));
  return sizes.length > 3 ? `${shown}, and ${sizes.length - 3} more` : shown;
}

/** "3" for a uniform dataset, "1 (40), 4 (1)" when band counts differ. */
function bandCountsText(inspection: DatasetInspection): string {
  const byChannels = new Map<number, number>();
  for (const shape of inspection.shapes) byChannels.set(shape.channels, (byChannels.get(shape.channels) ?? 0) + shape.count);
  return listWithCounts([...byChannels].map(([channels, count]) => ({ text: String(channels), count })));
}

function ProblemList({ problems }: { problems: DatasetInspection['problems'] }) {
  if (problems.length === 0) return <p className="ok-note">Every file could be read.</p>;
  return (
    <details className="problems" open={problems.length <= 5} data-testid="problems">
      <summary>
        <strong className="warning-text">
          {formatCount(problems.length)} file{problems.length === 1 ? '' : 's'} could not be read
        </strong>
        <span className="muted"> and will be left out of training</span>
      </summary>
      <table className="table problems-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem) => (
            <tr key={problem.file}>
              <td className="cell-path">{problem.file}</td>
              <td>{problem.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Facts({ record, inspection }: { record: DatasetRecord; inspection: DatasetInspection | null }) {
  return (
    <dl className="facts fact-grid" data-testid="dataset-facts">
      <div>
        <dt>Image files</dt>
        <dd data-testid="fact-files">{formatCount(record.fileCount)}</dd>
      </div>
      <div>
        <dt>Readable</dt>
        <dd data-testid="fact-readable">{inspection === null ? '—' : formatCount(inspection.readableCount)}</dd>
      </div>
      <div>
        <dt>Size on disk</dt>
        <dd>{formatBytes(record.totalBytes)}</dd>
      </div>
      <div>
        <dt>Formats</dt>
        <dd>
          {inspection === null
            ? '—'
            : listWithCounts(Object.entries(inspection.countsByExtension).map(([extension, count]) => ({ text: extension.toUpperCase(), count })))}
        </dd>
      </div>
      <div>
        <dt>Image sizes</dt>
        <dd data-testid="fact-sizes">
          {inspection === null || inspection.shapes.length === 0
            ? record.imageWidth === null
              ? '—'
              : `${record.imageWidth}×${record.imageHeight}`
            : sizesText(inspection)}
        </dd>
      </div>
      <div>
        <dt>Bands</dt>
        <dd data-testid="fact-bands">{inspection === null ? (record.channels ?? '—') : bandCountsText(inspection) || '—'}</dd>
      </div>
      <div>
        <dt>Bit depth</dt>
        <dd data-testid="fact-bit-depth">{inspection === null ? '—' : listWithCounts(inspection.bitDepths.map((entry) => ({ text: bitDepthText(entry.bitDepth), count: entry.count }))) || '—'}</dd>
      </div>
      <div>
        <dt>Labels</dt>
        <dd>{record.labelsCsv === null ? 'none' : `${inspection === null ? '' : `${formatCount(inspection.labelledCount)} files labelled from `}${baseName(record.labelsCsv)}`}</dd>
      </div>
    </dl>
  );
}

export function DatasetOverview({ record }: { record: DatasetRecord }) {
  const { loadable } = useInvoke('datasets:inspection', [{ datasetId: record.datasetId }], `${record.datasetId}:${record.scannedAt ?? ''}`);
  const display = useDatasetDisplay(record.datasetId, record.channels);
  const inspection = loadable.state === 'ready' ? loadable.value : null;

  return (
    <section className="card dataset-overview" aria-labelledby="dataset-heading" data-testid="dataset-overview">
      <header className="card-header">
        <div>
          <h2 id="dataset-heading">{baseName(record.path)}</h2>
          <p className="muted small path-text">{record.path}</p>
        </div>
        <a className="button primary" href={formatRoute('train', [], { dataset: record.datasetId })} data-testid="train-on-dataset">
          Train on this dataset
        </a>
      </header>
      {loadable.state === 'failed' && <ErrorMessage error={loadable.error} />}
      {loadable.state === 'ready' && loadable.value === null && (
        <p className="notice">This dataset was recorded by a run; import its folder again to check every file.</p>
      )}
      <Facts record={record} inspection={inspection} />
      {inspection !== null && <ProblemList problems={inspection.problems} />}
      <DisplayControls settings={display.settings} onChange={display.setSettings} channels={display.channels} />
      <DatasetFilesGrid datasetId={record.datasetId} display={display.settings} />
    </section>
  );
}
