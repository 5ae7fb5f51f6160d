import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFile } from '../src/main/data/npy';
import { checkpointBinaryPath, CheckpointError, readCheckpoint } from '../src/main/runs/checkpoint';
import { readLatentSnapshots } from '../src/main/runs/latent-snapshots';
import { readManifest } from '../src/main/runs/run-folder';
import { scoreData } from '../src/main/services/scoring';
import { runTrainJob } from '../src/main/services/train-job';
import { useTestBackend } from './helpers/backend';

const repoRoot = resolve(__dirname, '..');
const galaxyZoo = resolve(repoRoot, '../shared/data/galaxyzoo1-64');
const referenceScores = resolve(repoRoot, '../shared/data/reference/compvae-cifar10-vs-cifar100-scores.npz');
const hasGalaxyZoo = existsSync(join(galaxyZoo, 'labels.csv'));
const hasReference = existsSync(referenceScores);
if (!hasGalaxyZoo) console.warn(`skipping Galaxy Zoo end-to-end tests: ${galaxyZoo} is missing`);
if (!hasReference) console.warn(`skipping reference-score CLI test: ${referenceScores} is missing`);

function polaris(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/polaris.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('polaris CLI', () => {
  it('metrics --json on the authors\' archived scores gives AUROC 0.8954305, fpr95 0.2323, fpr95_id 0.7618', () => {
    if (!hasReference) return;
    const { status, stdout } = polaris(['metrics', referenceScores, '--json']);
    expect(status).toBe(0);
    const metrics = JSON.parse(stdout) as Record<string, number>;
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['auroc', 'fpr95', 'fpr95_id', 'ap', 'aupr', 'precision_at_n']));
    expect(metrics.auroc).toBeCloseTo(0.8954305, 6);
    expect(metrics.fpr95).toBeCloseTo(0.2323, 4);
    expect(metrics.fpr95_id).toBeCloseTo(0.7618, 4);
  });

  it('metrics reads a score,label CSV and rejects bad input with an actionable message and exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polaris-cli-'));
    try {
      writeFileSync(join(dir, 's.csv'), 'file,score,label\na,0.9,1\nb,0.1,0\nc,0.5,0\nd,0.7,1\n');
      const ok = polaris(['metrics', join(dir, 's.csv'), '--json']);
      expect(ok.status).toBe(0);
      expect((JSON.parse(ok.stdout) as { auroc: number }).auroc).toBe(1);
      writeFileSync(join(dir, 'bad.csv'), 'score,label\n0.9,1\nNaN?,0\n');
      const bad = polaris(['metrics', join(dir, 'bad.csv')]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/bad\.csv: row 3 has score "NaN\?"/);
      writeFileSync(join(dir, 'x.parquet'), '');
      expect(polaris(['metrics', join(dir, 'x.parquet')]).stderr).toMatch(/unknown format/);
      expect(polaris(['nonsense']).status).toBe(2);
      expect(polaris(['train', '--epochs', 'ten', 'demo']).stderr).toMatch(/--epochs expects an integer/);
      expect(polaris(['score', '--help']).stdout).toMatch(/--method knn\|knn-star\|iforest\|mse/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasGalaxyZoo)('end to end on a slice of galaxyzoo1-64: train, checkpoint, score', () => {
  let work: string;
  let runDir: string;
  beforeAll(async () => {
    await useTestBackend();
    work = mkdtempSync(join(tmpdir(), 'polaris-e2e-'));
    runDir = join(work, 'run');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('trains Comp.VAE on normal galaxies and writes a complete run folder', async () => {
    const epochs: number[] = [];
    const result = await runTrainJob({
      dataset: {
        kind: 'folder',
        path: galaxyZoo,
        labelsCsv: join(galaxyZoo, 'labels.csv'),
        anomalyClasses: ['4', '5'],
        onProblem: 'stop',
        limit: 160,
      },
      runDir,
      overrides: { imageSize: 32, latentDim: 16, epochs: 2, batchSize: 32, seed: 5 },
      balancedTest: true,
      callbacks: { onEpochEnd: (log) => void epochs.push(log.epoch) },
    });
    expect(result.status).toBe('done');
    expect(epochs).toEqual([0, 1]);
    const manifest = readManifest(runDir);
    expect(manifest.config.method).toBe('comp');
    expect(manifest.config.channels).toBe(3);
    expect(manifest.backend.name).toBeTruthy();
    expect(manifest.dataset.items).toBe(160);
    expect(manifest.timings.epochsCompleted).toBe(2);
    const latents = readNpyFile(join(runDir, 'latents.npy'));
    expect(latents.shape).toEqual([160, 16]);
    const scores = readFileSync(join(runDir, 'scores.csv'), 'utf8').trim().split('\n');
    expect(scores[0]).toBe('index,file,score,rank,label,anomaly,split');
    expect(scores).toHaveLength(161);
    const ranks = scores.slice(1).map((line) => Number(line.split(',')[3])).sort((a, b) => a - b);
    expect(ranks).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
    // Every anomaly is in the test split (trained on normal items only).
    for (const line of scores.slice(1)) {
      const [, , , , , anomaly, split] = line.split(',');
      if (anomaly === '1') expect(split).toBe('test');
    }
    expect(manifest.metrics?.auroc).toBeGreaterThan(0);
    expect(readCheckpoint(runDir).nextEpoch).toBe(2);
    const snapshots = readLatentSnapshots(runDir);
    expect(snapshots?.epochs).toEqual([0, 1]);
    expect(snapshots?.items).toHaveLength(160);
    expect(snapshots?.read(1).cols).toBe(16);
  });

  it('scores new images with the run\'s model (k-NN on latent means and reconstruction MSE)', async () => {
    const normal = join(work, 'normal');
    const query = join(work, 'query');
    mkdirSync(normal);
    mkdirSync(query);
    const labels = readFileSync(join(galaxyZoo, 'labels.csv'), 'utf8').trim().split('\n').slice(1, 40);
    labels.slice(0, 30).forEach((line) => copyFileSync(join(galaxyZoo, 'images', `${line.split(',')[0]}.jpg`), join(normal, `${line.split(',')[0]}.jpg`)));
    labels.slice(30).forEach((line) => copyFileSync(join(galaxyZoo, 'images', `${line.split(',')[0]}.jpg`), join(query, `${line.split(',')[0]}.jpg`)));
    writeFileSync(join(query, 'broken.png'), 'not a png');
    const knn = await scoreData({ method: 'knn', fit: normal, input: query, runDir });
    expect(knn.files).toHaveLength(9);
    expect(knn.problems).toEqual([{ file: 'broken.png', reason: expect.stringMatching(/PNG|png/) }]);
    expect(Array.from(knn.scores).every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
    const mse = await scoreData({ method: 'mse', fit: normal, input: query, runDir });
    expect(Array.from(mse.scores).every((s) => s > 0)).toBe(true);
    const pixels = await scoreData({ method: 'iforest', fit: normal, input: query, size: 32 });
    expect(pixels.featureSpace).toBe('pixels');
    await expect(scoreData({ method: 'knn', fit: normal, input: query, runDir, onProblem: 'stop' })).rejects.toThrow(/broken\.png/);
  });

  it('refuses a corrupt checkpoint, naming the file', () => {
    const copy = join(work, 'corrupt');
    mkdirSync(copy);
    const binary = basename(checkpointBinaryPath(runDir) ?? '');
    expect(binary).toMatch(/^checkpoint-2-[0-9a-f]{16}\.bin$/);
    expect(readdirSync(runDir).filter((f) => f.endsWith('.bin'))).toEqual([binary]); // older binaries removed
    for (const file of ['run.json', 'checkpoint.json', binary]) copyFileSync(join(runDir, file), join(copy, file));
    const bytes = readFileSync(join(copy, binary));
    writeFileSync(join(copy, binary), bytes.subarray(0, bytes.length - 100));
    expect(() => readCheckpoint(copy)).toThrow(CheckpointError);
    expect(() => readCheckpoint(copy)).toThrow(/checkpoint-2-[0-9a-f]+\.bin: has \d+ bytes/);
  });

  it('polaris score writes index,file,score,rank', () => {
    const out = join(work, 'scores.csv');
    const { status, stderr } = polaris(['score', '--method', 'knn', '--fit', join(work, 'normal'), '--input', join(work, 'query'), '--out', out, '--run', runDir]);
    expect(stderr).toMatch(/scored 9 item/);
    expect(status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,file,score,rank');
    expect(lines).toHaveLength(10);
  });
});

describe('polaris train --resume without a run', () => {
  it('says what is missing', () => {
    const { status, stderr } = polaris(['train', '--resume']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/--resume needs --out/);
  });
  it('bin is runnable with node', () => {
    expect(execFileSync(process.execPath, [join(repoRoot, 'bin/polaris.js'), '--help'], { encoding: 'utf8' })).toMatch(/polaris/);
  });
});
