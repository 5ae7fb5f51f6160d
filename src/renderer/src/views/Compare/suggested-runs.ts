/** The runs the Compare view starts with when the route names none. */
import type { RunSummary } from '../../../../shared/ipc';

/** The newest finished run and the finished runs on its dataset: the comparison most people want first. */
export function suggestedRuns(runs: readonly RunSummary[]): string[] {
  const done = runs.filter((run) => run.status === 'done');
  const newest = done[0];
  if (newest === undefined) return [];
  const sameData = done.filter((run) => run.datasetId !== null && run.datasetId === newest.datasetId);
  return (sameData.length >= 2 ? sameData : done).slice(0, 3).map((run) => run.runId);
}
