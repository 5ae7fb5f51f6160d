/**
 * How much the first run and each other run agree on their top k: top-k Jaccard and rank-biased
 * overlap, and galleries of the items that entered the top k (in the other run's, not the first's)
 * and that left it. Clicking an item opens it in the run where it is in the top k.
 */
import { useId } from 'react';
import type { ComparedRun, GalleryFilter, RankChange, RunComparison, TopKOverlap } from '../../../../shared/ipc-insight';
import { useDatasetDisplay } from '../../display/useDatasetDisplay';
import { useThumbnailCache } from '../../display/thumbnails';
import { useThumbnail, type ThumbnailCache } from '../../lib/thumbnail-cache';
import { baseName } from '../../lib/format';
import { formatMetric, runShortName } from '../Insight/common';

const THUMBNAIL_SIZE = 96;
/** The most changed items shown per strip; the gallery link shows all of them. */
const STRIP_LIMIT = 24;

function ChangeTile({ change, cache, inOther, onOpen }: { change: RankChange; cache: ThumbnailCache | null; inOther: boolean; onOpen(): void }) {
  const thumbnail = useThumbnail(cache, change.file);
  const from = change.rankInReference === null ? '—' : `#${change.rankInReference}`;
  const to = change.rankInOther === null ? '—' : `#${change.rankInOther}`;
  return (
    <button
      type="button"
      className={change.anomaly === 1 ? 'change-tile known-anomaly' : 'change-tile'}
      onClick={onOpen}
      title={`${change.file}: rank ${from} → ${to}${change.label === null ? '' : `, label ${change.label}`}. Opens it in the ${inOther ? 'other' : 'first'} run.`}
    >
      {thumbnail?.src ? <img src={thumbnail.src} alt="" /> : <span className="change-placeholder">{thumbnail === undefined ? '' : 'no image'}</span>}
      <span className="change-ranks">
        {from} → {to}
      </span>
      <span className="tile-file">{baseName(change.file)}</span>
    </button>
  );
}

function ChangeStrip({
  title,
  changes,
  cache,
  runId,
  inOther,
  onOpenItem,
  onOpenGallery,
  testId,
}: {
  title: string;
  changes: readonly RankChange[];
  cache: ThumbnailCache | null;
  runId: string;
  inOther: boolean;
  onOpenItem(runId: string, index: number): void;
  onOpenGallery(runId: string, filter: GalleryFilter): void;
  testId: string;
}) {
  const indexes = changes.map((change) => (inOther ? change.indexInOther : change.indexInReference)).filter((index): index is number => index !== null);
  return (
    <div data-testid={testId}>
      <div className="sphere-panel-header">
        <h4 className="strip-title">
          {title} <span className="muted small">({changes.length})</span>
        </h4>
        {indexes.length > 0 && (
          <button type="button" className="button ghost small" onClick={() => onOpenGallery(runId, { kind: 'items', indexes: indexes.slice(0, 2000), title })}>
            Open in the gallery
          </button>
        )}
      </div>
      {changes.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="change-strip">
          {changes.slice(0, STRIP_LIMIT).map((change) => {
            const index = inOther ? change.indexInOther : change.indexInReference;
            return (
              <li key={change.file}>
                <ChangeTile change={change} cache={cache} inOther={inOther} onOpen={() => index !== null && onOpenItem(runId, index)} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function OverlapCard({
  overlap,
  reference,
  other,
  onOpenItem,
  onOpenGallery,
}: {
  overlap: TopKOverlap;
  reference: ComparedRun;
  other: ComparedRun;
  onOpenItem(runId: string, index: number): void;
  onOpenGallery(runId: string, filter: GalleryFilter): void;
}) {
  const id = useId();
  const { settings } = useDatasetDisplay(reference.datasetId);
  const cache = useThumbnailCache(reference.datasetId, settings, THUMBNAIL_SIZE);
  return (
    <section className="card insight-card" aria-labelledby={`${id}-heading`} data-testid={`overlap-${other.runId}`}>
      <h3 id={`${id}-heading`} className="card-title">
        Top {overlap.k}: {runShortName(reference)} → {runShortName(other)}
      </h3>
      {overlap.unavailableReason !== null ? (
        <p className="notice small">{overlap.unavailableReason}</p>
      ) : (
        <>
          <dl className="overlap-stats">
            <div>
              <dt title="|A ∩ B| / |A ∪ B| of the two top-k sets">Jaccard of the top {overlap.k}</dt>
              <dd data-testid="overlap-jaccard">{formatMetric(overlap.jaccard)}</dd>
            </div>
            <div>
              <dt title="Rank-biased overlap (Webber et al. 2010), extrapolated, p = 0.9: agreement weighted towards the top ranks">Rank-biased overlap (p = 0.9)</dt>
              <dd data-testid="overlap-rbo">{formatMetric(overlap.rbo)}</dd>
            </div>
            <div>
              <dt>Shared items</dt>
              <dd>
                {overlap.k - overlap.left.length} of {overlap.k}
              </dd>
            </div>
          </dl>
          <ChangeStrip title="Entered the top k" changes={overlap.entered} cache={cache} runId={other.runId} inOther onOpenItem={onOpenItem} onOpenGallery={onOpenGallery} testId="entered" />
          <ChangeStrip title="Left the top k" changes={overlap.left} cache={cache} runId={reference.runId} inOther={false} onOpenItem={onOpenItem} onOpenGallery={onOpenGallery} testId="left" />
        </>
      )}
    </section>
  );
}

export function TopKChanges({ comparison, onOpenItem, onOpenGallery }: { comparison: RunComparison; onOpenItem(runId: string, index: number): void; onOpenGallery(runId: string, filter: GalleryFilter): void }) {
  const reference = comparison.runs[0];
  if (reference === undefined) return null;
  return (
    <>
      {comparison.overlaps.map((overlap) => {
        const other = comparison.runs.find((run) => run.runId === overlap.otherRunId);
        return other === undefined ? null : <OverlapCard key={overlap.otherRunId} overlap={overlap} reference={reference} other={other} onOpenItem={onOpenItem} onOpenGallery={onOpenGallery} />;
      })}
    </>
  );
}
