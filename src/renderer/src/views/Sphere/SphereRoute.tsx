/** The Sphere view as a run view of the app's router; `?beside=<run>` names the second run. */
import { formatRoute, navigate } from '../../app/router';
import type { RunViewProps } from '../../app/views';
import { openGalleryItem } from '../Insight/navigation';
import { SphereView } from './SphereView';

export function SphereRoute({ runId, route }: RunViewProps) {
  const beside = route.query.get('beside');
  return (
    <SphereView
      runId={runId}
      companionRunId={beside === null ? undefined : beside === '' ? null : beside}
      onCompanionChange={(next) => navigate(formatRoute('sphere', [runId], { beside: next ?? '' }), { replace: true })}
      onOpenItem={openGalleryItem}
    />
  );
}
