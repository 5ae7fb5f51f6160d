/**
 * The views of the app, in navigation order. Adding a view (part 2: angle histograms, the 3-D
 * hypersphere, labelling, run comparison, score histograms) is one folder under views/ and one entry
 * here; the shell, the navigation and the router pick it up.
 */
import type { ComponentType } from 'react';
import type { Route } from './router';
import { DataView } from '../views/Data/DataView';
import { GalleryView } from '../views/Gallery/GalleryView';
import { MonitorView } from '../views/Monitor/MonitorView';
import { TrainView } from '../views/Train/TrainView';
import { AnglesRoute } from '../views/Angles/AnglesRoute';
import { CompareRoute } from '../views/Compare/CompareRoute';
import { ScoresRoute } from '../views/Scores/ScoresRoute';
import { SphereRoute } from '../views/Sphere/SphereRoute';

export interface AppViewProps {
  route: Route;
}

/** A view about one run gets that run's id as its first route parameter. */
export interface RunViewProps extends AppViewProps {
  runId: string;
}

interface ViewBase {
  id: string;
  /** The navigation label. */
  label: string;
  /** One line on what the view is for (tooltip, and the picker page of run views). */
  purpose: string;
}

export type ViewDefinition =
  | (ViewBase & { scope: 'app'; component: ComponentType<AppViewProps> })
  | (ViewBase & { scope: 'run'; component: ComponentType<RunViewProps> });

export const VIEWS: readonly ViewDefinition[] = [
  { id: 'data', label: 'Data', purpose: 'Import a folder of images and check what Polaris can read', scope: 'app', component: DataView },
  { id: 'train', label: 'Train', purpose: 'Choose a method and its settings, and start training', scope: 'app', component: TrainView },
  { id: 'monitor', label: 'Monitor', purpose: 'Watch the losses, speed and reconstructions of a run', scope: 'run', component: MonitorView },
  { id: 'gallery', label: 'Gallery', purpose: 'Browse every item of a run, most anomalous first', scope: 'run', component: GalleryView },
  // Part 2: see the hypersphere, label, and compare runs.
  { id: 'scores', label: 'Scores', purpose: 'See the scores with the labelled classes overlaid, pick a threshold, and the metrics from your labels', scope: 'run', component: ScoresRoute },
  { id: 'angles', label: 'Angles', purpose: 'See each hyperspherical angle over the items and how the island at the pole forms over epochs', scope: 'run', component: AnglesRoute },
  { id: 'sphere', label: 'Sphere', purpose: 'See the latent hypersphere in 3-D, beside another run', scope: 'run', component: SphereRoute },
  { id: 'compare', label: 'Compare', purpose: 'Compare runs: settings, metrics, ROC curves and their top-k items', scope: 'app', component: CompareRoute },
];

export const DEFAULT_VIEW_ID = 'data';

export function findView(id: string): ViewDefinition | undefined {
  return VIEWS.find((view) => view.id === id);
}
