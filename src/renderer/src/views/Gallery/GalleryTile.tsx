import { memo } from 'react';
import type { RunItem } from '../../../../shared/ipc';
import { baseName, formatNumber } from '../../lib/format';
import { useThumbnail, type ThumbnailCache } from '../../lib/thumbnail-cache';
import { UserLabelChip } from '../../components/LabelControls';

/** One gallery tile: the image, rank and score, label and file name. Placeholder while its page loads. */
export const GalleryTile = memo(function GalleryTile({
  item,
  position,
  thumbnails,
  userLabel = null,
  aboveThreshold = false,
}: {
  item: RunItem | undefined;
  position: number;
  thumbnails: ThumbnailCache | null;
  /** The user's label as set in this view (the item's own may be older). */
  userLabel?: string | null;
  /** Flagged by the run's score threshold (Scores view). */
  aboveThreshold?: boolean;
}) {
  const thumbnail = useThumbnail(thumbnails, item?.file ?? null);
  if (item === undefined) {
    return (
      <div className="tile loading" aria-hidden="true">
        <div className="tile-image" />
        <div className="tile-meta">
          <span className="tile-rank">#{position + 1}</span>
        </div>
      </div>
    );
  }
  return (
    <div
      className={`tile${item.anomaly === 1 ? ' known-anomaly' : ''}${aboveThreshold ? ' above-threshold' : ''}`}
      data-rank={item.rank ?? undefined}
      data-index={item.index}
      data-user-label={userLabel ?? undefined}
      title={aboveThreshold ? 'At or above the run’s score threshold' : undefined}
    >
      <div className="tile-image">
        {thumbnail?.src ? (
          <img src={thumbnail.src} alt="" draggable={false} />
        ) : (
          <span className="tile-placeholder">{thumbnail === undefined ? '' : 'no image'}</span>
        )}
        {item.anomaly === 1 && <span className="tile-flag" title="Labelled as an anomaly in the labels file">known anomaly</span>}
        {item.label !== null && <span className="tile-label">{item.label}</span>}
        <UserLabelChip label={userLabel} />
      </div>
      <div className="tile-meta">
        <span className="tile-rank" data-testid="tile-rank">
          #{item.rank ?? '—'}
        </span>
        <span className="tile-score" title="Anomaly score: mean latent distance to the k nearest normal items">
          {formatNumber(item.score)}
        </span>
      </div>
      <div className="tile-caption">
        <span className="tile-file" title={item.file}>
          {baseName(item.file)}
        </span>
      </div>
    </div>
  );
});
