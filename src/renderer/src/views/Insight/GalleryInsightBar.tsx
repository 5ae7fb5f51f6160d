/**
 * The gallery's insight bar: the filter it shows (with the way back to every item), the run's score
 * threshold and how many items it flags, the label buttons for the active item (keys a, n, i), and
 * the run's metrics from the labels so far.
 */
import type { RunItem } from '../../../../shared/ipc';
import { LabelControls, LabellingStatus, LabelMetricsLine } from '../../components/LabelControls';
import { formatCount, formatNumber } from '../../lib/format';
import type { GalleryInsight } from './useGalleryInsight';
import './insight.css';

export function GalleryInsightBar({ runId, insight, target }: { runId: string; insight: GalleryInsight; target: RunItem | null }) {
  const { labelling } = insight;
  return (
    <div className="gallery-insight-bar" data-testid="gallery-insight-bar">
      <div className="gallery-insight-row">
        {insight.filter !== null && (
          <span className="filter-chip" data-testid="gallery-filter">
            <span>
              <strong>Filtered:</strong> {insight.filterDescription ?? '…'}
            </span>
            <a className="button ghost small" href={insight.clearFilterHref}>
              Show every item
            </a>
          </span>
        )}
        {insight.threshold !== null && (
          <span className="threshold-chip" data-testid="gallery-threshold" title="Set in the Scores view: items scoring at or above it are flagged (orange bar on the tile)">
            Threshold <strong>{formatNumber(insight.threshold)}</strong>
            {insight.flaggedCount !== null && (insight.flaggedCount > 0 ? ` · ${formatCount(insight.flaggedCount)} flagged (ranks 1–${formatCount(insight.flaggedCount)})` : ' · no item flagged')}
          </span>
        )}
        {target !== null && (
          <span className="gallery-label-target">
            <span className="muted small" title={target.file}>
              #{target.rank ?? '—'}
            </span>
            <LabelControls
              value={labelling.labelOf(target.file, target.userLabel)}
              onChange={(label) => void labelling.setLabel(target.file, label, target.userLabel)}
              disabledReason={labelling.disabledReason}
              testId="gallery-labels"
            />
          </span>
        )}
      </div>
      <LabelMetricsLine runId={runId} version={labelling.version} />
      <LabellingStatus labelling={labelling} />
    </div>
  );
}
