/** The Compare view as an app view of the router; `?runs=a,b,c` names the runs (the first is the reference). */
import { formatRoute, navigate } from '../../app/router';
import type { AppViewProps } from '../../app/views';
import { openGalleryFiltered, openGalleryItem } from '../Insight/navigation';
import { CompareView } from './CompareView';

export function CompareRoute({ route }: AppViewProps) {
  const runIds = (route.query.get('runs') ?? '').split(',').filter((runId) => runId.length > 0);
  return (
    <CompareView
      runIds={runIds}
      onRunIdsChange={(next) => navigate(formatRoute('compare', [], { runs: next.join(',') }), { replace: true })}
      onOpenItem={openGalleryItem}
      onOpenGallery={openGalleryFiltered}
    />
  );
}
