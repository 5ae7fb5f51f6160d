/** Which run the Sphere view shows beside a run by default: the other kind of VAE on the same data. */
import type { RunSummary } from '../../../../shared/ipc';

export const LATENT_METHODS = new Set(['comp', 'vmf', 'vae', 'ae']);
const HYPERSPHERICAL = new Set(['comp', 'vmf']);

/** The natural run to show beside `run`: the other kind of VAE on the same dataset, newest first. */
export function defaultCompanion(run: RunSummary, runs: readonly RunSummary[]): string | null {
  const candidates = runs.filter((other) => other.runId !== run.runId && other.status === 'done' && LATENT_METHODS.has(other.method));
  const sameData = candidates.filter((other) => other.datasetId !== null && other.datasetId === run.datasetId);
  const otherKind = sameData.filter((other) => HYPERSPHERICAL.has(other.method) !== HYPERSPHERICAL.has(run.method));
  const preferred = otherKind.find((other) => other.method === (HYPERSPHERICAL.has(run.method) ? 'vae' : 'comp'));
  return (preferred ?? otherKind[0] ?? sameData[0] ?? null)?.runId ?? null;
}
