/** The Scores view as a run view of the app's router. */
import type { RunViewProps } from '../../app/views';
import { openGallery, openGalleryFiltered } from '../Insight/navigation';
import { ScoresView } from './ScoresView';

export function ScoresRoute({ runId }: RunViewProps) {
  return <ScoresView runId={runId} onOpenGallery={openGalleryFiltered} onShowGallery={openGallery} />;
}
