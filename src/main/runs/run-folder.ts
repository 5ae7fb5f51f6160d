/**
 * A run folder: everything `polaris train` produced, self-contained so that it can be copied from a
 * workstation or cluster node and imported into the app's database.
 *
 *   run.json          manifest: status, full config, backend, app version, dataset, normalization, timings
 *   items.csv         index,file,label,anomaly,split for every item of the dataset
 *   history.jsonl     one line per finished epoch: every loss term, images/s, β_eff, learning rate
 *   checkpoint.json   resume state (see checkpoint.ts), naming its checkpoint-<epoch>-<hash>.bin
 *   latents.npy       encoder means μ of every item (items × n, float32)
 *   scores.csv        index,file,score,rank,label,anomaly,split (k-NN distance to the training bank)
 *   metrics.json      AUROC, both FPR95s, AP, AUPR, P@n on the test split, when labels exist
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic';

export const RUN_FORMAT_VERSION = 1;
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runManifestSchema = z.object({
  formatVersion: z.literal(RUN_FORMAT_VERSION),
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(RUN_STATUSES),
  appVersion: z.string(),
  method: z.string(),
  /** The full resolved CompVaeConfig (every constant), as used. */
  config: z.record(z.string(), z.unknown()),
  backend: z.object({ choice: z.string(), name: z.string() }),
  dataset: z.object({
    kind: z.enum(['folder', 'demo']),
    path: z.string(),
    items: z.number().int().nonnegative(),
    size: z.number().int().positive(),
    channels: z.number().int().positive(),
    bitDepth: z.number(),
    labelsCsv: z.string().nullable(),
    anomalyClasses: z.array(z.string()),
    problems: z.array(z.object({ file: z.string(), reason: z.string() })),
    trainCount: z.number().int().nonnegative(),
    testCount: z.number().int().nonnegative(),
    testFraction: z.number(),
    balancedTest: z.boolean().optional(),
  }),
  normalization: z.unknown(),
  /** How the dataset was specified (see services/dataset-prep.ts), so a resume can reload it. */
  datasetSpec: z.unknown().optional(),
  timings: z.object({
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    trainSeconds: z.number(),
    epochsCompleted: z.number().int().nonnegative(),
  }),
  error: z.object({ name: z.string(), message: z.string() }).nullable(),
  metrics: z.record(z.string(), z.number()).nullable(),
});

export type RunManifest = z.infer<typeof runManifestSchema>;

export interface RunItem {
  index: number;
  file: string;
  label: string | null;
  /** 1 anomaly, 0 normal, null unknown (no labels or no anomaly classes). */
  anomaly: 0 | 1 | null;
  split: 'train' | 'test';
}

export class RunFolderError extends Error {
  override name = 'RunFolderError';
}

export const RUN_FILES = {
  manifest: 'run.json',
  items: 'items.csv',
  history: 'history.jsonl',
  latents: 'latents.npy',
  scores: 'scores.csv',
  metrics: 'metrics.json',
} as const;

export function ensureRunFolder(folder: string): void {
  mkdirSync(folder, { recursive: true });
}

export function writeManifest(folder: string, manifest: RunManifest): void {
  writeFileAtomic(join(folder, RUN_FILES.manifest), `${JSON.stringify({ ...manifest, updatedAt: new Date().toISOString() }, null, 2)}\n`);
}

export function readManifest(folder: string): RunManifest {
  const path = join(folder, RUN_FILES.manifest);
  if (!existsSync(path)) throw new RunFolderError(`${folder}: not a Polaris run folder (no ${RUN_FILES.manifest})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunFolderError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > RUN_FORMAT_VERSION) {
    throw new RunFolderError(`${path}: written by a newer Polaris (run format ${version}, this version reads ${RUN_FORMAT_VERSION}); update Polaris to open it`);
  }
  const parsed = runManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunFolderError(`${path}: invalid run manifest (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem'})`);
  }
  return parsed.data;
}

export function appendHistory(folder: string, entry: unknown): void {
  appendFileSync(join(folder, RUN_FILES.history), `${JSON.stringify(entry)}\n`);
}

/** Rewrites history.jsonl (used on resume, so a half-written epoch line of a killed run never survives). */
export function writeHistory(folder: string, entries: readonly unknown[]): void {
  writeFileAtomic(join(folder, RUN_FILES.history), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

export function readHistory(folder: string): unknown[] {
  const path = join(folder, RUN_FILES.history);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return []; // a line cut by a crash is dropped; the checkpoint holds the authoritative history
      }
    });
}

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function writeItems(folder: string, items: readonly RunItem[]): void {
  const lines = ['index,file,label,anomaly,split', ...items.map((i) => [i.index, csvField(i.file), csvField(i.label), i.anomaly === null ? '' : i.anomaly, i.split].join(','))];
  writeFileAtomic(join(folder, RUN_FILES.items), `${lines.join('\n')}\n`);
}

export interface ScoredItem extends RunItem {
  score: number;
  rank: number;
}

/** Ranks by descending score (rank 1 = most anomalous); ties keep item order. */
export function rankScores(scores: ArrayLike<number>): Int32Array {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const ranks = new Int32Array(scores.length);
  order.forEach((item, position) => (ranks[item] = position + 1));
  return ranks;
}

export function writeScores(folder: string, items: readonly ScoredItem[]): void {
  const lines = [
    'index,file,score,rank,label,anomaly,split',
    ...items.map((i) => [i.index, csvField(i.file), i.score, i.rank, csvField(i.label), i.anomaly === null ? '' : i.anomaly, i.split].join(',')),
  ];
  writeFileAtomic(join(folder, RUN_FILES.scores), `${lines.join('\n')}\n`);
}

export function writeMetrics(folder: string, metrics: Record<string, number>): void {
  writeFileAtomic(join(folder, RUN_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);
}
