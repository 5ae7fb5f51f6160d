/** The Angles view as a run view of the app's router. */
import type { RunViewProps } from '../../app/views';
import { openGalleryFiltered } from '../Insight/navigation';
import { AnglesView } from './AnglesView';

export function AnglesRoute({ runId }: RunViewProps) {
  return <AnglesView runId={runId} onOpenGallery={openGalleryFiltered} />;
}
