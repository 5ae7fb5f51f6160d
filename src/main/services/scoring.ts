/**
 * Scoring new data: with a trained run (its model encodes the images to latent means, or
 * reconstructs them for the MSE score) or directly in pixel / feature space.
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { initBackend } from '../../ml/backend';
import { type CompVaeConfig, resolveConfig } from '../../ml/config';
import { createDetector, type DetectorName, ReconstructionDetector } from '../../ml/detectors';
import type { Matrix } from '../../ml/matrix';
import { CompVaeTrainer } from '../../ml/train';
import { loadImageFolder, loadNpyFeatures } from '../data/dataset';
import { applyNormalization, fitNormalization, parseNormalization, type Normalization } from '../data/normalization';
import { readCheckpoint } from '../runs/checkpoint';
import { readManifest } from '../runs/run-folder';

export type ScoreMethod = DetectorName | 'mse';
export const SCORE_METHODS: readonly ScoreMethod[] = ['knn', 'knn-star', 'iforest', 'mse'];

export interface ScoreSource {
  path: string;
  /** Item names (relative files for folders, row numbers for feature matrices). */
  files: string[] | null;
}

export interface ScoreOptions {
  method: ScoreMethod;
  fit: string;
  input: string;
  runDir?: string;
  k?: number;
  trees?: number;
  seed?: number;
  /** Input side for pixel-space scoring of image folders (default 32). */
  size?: number;
  onProblem?: 'skip' | 'stop';
}

export interface ScoreResult {
  scores: Float64Array;
  files: string[];
  problems: { file: string; reason: string }[];
  featureSpace: string;
}

interface LoadedItems {
  matrix: Matrix;
  files: string[];
  problems: { file: string; reason: string }[];
  bitDepth: number;
  channels: number;
}

function isFeatureFile(path: string): boolean {
  return extname(path).toLowerCase() === '.npy' && existsSync(path) && statSync(path).isFile();
}

async function loadItems(path: string, size: number, channels: number | undefined, onProblem: 'skip' | 'stop'): Promise<LoadedItems> {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
  if (isFeatureFile(path)) {
    const matrix = loadNpyFeatures(path);
    return { matrix, files: Array.from({ length: matrix.rows }, (_, i) => `row ${i}`), problems: [], bitDepth: -32, channels: 1 };
  }
  if (!statSync(path).isDirectory()) throw new Error(`${path}: give an image folder or a 2-D .npy feature matrix`);
  const loaded = await loadImageFolder(path, { size, channels, onProblem });
  if (loaded.files.length === 0) throw new Error(`${path}: no readable images`);
  return { matrix: loaded.pixels, files: loaded.files, problems: loaded.problems, bitDepth: loaded.bitDepth, channels: loaded.channels };
}

export async function scoreData(options: ScoreOptions): Promise<ScoreResult> {
  await initBackend();
  const onProblem = options.onProblem ?? 'skip';
  if (options.method === 'mse' && !options.runDir) throw new Error('--method mse scores reconstruction error and needs a trained model: add --run <run folder>');
  if (options.runDir) return scoreWithRun(options, onProblem);
  const size = options.size ?? 32;
  const fit = await loadItems(options.fit, size, undefined, onProblem);
  const input = await loadItems(options.input, size, fit.channels, onProblem);
  let fitMatrix = fit.matrix;
  let inputMatrix = input.matrix;
  if (!isFeatureFile(options.fit)) {
    // Pixel space: the normalization fitted on the normal data applies to both.
    const normalization = fitNormalization(fit.matrix, { channels: fit.channels, bitDepth: fit.bitDepth });
    fitMatrix = applyNormalization(fit.matrix, normalization);
    inputMatrix = applyNormalization(input.matrix, normalization);
  }
  const detector = createDetector(options.method as DetectorName, detectorOptions(options));
  await detector.fit(fitMatrix);
  const scores = await detector.score(inputMatrix);
  return { scores, files: input.files, problems: [...fit.problems, ...input.problems], featureSpace: isFeatureFile(options.fit) ? 'features' : 'pixels' };
}

function detectorOptions(options: ScoreOptions): Record<string, number> {
  if (options.method === 'iforest') return { seed: options.seed ?? 0, ...(options.trees ? { trees: options.trees } : {}) };
  return options.k !== undefined ? { k: options.k } : {};
}

async function scoreWithRun(options: ScoreOptions, onProblem: 'skip' | 'stop'): Promise<ScoreResult> {
  const runDir = options.runDir as string;
  const manifest = readManifest(runDir);
  const config: CompVaeConfig = resolveConfig(manifest.config as Partial<CompVaeConfig>);
  const normalization: Normalization = parseNormalization(manifest.normalization);
  const trainer = new CompVaeTrainer(config);
  try {
    trainer.importState(readCheckpoint(runDir));
    const prepare = async (path: string) => {
      if (isFeatureFile(path)) throw new Error(`${path}: with --run, give image folders (the model encodes images, not feature matrices)`);
      const items = await loadItems(path, config.imageSize, config.channels, onProblem);
      if (items.channels !== config.channels) throw new Error(`${path}: images have ${items.channels} channel(s), the run's model expects ${config.channels}`);
      return { ...items, matrix: applyNormalization(items.matrix, normalization) };
    };
    const fit = await prepare(options.fit);
    const input = await prepare(options.input);
    let scores: Float64Array;
    if (options.method === 'mse') {
      const detector = new ReconstructionDetector(async (items) => trainer.reconstruct(items), 'mse');
      await detector.fit(fit.matrix);
      scores = await detector.score(input.matrix);
    } else {
      const detector = createDetector(options.method, detectorOptions(options));
      await detector.fit(trainer.encode(fit.matrix).mu);
      scores = await detector.score(trainer.encode(input.matrix).mu);
    }
    return { scores, files: input.files, problems: [...fit.problems, ...input.problems], featureSpace: `latent means of ${manifest.method} run ${manifest.id}` };
  } finally {
    trainer.dispose();
  }
}
