/**
 * Datasets for the UI tests, written into a temp folder: rover-like terrain tiles with a few odd ones,
 * a 16-bit 4-band TIFF, a FITS frame, a corrupt file and a labels CSV; and a slice of the Galaxy Zoo
 * cutouts from ../shared/data when that folder is present.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeFits, encodePng, encodeTiff } from '../fixtures/data/image-encoders';

export const GALAXY_ZOO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'shared', 'data', 'galaxyzoo1-64');

/** A small deterministic generator, so every run writes the same images. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth value noise: random values on a coarse lattice, bilinearly interpolated. */
function valueNoise(size: number, cells: number, random: () => number): Float32Array {
  const lattice = Array.from({ length: (cells + 1) * (cells + 1) }, random);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const gx = (x / size) * cells;
      const gy = (y / size) * cells;
      const x0 = Math.floor(gx);
      const y0 = Math.floor(gy);
      const fx = gx - x0;
      const fy = gy - y0;
      const at = (i: number, j: number): number => lattice[j * (cells + 1) + i] as number;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

const TILE = 48;

/** Sandy terrain: two octaves of noise in a tan palette, with a little grain. */
function terrainTile(random: () => number): Uint8Array {
  const coarse = valueNoise(TILE, 3, random);
  const fine = valueNoise(TILE, 12, random);
  const rgb = new Uint8Array(TILE * TILE * 3);
  for (let i = 0; i < TILE * TILE; i++) {
    const level = 0.65 * (coarse[i] as number) + 0.35 * (fine[i] as number);
    rgb[i * 3] = Math.round(112 + 78 * level);
    rgb[i * 3 + 1] = Math.round(82 + 58 * level);
    rgb[i * 3 + 2] = Math.round(60 + 42 * level);
  }
  return rgb;
}

type Oddity = 'bright-streak' | 'blue-patch' | 'dark-crater' | 'stripes';

function oddTile(kind: Oddity, random: () => number): Uint8Array {
  const rgb = terrainTile(random);
  for (let y = 0; y < TILE; y++) {
    for (let x = 0; x < TILE; x++) {
      const i = (y * TILE + x) * 3;
      const dx = x - TILE / 2;
      const dy = y - TILE / 2;
      if (kind === 'bright-streak' && Math.abs(x - y) < 3) rgb.set([250, 250, 245], i);
      if (kind === 'blue-patch' && dx * dx + dy * dy < 120) rgb.set([60, 110, 210], i);
      if (kind === 'dark-crater' && dx * dx + dy * dy < 160) rgb.set([25, 20, 18], i);
      if (kind === 'stripes' && Math.floor(x / 4) % 2 === 0) rgb.set([40, 160, 70], i);
    }
  }
  return rgb;
}

export interface RoverDataset {
  folder: string;
  labelsCsv: string;
  /** Readable image files. */
  readable: number;
  corrupt: string;
}

/** 36 terrain tiles, 4 odd ones, a 16-bit 4-band TIFF, a FITS frame, a corrupt PNG and labels.csv. */
export function writeRoverDataset(folder: string): RoverDataset {
  mkdirSync(folder, { recursive: true });
  const random = mulberry32(7);
  const rows: string[] = ['file,label'];
  for (let i = 0; i < 36; i++) {
    const name = `tile-${String(i).padStart(3, '0')}.png`;
    writeFileSync(path.join(folder, name), encodePng({ width: TILE, height: TILE, channels: 3, bitDepth: 8, data: terrainTile(random) }));
    rows.push(`${name},terrain`);
  }
  const oddities: Oddity[] = ['bright-streak', 'blue-patch', 'dark-crater', 'stripes'];
  oddities.forEach((kind, i) => {
    const name = `tile-${String(36 + i).padStart(3, '0')}.png`;
    writeFileSync(path.join(folder, name), encodePng({ width: TILE, height: TILE, channels: 3, bitDepth: 8, data: oddTile(kind, random) }));
    rows.push(`${name},${kind}`);
  });

  // A 16-bit, 4-band frame (e.g. a multispectral camera): a bright gradient in band 4 only.
  const bands = 4;
  const tiff = new Uint16Array(TILE * TILE * bands);
  for (let p = 0; p < TILE * TILE; p++) {
    const x = p % TILE;
    for (let b = 0; b < bands; b++) tiff[p * bands + b] = Math.round(1200 + 9000 * b * (x / TILE) + 400 * random());
  }
  writeFileSync(path.join(folder, 'multispectral-16bit.tif'), encodeTiff({ width: TILE, height: TILE, samplesPerPixel: bands, bitsPerSample: 16, sampleFormat: 1, data: tiff }));
  rows.push('multispectral-16bit.tif,terrain');

  // A float FITS frame with a faint extended source around a bright core: what asinh is for.
  const fits = new Float32Array(TILE * TILE);
  for (let p = 0; p < TILE * TILE; p++) {
    const dx = (p % TILE) - 24;
    const dy = Math.floor(p / TILE) - 22;
    const r2 = dx * dx + dy * dy;
    fits[p] = 5 + 4000 * Math.exp(-r2 / 6) + 120 * Math.exp(-r2 / 120) + 3 * random();
  }
  writeFileSync(path.join(folder, 'faint-source.fits'), encodeFits({ bitpix: -32, axes: [TILE, TILE], stored: fits }));
  rows.push('faint-source.fits,terrain');

  // A download that stopped half-way: a real PNG cut after 60 bytes.
  const corrupt = 'broken-download.png';
  const whole = encodePng({ width: TILE, height: TILE, channels: 3, bitDepth: 8, data: terrainTile(random) });
  writeFileSync(path.join(folder, corrupt), whole.subarray(0, 60));
  rows.push(`${corrupt},terrain`);

  const labelsCsv = path.join(folder, 'labels.csv');
  writeFileSync(labelsCsv, `${rows.join('\n')}\n`);
  return { folder, labelsCsv, readable: 42, corrupt };
}

export interface GalaxySlice {
  folder: string;
  labelsCsv: string;
  count: number;
}

/**
 * Copies `normalCount` galaxies of classes 0–3 and up to `oddCount` of classes 4 (artefacts) and 5
 * (mergers) into `folder`, keeping the original layout (images/ and labels.csv). Null when the shared
 * data is not on this machine.
 */
export function writeGalaxySlice(folder: string, normalCount: number, oddCount: number): GalaxySlice | null {
  const labelsPath = path.join(GALAXY_ZOO_DIR, 'labels.csv');
  if (!existsSync(labelsPath)) return null;
  const [header, ...lines] = readFileSync(labelsPath, 'utf8').trim().split(/\r?\n/);
  const normal: string[] = [];
  const odd: string[] = [];
  for (const line of lines) {
    const label = line.split(',')[1];
    if ((label === '4' || label === '5') && odd.length < oddCount) odd.push(line);
    else if (label !== '4' && label !== '5' && normal.length < normalCount) normal.push(line);
  }
  const chosen = [...normal, ...odd];
  mkdirSync(path.join(folder, 'images'), { recursive: true });
  for (const line of chosen) {
    const id = line.split(',')[0] as string;
    copyFileSync(path.join(GALAXY_ZOO_DIR, 'images', `${id}.jpg`), path.join(folder, 'images', `${id}.jpg`));
  }
  const labelsCsv = path.join(folder, 'labels.csv');
  writeFileSync(labelsCsv, `${[header, ...chosen].join('\n')}\n`);
  return { folder, labelsCsv, count: chosen.length };
}

/**
 * `count` copies of one 256×256 PNG: big enough that importing takes a few seconds (every file is
 * hashed and decoded), so a test can cancel the import while it runs.
 */
export function writeLargeFolder(folder: string, count: number): void {
  mkdirSync(folder, { recursive: true });
  const random = mulberry32(11);
  const side = 256;
  const grey = valueNoise(side, 8, random);
  const png = encodePng({ width: side, height: side, channels: 1, bitDepth: 16, data: Array.from(grey, (value) => Math.round(value * 65535)) });
  const first = path.join(folder, 'frame-00000.png');
  writeFileSync(first, png);
  // Hard links: every name is read, hashed and decoded on import, but the disk holds the bytes once.
  for (let i = 1; i < count; i++) {
    const name = path.join(folder, `frame-${String(i).padStart(5, '0')}.png`);
    try {
      linkSync(first, name);
    } catch {
      writeFileSync(name, png);
    }
  }
}

/**
 * A finished run folder with `count` scored items (no images, no latents), as `polaris train` would
 * write it on a cluster node: for testing the gallery at scale through the real import and services.
 */
export function writeSyntheticRun(folder: string, count: number): { folder: string; id: string } {
  mkdirSync(folder, { recursive: true });
  const random = mulberry32(5);
  const scores = Array.from({ length: count }, () => random() * 10);
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const ranks = new Int32Array(count);
  order.forEach((item, position) => (ranks[item] = position + 1));
  const labels = ['dust', 'rock', 'sand', 'sky', 'track'];
  const items: string[] = ['index,file,label,anomaly,split'];
  const scored: string[] = ['index,file,score,rank,label,anomaly,split'];
  for (let i = 0; i < count; i++) {
    const file = `survey/frame-${String(i).padStart(6, '0')}.png`;
    const label = labels[i % labels.length] as string;
    const split = i % 5 === 0 ? 'test' : 'train';
    items.push(`${i},${file},${label},,${split}`);
    scored.push(`${i},${file},${scores[i]},${ranks[i]},${label},,${split}`);
  }
  writeFileSync(path.join(folder, 'items.csv'), `${items.join('\n')}\n`);
  writeFileSync(path.join(folder, 'scores.csv'), `${scored.join('\n')}\n`);
  const now = new Date().toISOString();
  const id = 'synthetic-survey-100k';
  const manifest = {
    formatVersion: 1,
    id,
    createdAt: now,
    updatedAt: now,
    status: 'done',
    appVersion: '0.1.0',
    method: 'comp',
    config: { method: 'comp', latentDim: 16, imageSize: 32, channels: 1, epochs: 1, knnK: 3, seed: 1 },
    backend: { choice: 'cpu', name: 'cpu' },
    dataset: {
      kind: 'folder',
      path: path.join(folder, 'data'),
      items: count,
      size: 32,
      channels: 1,
      bitDepth: 8,
      labelsCsv: null,
      anomalyClasses: [],
      problems: [],
      trainCount: count - Math.ceil(count / 5),
      testCount: Math.ceil(count / 5),
      testFraction: 0.2,
    },
    normalization: { kind: 'fixed', low: [0], high: [255] },
    timings: { startedAt: now, finishedAt: now, trainSeconds: 1, epochsCompleted: 1 },
    error: null,
    metrics: null,
  };
  writeFileSync(path.join(folder, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { folder, id };
}
