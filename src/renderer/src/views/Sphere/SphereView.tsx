/**
 * The hypersphere in 3-D, as in the paper: every item's latent mean with its n coordinates averaged in
 * three groups and put on the unit sphere, coloured by score or by label. Two runs side by side — by
 * default this run and a run of the other kind on the same data (a standard VAE beside Comp.VAE) —
 * show the island Comp.VAE forms at the pole. Clicking a point opens the item.
 */
import { useMemo, useState } from 'react';
import { useInvoke } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { InsightHeader, runTitle, Segmented } from '../Insight/common';
import '../Insight/insight.css';
import { defaultCompanion, LATENT_METHODS } from './companion';
import { SpherePanel, type SphereColoring } from './SpherePanel';

export interface SphereViewProps {
  runId: string;
  /** The run shown beside this one, when the route names it. */
  companionRunId?: string | null;
  onCompanionChange?(runId: string | null): void;
  /** Opens one item of a run (its detail). */
  onOpenItem(runId: string, index: number): void;
}

const COLORING_OPTIONS = [
  { value: 'score', label: 'Score' },
  { value: 'label', label: 'Normal / anomalous' },
  { value: 'user-label', label: 'Your labels' },
] as const;

export function SphereView({ runId, companionRunId, onCompanionChange, onOpenItem }: SphereViewProps) {
  const { loadable: runsLoadable } = useInvoke('runs:list', [], 'runs');
  const [coloring, setColoring] = useState<SphereColoring>('score');
  const [chosenCompanion, setChosenCompanion] = useState<string | null | undefined>(companionRunId ?? undefined);
  const runs = useMemo(() => (runsLoadable.state === 'ready' ? runsLoadable.value : []), [runsLoadable]);
  const run = runs.find((entry) => entry.runId === runId) ?? null;
  const companion = chosenCompanion !== undefined ? chosenCompanion : run === null ? null : defaultCompanion(run, runs);
  const choices = runs.filter((entry) => entry.runId !== runId && entry.status === 'done' && LATENT_METHODS.has(entry.method));

  const chooseCompanion = (next: string | null): void => {
    setChosenCompanion(next);
    onCompanionChange?.(next);
  };

  if (runsLoadable.state === 'failed') return <div className="page narrow"><ErrorMessage error={runsLoadable.error} /></div>;

  return (
    <div className="page insight-page" data-testid="sphere-view">
      <InsightHeader
        title="The hypersphere in 3-D"
        subtitle="Each point is an item’s latent mean, its n coordinates averaged in three groups and put on the unit sphere (the paper’s view); the orange diamond is the north pole. Drag to turn, click a point to open the item."
      >
        <Segmented legend="Colour by" options={COLORING_OPTIONS} value={coloring} onChange={setColoring} testId="sphere-coloring" />
      </InsightHeader>
      <div className="sphere-pair">
        <SpherePanel runId={runId} heading={run === null ? 'This run' : runTitle(run)} coloring={coloring} onOpenItem={onOpenItem} testId="sphere-left" />
        <SpherePanel
          runId={companion}
          heading="Beside it"
          coloring={coloring}
          onOpenItem={onOpenItem}
          testId="sphere-right"
          runChoices={choices}
          onRunChange={chooseCompanion}
          emptyText="Train a standard VAE (or Comp.VAE) on the same data to see the two latent spaces side by side."
        />
      </div>
    </div>
  );
}
