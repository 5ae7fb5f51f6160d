import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { row } from '../src/ml/matrix';
import { listImageFiles, loadImageFolder, loadNpyFeatures } from '../src/main/data/dataset';
import { DatasetFileError } from '../src/main/data/errors';
import { encodeNpy, writeNpyFile } from '../src/main/data/npy';
import { encodeFits, encodePng, encodeTiff } from './fixtures/data/image-encoders';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const galaxyZoo = path.resolve(repoRoot, '../shared/data/galaxyzoo1-64');
const navcam = path.resolve(repoRoot, '../shared/data/navcam-novelty');

const scratch = mkdtempSync(path.join(tmpdir(), 'polaris-dataset-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(file: string, bytes: Uint8Array | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

function flatPng(width: number, height: number, channels: 1 | 3, level: number): Uint8Array {
  return encodePng({ width, height, channels, bitDepth: 8, data: new Array<number>(width * height * channels).fill(level) });
}

/** A small RGB set: 4 good PNGs (one greyscale), one corrupt, plus files that must be ignored. */
function makeMixedFolder(name: string): string {
  const root = path.join(scratch, name);
  write(path.join(root, 'b.png'), flatPng(8, 8, 3, 20));
  write(path.join(root, 'a.png'), flatPng(8, 6, 3, 10));
  write(path.join(root, 'sub', 'c.png'), flatPng(4, 4, 3, 30));
  write(path.join(root, 'sub', 'grey.png'), flatPng(8, 8, 1, 40));
  const broken = flatPng(8, 8, 3, 50);
  write(path.join(root, 'broken.png'), broken.subarray(0, broken.length - 30));
  write(path.join(root, '.hidden.png'), flatPng(8, 8, 3, 99));
  write(path.join(root, '.cache', 'x.png'), flatPng(8, 8, 3, 99));
  write(path.join(root, 'notes.txt'), 'not an image');
  write(path.join(root, 'labels.csv'), 'file,label\na.png,normal\nsub/c.png,odd\nmissing.png,normal\n');
  return root;
}

describe('listImageFiles', () => {
  it('lists supported files sorted, skipping hidden entries and other files', async () => {
    const root = makeMixedFolder('listing');
    expect(await listImageFiles(root)).toEqual(['a.png', 'b.png', 'broken.png', 'sub/c.png', 'sub/grey.png']);
    expect(await listImageFiles(root, { recursive: false })).toEqual(['a.png', 'b.png', 'broken.png']);
    expect(await listImageFiles(root, { select: (file) => file.startsWith('sub/'), limit: 1 })).toEqual(['sub/c.png']);
  });
});

describe('loadImageFolder', () => {
  let root = '';
  beforeAll(() => {
    root = makeMixedFolder('mixed');
  });

  it("with 'skip' reports the corrupt file and loads the rest, replicating grey into RGB", async () => {
    const progress: [number, number][] = [];
    const dataset = await loadImageFolder(root, { size: 4, onProblem: 'skip', labelsCsv: 'labels.csv', onProgress: (done, total) => progress.push([done, total]) });
    expect(dataset.files).toEqual(['a.png', 'b.png', 'sub/c.png', 'sub/grey.png']);
    expect(dataset.problems).toEqual([{ file: 'broken.png', reason: 'truncated PNG (unexpected end of data)' }]);
    expect(dataset).toMatchObject({ size: 4, channels: 3, bitDepth: 8 });
    expect(dataset.pixels.rows).toBe(4);
    expect(dataset.pixels.cols).toBe(4 * 4 * 3);
    expect(Array.from(new Set(row(dataset.pixels, 0)))).toEqual([10]);
    expect(Array.from(new Set(row(dataset.pixels, 3)))).toEqual([40]);
    expect(dataset.labels).toEqual(['normal', null, 'odd', null]);
    expect(dataset.labelReport?.unmatchedKeys).toEqual(['missing.png']);
    expect(dataset.labelReport?.unlabelledFiles).toEqual(['b.png', 'sub/grey.png']);
    expect(dataset.formatCounts.png).toBe(4);
    expect(progress).toHaveLength(5);
    expect(progress.at(-1)).toEqual([5, 5]);
  });

  it("with 'stop' throws a DatasetFileError naming the corrupt file", async () => {
    const error = await loadImageFolder(root, { size: 4, onProblem: 'stop' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetFileError);
    expect((error as DatasetFileError).file).toBe('broken.png');
    expect((error as DatasetFileError).message).toMatch(/^broken\.png: truncated PNG/);
  });

  it('converts RGB to luminance for a 1-channel dataset and honours limit and select', async () => {
    const dataset = await loadImageFolder(root, { size: 2, channels: 1, onProblem: 'skip', select: (file) => file !== 'broken.png', limit: 2 });
    expect(dataset.files).toEqual(['a.png', 'b.png']);
    expect(dataset.channels).toBe(1);
    expect(dataset.pixels.data[0]).toBeCloseTo(10, 4); // 0.299·10 + 0.587·10 + 0.114·10
  });

  it('rejects files whose symlink leaves the dataset folder', async () => {
    const outside = path.join(scratch, 'outside');
    write(path.join(outside, 'secret.png'), flatPng(4, 4, 1, 1));
    const linked = path.join(scratch, 'linked');
    write(path.join(linked, 'ok.png'), flatPng(4, 4, 1, 2));
    symlinkSync(path.join(outside, 'secret.png'), path.join(linked, 'escape.png'));
    symlinkSync(path.join(linked, 'ok.png'), path.join(linked, 'alias.png'));
    const dataset = await loadImageFolder(linked, { size: 4, onProblem: 'skip' });
    expect(dataset.files).toEqual(['alias.png', 'ok.png']);
    expect(dataset.problems).toHaveLength(1);
    expect(dataset.problems[0]?.file).toBe('escape.png');
    expect(dataset.problems[0]?.reason).toMatch(/outside the dataset/);
    await expect(loadImageFolder(linked, { size: 4, onProblem: 'stop' })).rejects.toThrow(/^escape\.png: resolves to .*, outside the dataset$/);
  });

  it('reports band-count mismatches and takes the widest bit depth', async () => {
    const bands = path.join(scratch, 'bands');
    const sixBand = (level: number): Uint8Array =>
      encodeTiff({ width: 4, height: 4, samplesPerPixel: 6, bitsPerSample: 16, sampleFormat: 1, data: new Array<number>(96).fill(level) });
    write(path.join(bands, 'm1.tif'), sixBand(1000));
    write(path.join(bands, 'm2.tif'), sixBand(54321));
    write(path.join(bands, 'rgba.tif'), encodeTiff({ width: 4, height: 4, samplesPerPixel: 4, bitsPerSample: 8, sampleFormat: 1, data: new Array<number>(64).fill(5) }));
    write(path.join(bands, 'x.npy'), encodeNpy({ shape: [4, 4, 6], data: new Float32Array(96).fill(0.5) }));
    const dataset = await loadImageFolder(bands, { size: 2, onProblem: 'skip' });
    expect(dataset.channels).toBe(6);
    expect(dataset.files).toEqual(['m1.tif', 'm2.tif', 'x.npy']);
    expect(dataset.problems).toEqual([{ file: 'rgba.tif', reason: 'has 4 bands, dataset has 6' }]);
    expect(dataset.bitDepth).toBe(-32);
    expect(dataset.pixels.data[dataset.pixels.cols]).toBe(54321);
    expect(dataset.formatCounts).toEqual({ png: 0, jpeg: 0, tiff: 2, fits: 0, npy: 1 });
  });

  it('rejects NaN images and fails clearly when nothing is usable', async () => {
    const nan = path.join(scratch, 'nan');
    write(path.join(nan, 'a.fits'), encodeFits({ bitpix: -32, axes: [2, 2], stored: [1, NaN, 3, 4] }));
    await expect(loadImageFolder(nan, { size: 2, onProblem: 'skip' })).rejects.toThrow(/none of the 1 image files could be used \(first problem: a\.fits: 1 of 4 pixel values are undefined/);
    const empty = path.join(scratch, 'empty');
    mkdirSync(empty);
    await expect(loadImageFolder(empty, { size: 2, onProblem: 'skip' })).rejects.toThrow(/no supported image files found/);
    await expect(loadImageFolder(path.join(scratch, 'nope'), { size: 2, onProblem: 'skip' })).rejects.toThrow(/dataset folder not found/);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const loading = loadImageFolder(root, {
      size: 4,
      onProblem: 'skip',
      signal: controller.signal,
      concurrency: 1,
      onProgress: (done) => {
        if (done === 1) controller.abort();
      },
    });
    await expect(loading).rejects.toThrow(/abort/i);
  });
});

describe('loadNpyFeatures', () => {
  it('loads a 2-D array as a float32 matrix and rejects other shapes and non-finite values', () => {
    const good = path.join(scratch, 'features.npy');
    writeNpyFile(good, { shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 5, 6) });
    const matrix = loadNpyFeatures(good);
    expect(matrix).toMatchObject({ rows: 3, cols: 2 });
    expect(Array.from(matrix.data)).toEqual([1, 2, 3, 4, 5, 6]);

    const cube = path.join(scratch, 'cube.npy');
    writeNpyFile(cube, { shape: [1, 2, 2], data: new Float32Array(4) });
    expect(() => loadNpyFeatures(cube)).toThrow(/must be 2-D \(items × features\), got shape \(1, 2, 2\)/);

    const bad = path.join(scratch, 'nan.npy');
    writeNpyFile(bad, { shape: [2, 2], data: Float64Array.of(0, 1, NaN, 1e300) });
    expect(() => loadNpyFeatures(bad)).toThrow(/2 feature values are NaN or infinite .*first at row 1, column 0/);
  });
});

describe('real data', () => {
  const hasGalaxyZoo = existsSync(path.join(galaxyZoo, 'labels.csv'));
  const hasNavcam = existsSync(path.join(navcam, 'labels.csv'));
  if (!hasGalaxyZoo) console.warn(`skipping Galaxy Zoo test: ${galaxyZoo} is missing`);
  if (!hasNavcam) console.warn(`skipping Navcam test: ${navcam} is missing`);

  it.skipIf(!hasGalaxyZoo)('loads 200 Galaxy Zoo JPEGs at 32×32 with OBJID labels', async () => {
    const dataset = await loadImageFolder(galaxyZoo, { size: 32, onProblem: 'stop', labelsCsv: 'labels.csv', select: (file) => file.startsWith('images/'), limit: 200 });
    expect(dataset.files).toHaveLength(200);
    expect(dataset.channels).toBe(3);
    expect(dataset.bitDepth).toBe(8);
    expect(dataset.pixels.cols).toBe(32 * 32 * 3);
    expect(dataset.labelReport).toMatchObject({ keyColumn: 'OBJID', labelColumn: 'CLASS', unlabelledFiles: [] });
    for (const label of dataset.labels) expect(['0', '1', '2', '3', '4', '5']).toContain(label);
    expect(dataset.pixels.data.reduce((max, value) => Math.max(max, value), 0)).toBeLessThanOrEqual(255);
  });

  it.skipIf(!hasNavcam)('loads all 34 Navcam crops as one channel with 8 novel', async () => {
    const dataset = await loadImageFolder(navcam, { size: 64, onProblem: 'stop', labelsCsv: 'labels.csv' });
    expect(dataset.files).toHaveLength(34);
    expect(dataset.channels).toBe(1);
    expect(dataset.problems).toEqual([]);
    expect(dataset.labelReport?.labelColumn).toBe('novel');
    expect(dataset.labels.filter((label) => label === '1')).toHaveLength(8);
    expect(dataset.labels.filter((label) => label === '0')).toHaveLength(26);
  });
});
