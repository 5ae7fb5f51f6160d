/**
 * The detail of one item: the image with the dataset's display settings, each band on its own, the
 * model's reconstruction, and the k nearest normal items whose distances make up the score.
 */
import { useEffect, type ReactNode } from 'react';
import type { DisplaySettings, RunItem } from '../../../../shared/ipc';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { pngDataUrl, useThumbnailCache } from '../../display/thumbnails';
import { formatNumber } from '../../lib/format';
import { useThumbnail, type ThumbnailCache } from '../../lib/thumbnail-cache';

const LARGE_SIZE = 192;
const NEIGHBOUR_SIZE = 96;

function ItemImage({ cache, file, alt }: { cache: ThumbnailCache | null; file: string; alt: string }) {
  const thumbnail = useThumbnail(cache, file);
  if (thumbnail === undefined) return <div className="image-frame loading" aria-label="Loading image" />;
  if (thumbnail.src === null) return <div className="image-frame missing">{thumbnail.error ?? 'no image'}</div>;
  return <img className="image-frame" src={thumbnail.src} alt={alt} />;
}

function Bands({ datasetId, file, display }: { datasetId: number; file: string; display: DisplaySettings }) {
  const { loadable } = useInvoke('images:bands', [{ datasetId, file, size: 128, stretch: display.stretch }], `${datasetId}:${file}:${display.stretch}`);
  if (loadable.state === 'loading') return <p className="muted">Loading bands…</p>;
  if (loadable.state === 'failed') return <ErrorMessage error={loadable.error} />;
  const { facts, bands } = loadable.value;
  return (
    <>
      <p className="muted small">
        {facts.width}×{facts.height} pixels, {facts.channels} band{facts.channels === 1 ? '' : 's'}, {facts.bitDepth < 0 ? `${-facts.bitDepth}-bit float` : `${facts.bitDepth}-bit`}
      </p>
      <ul className="band-list" aria-label="Bands">
        {bands.map((png, band) => (
          <li key={band}>
            <img src={pngDataUrl(png)} alt={`Band ${band + 1} of ${file}`} />
            <span>Band {band + 1}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function Reconstruction({ runId, index, method }: { runId: string; index: number; method: string }) {
  const { loadable } = useInvoke('runs:reconstructions', method.startsWith('pixel-') ? null : [{ runId, indexes: [index] }], `${runId}:${index}`);
  if (method.startsWith('pixel-')) return <p className="muted">A pixel baseline has no model to reconstruct with.</p>;
  if (loadable.state === 'loading') return <p className="muted">Reconstructing…</p>;
  if (loadable.state === 'failed') return <ErrorMessage error={loadable.error} />;
  const entry = loadable.value.items[0];
  if (entry === undefined) return <p className="muted">No model checkpoint yet.</p>;
  return (
    <div className="reconstruction-pair">
      <figure>
        <img src={pngDataUrl(entry.original)} alt="Model input (normalized)" />
        <figcaption>Input</figcaption>
      </figure>
      <figure>
        <img src={pngDataUrl(entry.reconstruction)} alt="Reconstruction by the model" />
        <figcaption>Reconstruction</figcaption>
      </figure>
    </div>
  );
}

function Neighbours({ runId, index, cache, onOpenItem }: { runId: string; index: number; cache: ThumbnailCache | null; onOpenItem: (index: number) => void }) {
  const { loadable } = useInvoke('runs:neighbors', [{ runId, index }], `${runId}:${index}`);
  if (loadable.state === 'loading') return <p className="muted">Finding the nearest normal items…</p>;
  if (loadable.state === 'failed') return <ErrorMessage error={loadable.error} />;
  const { k, neighbors, score, unavailableReason } = loadable.value;
  if (neighbors.length === 0) return <p className="muted">{unavailableReason ?? 'No neighbours available.'}</p>;
  const mean = neighbors.reduce((sum, neighbour) => sum + neighbour.distance, 0) / neighbors.length;
  return (
    <>
      <p className="muted small">
        The score is the mean latent distance to the {k} nearest normal training items: {formatNumber(mean)}
        {score !== null && Math.abs(score - mean) > 1e-6 * Math.max(1, Math.abs(score)) ? ` (stored score ${formatNumber(score)})` : ''}.
      </p>
      <ol className="neighbour-list" data-testid="neighbours">
        {neighbors.map((neighbour) => (
          <li key={neighbour.index}>
            <button type="button" className="neighbour" onClick={() => onOpenItem(neighbour.index)} title={`Show ${neighbour.file}`}>
              <ItemImage cache={cache} file={neighbour.file} alt={neighbour.file} />
              <span className="neighbour-distance">d = {formatNumber(neighbour.distance)}</span>
              <span className="neighbour-file">{neighbour.file}</span>
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

export interface ItemDetailProps {
  runId: string;
  /** The run's method: pixel baselines have no model, so no reconstruction. */
  method: string;
  item: RunItem;
  total: number;
  datasetId: number | null;
  display: DisplaySettings;
  onClose(): void;
  onOpenItem(index: number): void;
  /** The label buttons for this item (components/LabelControls.tsx), shown under its facts. */
  labelControls?: ReactNode;
}

export function ItemDetail({ runId, method, item, total, datasetId, display, onClose, onOpenItem, labelControls }: ItemDetailProps) {
  const largeCache = useThumbnailCache(datasetId, display, LARGE_SIZE);
  const neighbourCache = useThumbnailCache(datasetId, display, NEIGHBOUR_SIZE);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside className="detail" aria-labelledby="detail-heading" data-testid="item-detail" data-index={item.index}>
      <header className="detail-header">
        <h2 id="detail-heading">
          Rank #{item.rank ?? '—'} <span className="muted">of {total.toLocaleString('en-US')}</span>
        </h2>
        <button type="button" className="button ghost small" onClick={onClose} aria-label="Close the details (Escape)">
          Close
        </button>
      </header>
      <div className="detail-body">
        <div className="detail-top">
          {datasetId !== null ? <ItemImage cache={largeCache} file={item.file} alt={`Image ${item.file}`} /> : <div className="image-frame missing">no image</div>}
          <dl className="facts stacked">
            <dt>Score</dt>
            <dd data-testid="detail-score">{formatNumber(item.score)}</dd>
            <dt>File</dt>
            <dd className="break">{item.file}</dd>
            <dt>Label</dt>
            <dd>
              {item.label ?? '—'}
              {item.anomaly === 1 ? ' (anomaly class)' : ''}
            </dd>
            <dt>Split</dt>
            <dd>{item.split === 'train' ? 'training (normal)' : 'test'}</dd>
          </dl>
        </div>
        {labelControls !== undefined && <div className="detail-labels">{labelControls}</div>}
        <section aria-labelledby="detail-recon-heading">
          <h3 id="detail-recon-heading">Reconstruction</h3>
          <Reconstruction runId={runId} index={item.index} method={method} />
        </section>
        <section aria-labelledby="detail-neighbours-heading">
          <h3 id="detail-neighbours-heading">Nearest normal items</h3>
          <Neighbours runId={runId} index={item.index} cache={neighbourCache} onOpenItem={onOpenItem} />
        </section>
        {datasetId !== null && (
          <section aria-labelledby="detail-bands-heading">
            <h3 id="detail-bands-heading">Bands</h3>
            <Bands datasetId={datasetId} file={item.file} display={display} />
          </section>
        )}
      </div>
    </aside>
  );
}
