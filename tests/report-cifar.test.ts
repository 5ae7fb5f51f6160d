import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetFileError } from '../src/main/data/errors';
import { SUITES } from '../src/main/report/suites';
import { readTarArchive, tarMembers } from '../src/main/report/tar';

const dataRoot = resolve(__dirname, '../../shared/data');
const hasCifar = existsSync(resolve(dataRoot, 'cifar10-jpg.tar.gz'));
if (!hasCifar) console.warn(`skipping the cifar10-ood real-data test: ${dataRoot}/cifar10-jpg.tar.gz is missing`);

/** One tar header block (ustar) followed by the data padded to 512 bytes. */
function tarEntry(name: string, data: Uint8Array, type = '0', prefix = ''): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, offset: number) => header.set(Buffer.from(text, 'utf8'), offset);
  put(name, 0);
  put('0000644\0', 100);
  put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  put('00000000000\0', 136);
  put(type, 156);
  put('ustar\0', 257);
  put('00', 263);
  put(prefix, 345);
  put('        ', 148); // checksum: computed with its own field as spaces
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const out = new Uint8Array(512 + padded.length);
  out.set(header);
  out.set(padded, 512);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('tar reader', () => {
  const longName = `train/${'x'.repeat(120)}.jpg`;
  const archive = concat([
    tarEntry('train/', new Uint8Array(0), '5'),
    tarEntry('./train/cat/0001.jpg', bytes('first')),
    tarEntry('0002.jpg', bytes('second'), '0', 'test/dog'),
    tarEntry('././@LongLink', bytes(`${longName}\0`), 'L'),
    tarEntry('truncated-name', bytes('third')),
    tarEntry('PaxHeader', bytes(`28 path=test/truck/0003.jpg\n`), 'x'),
    tarEntry('short', bytes('fourth')),
    new Uint8Array(1024),
  ]);

  it('yields regular files with ustar prefixes, GNU long names and pax paths, skipping folders', () => {
    const members = [...tarMembers(archive, 'test.tar')];
    expect(members.map((m) => m.name)).toEqual(['train/cat/0001.jpg', 'test/dog/0002.jpg', longName, 'test/truck/0003.jpg']);
    expect(members.map((m) => Buffer.from(m.data).toString())).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('reads a gzipped archive from disk and reports a truncated one as a data error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polaris-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar.gz'), gzipSync(archive));
      expect((await readTarArchive(join(dir, 'a.tar.gz'))).map((m) => m.name)).toHaveLength(4);
      expect(() => [...tarMembers(archive.subarray(0, 512 + 512 + 3), 'cut.tar')]).toThrow(/runs past the end/); // inside a member's data
      expect(() => [...tarMembers(archive.subarray(0, 512 + 1024 + 100), 'cut.tar')]).toThrow(DatasetFileError); // inside a header
      await expect(readTarArchive(join(dir, 'missing.tar.gz'))).rejects.toThrow(/cannot read archive/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cifar10-ood settings', () => {
  const base = { ...SUITES['cifar10-ood'].defaults, seeds: 1, firstSeed: 100, models: [] };
  it('needs n > 10·(classes − 1) and known held-out classes', () => {
    expect(() => SUITES['cifar10-ood'].validate?.({ ...base, latentDim: 70 })).toThrow(/--latent > 70/);
    expect(() => SUITES['cifar10-ood'].validate?.({ ...base, latentDim: 71 })).not.toThrow();
    expect(() => SUITES['cifar10-ood'].validate?.({ ...base, heldOutClasses: ['unicorn'] })).toThrow(/unknown CIFAR-10 class unicorn/);
    expect(SUITES['cifar10-ood'].configExtras(base)).toEqual({ classConditioned: true, horizontalFlip: true });
  });
});

describe.skipIf(!hasCifar)('cifar10-ood suite on ../shared/data/cifar10-jpg.tar.gz', () => {
  it('draws class-conditioned ID training images, held-out classes as near-OOD and MNIST as RGB far-OOD', async () => {
    const settings = { ...SUITES['cifar10-ood'].defaults, seeds: 1, firstSeed: 100, models: [], trainLimit: 16, testLimit: 8 };
    const loaded = await SUITES['cifar10-ood'].load(dataRoot, settings);
    const seed = await loaded.seedData(100);
    expect(seed.counts).toEqual({ 'training images (ID)': 16, 'test ID': 8, 'test near-OOD': 8, 'test far-OOD': 8 });
    expect([...(seed.trainClasses ?? [])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]);
    expect(seed.train.cols).toBe(32 * 32 * 3);
    expect(seed.testIds.slice(8, 16).every((id) => /^test\/(dog|truck)\//.test(id))).toBe(true);
    expect(seed.testIds.slice(16).every((id) => id.startsWith('mnist/'))).toBe(true);
    const [near, far] = seed.evaluations;
    expect(near?.members).toEqual([...Array.from({ length: 8 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 8 + i)]);
    expect([...(near?.labels ?? [])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(far?.members.slice(8)).toEqual(Array.from({ length: 8 }, (_, i) => 16 + i));
    // Far-OOD digits: grey repeated into R, G, B; all pixels in [0, 1].
    const digitRow = seed.test.data.subarray(16 * seed.test.cols, 17 * seed.test.cols);
    for (let p = 0; p < digitRow.length; p += 3) expect(digitRow[p] === digitRow[p + 1] && digitRow[p] === digitRow[p + 2]).toBe(true);
    expect(Math.max(...digitRow)).toBeGreaterThan(0.5);
    expect(seed.test.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
