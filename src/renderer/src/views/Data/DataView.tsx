/**
 * The Data view: import a folder (left), the datasets imported before, and the overview of the chosen
 * dataset (right) with its counts, unreadable files, display settings and thumbnails.
 */
import { useInvoke } from '../../api/hooks';
import { formatRoute, navigate } from '../../app/router';
import type { AppViewProps } from '../../app/views';
import { ErrorMessage } from '../../components/ErrorMessage';
import { baseName, formatCount, formatDateTime } from '../../lib/format';
import { DatasetOverview } from './DatasetOverview';
import { ImportForm } from './ImportForm';

export function DataView({ route }: AppViewProps) {
  const datasets = useInvoke('datasets:list', [], 'datasets');
  const selectedId = Number(route.params[0]);
  const list = datasets.loadable.state === 'ready' ? datasets.loadable.value.filter((dataset) => dataset.kind === 'folder') : [];
  const selected = list.find((dataset) => dataset.datasetId === selectedId);

  return (
    <div className="page data-view">
      <div className="side-column">
        <section className="card" aria-labelledby="import-heading">
          <h2 id="import-heading">Import a folder</h2>
          <ImportForm
            onImported={(datasetId) => {
              datasets.reload();
              navigate(formatRoute('data', [datasetId]));
            }}
          />
        </section>
        <section className="card" aria-labelledby="datasets-heading">
          <h2 id="datasets-heading">Datasets</h2>
          {datasets.loadable.state === 'failed' && <ErrorMessage error={datasets.loadable.error} />}
          {datasets.loadable.state === 'ready' && list.length === 0 && <p className="muted">None yet. Import a folder above.</p>}
          <ul className="link-list" data-testid="dataset-list">
            {list.map((dataset) => (
              <li key={dataset.datasetId}>
                <a href={formatRoute('data', [dataset.datasetId])} aria-current={dataset.datasetId === selectedId ? 'true' : undefined} title={dataset.path}>
                  <span className="link-main">{baseName(dataset.path)}</span>
                  <span className="muted small">
                    {formatCount(dataset.fileCount)} files · {formatDateTime(dataset.scannedAt ?? dataset.createdAt)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div className="main-column">
        {selected !== undefined ? (
          <DatasetOverview key={`${selected.datasetId}:${selected.scannedAt ?? ''}`} record={selected} />
        ) : (
          <section className="card empty-state">
            <h2>Start with your images</h2>
            <p>
              Point Polaris at a folder of image tiles or cutouts. It checks every file, shows what it can read and why it cannot read the rest, and
              draws thumbnails with a stretch suited to 16-bit and FITS data. Then train a model and browse the strangest items first.
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
