import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFileError } from '../src/main/data/errors';
import { encodeNpy, encodeNpz, parseNpy, parseNpz, readNpyFile, readNpzFile, writeNpyFile, writeNpzFile } from '../src/main/data/npy';
import { buildStoredZip } from '../src/main/data/zip';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures', 'data');
const repoRoot = path.resolve(here, '..');
const referenceNpz = path.resolve(repoRoot, '../shared/data/reference/compvae-cifar10-vs-cifar100-scores.npz');

interface ExpectedArray {
  dtype: string;
  shape: number[];
  values: number[];
}
const manifest = JSON.parse(readFileSync(path.join(fixtures, 'manifest.json'), 'utf8')) as Record<string, ExpectedArray | Record<string, ExpectedArray>>;
const npyNames = Object.keys(manifest).filter((name) => name.endsWith('.npy'));

const scratch = mkdtempSync(path.join(tmpdir(), 'polaris-npy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function expectDatasetError(action: () => unknown, file: string, reason: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFileError);
    const datasetError = error as DatasetFileError;
    expect(datasetError.file).toBe(file);
    expect(datasetError.reason).toMatch(reason);
    expect(datasetError.message).toBe(`${file}: ${datasetError.reason}`);
    return;
  }
  throw new Error(`expected a DatasetFileError matching ${reason}`);
}

describe('parseNpy on NumPy-written fixtures', () => {
  it.each(npyNames)('%s decodes to the values NumPy wrote', (name) => {
    const expected = manifest[name] as ExpectedArray;
    const array = readNpyFile(path.join(fixtures, name));
    expect(array.dtype).toBe(expected.dtype);
    expect(array.shape).toEqual(expected.shape);
    expect(Array.from(array.data)).toEqual(expected.values.map((v) => (expected.dtype === 'float32' ? Math.fround(v) : v)));
  });

  it('keeps int64 as Float64Array and 16-bit values exact', () => {
    expect(readNpyFile(path.join(fixtures, 'i8.npy')).data).toBeInstanceOf(Float64Array);
    expect(readNpyFile(path.join(fixtures, 'u2.npy')).data).toBeInstanceOf(Uint16Array);
    expect(readNpyFile(path.join(fixtures, 'f8-be-3d.npy')).data).toBeInstanceOf(Float64Array);
  });

  it('rejects fortran-ordered arrays with a clear reason', () => {
    const file = path.join(fixtures, 'fortran.npy');
    expectDatasetError(() => readNpyFile(file), file, /fortran_order/);
  });
});

describe('parseNpy errors', () => {
  const good = encodeNpy({ shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });

  it('names a truncated header', () => {
    expectDatasetError(() => parseNpy(good.subarray(0, 8), 'a.npy'), 'a.npy', /truncated \.npy header/);
    expectDatasetError(() => parseNpy(good.subarray(0, 40), 'a.npy'), 'a.npy', /truncated \.npy header/);
  });

  it('names truncated data and extra data', () => {
    expectDatasetError(() => parseNpy(good.subarray(0, good.length - 4), 'b.npy'), 'b.npy', /truncated \.npy data.*needs 24 bytes, file has 20/);
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expectDatasetError(() => parseNpy(longer, 'b.npy'), 'b.npy', /data length mismatch/);
  });

  it('names a bad magic and an unknown dtype', () => {
    expectDatasetError(() => parseNpy(new TextEncoder().encode('hello world, not numpy'), 'c.npy'), 'c.npy', /not a \.npy file/);
    const complex = Uint8Array.from(good);
    const headerText = new TextDecoder('latin1').decode(complex.subarray(10, 74));
    const patched = headerText.replace("'<f4'", "'<c8'");
    complex.set(new TextEncoder().encode(patched), 10);
    expectDatasetError(() => parseNpy(complex, 'd.npy'), 'd.npy', /unknown or unsupported \.npy dtype '<c8'/);
  });

  it('names a missing file', () => {
    const missing = path.join(scratch, 'missing.npy');
    expectDatasetError(() => readNpyFile(missing), missing, /cannot read file/);
  });
});

describe('encodeNpy round trip', () => {
  it.each([
    ['float32', new Float32Array([1.5, -2.25, 3, 4, 5, 6])],
    ['float64', new Float64Array([Math.PI, -1e300, 0, 1, 2, 3])],
    ['int32', new Int32Array([-7, 0, 7, 2147483647, -2147483648, 1])],
    ['uint8', new Uint8Array([0, 1, 2, 253, 254, 255])],
    ['uint16', new Uint16Array([0, 54321, 65535, 1, 2, 3])],
  ] as const)('%s survives encode → parse with its shape', (dtype, data) => {
    const bytes = encodeNpy({ shape: [3, 2], data });
    expect((bytes.length - data.byteLength) % 64).toBe(0); // data starts on a 64-byte boundary, as NumPy writes it
    const parsed = parseNpy(bytes);
    expect(parsed.dtype).toBe(dtype);
    expect(parsed.shape).toEqual([3, 2]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => encodeNpy({ shape: [4, 2], data: new Float32Array(6) })).toThrow(/needs 8 values/);
  });

  it('writes and reads files', () => {
    const file = path.join(scratch, 'roundtrip.npy');
    writeNpyFile(file, { shape: [2, 2, 2], data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]) });
    expect(readNpyFile(file)).toEqual({ dtype: 'float32', shape: [2, 2, 2], data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]) });
  });
});

describe('npz', () => {
  it.each(['compressed.npz', 'stored.npz'])('%s (written by NumPy) decodes every member', (name) => {
    const expected = manifest[name] as Record<string, ExpectedArray>;
    const arrays = readNpzFile(path.join(fixtures, name));
    expect(Object.keys(arrays).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, want] of Object.entries(expected)) {
      expect(arrays[key]?.dtype).toBe(want.dtype);
      expect(arrays[key]?.shape).toEqual(want.shape);
      expect(Array.from(arrays[key]?.data ?? [])).toEqual(want.values);
    }
  });

  it('round-trips through writeNpzFile', () => {
    const file = path.join(scratch, 'pair.npz');
    writeNpzFile(file, { scores: { shape: [3], data: new Float64Array([0.1, 0.2, 0.3]) }, labels: { shape: [3], data: new Int32Array([0, 1, 0]) } });
    const arrays = readNpzFile(file);
    expect(Array.from(arrays.scores?.data ?? [])).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(arrays.labels?.data ?? [])).toEqual([0, 1, 0]);
  });

  it('names truncated and corrupt archives', () => {
    const bytes = readFileSync(path.join(fixtures, 'compressed.npz'));
    expectDatasetError(() => parseNpz(bytes.subarray(0, bytes.length - 30), 'x.npz'), 'x.npz', /not a zip archive, or truncated/);
    expectDatasetError(() => parseNpz(bytes.subarray(0, 10), 'x.npz'), 'x.npz', /not a zip archive/);
    const corrupt = Uint8Array.from(bytes);
    corrupt[100] = (corrupt[100] as number) ^ 0xff; // inside the first deflate stream
    expectDatasetError(() => parseNpz(corrupt, 'y.npz'), 'y.npz', /corrupt compressed data|CRC mismatch|decompressed to/);
  });

  it('names the member when an array inside is bad', () => {
    const zip = buildStoredZip([{ name: 'broken.npy', data: new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0]) }]);
    expectDatasetError(() => parseNpz(zip, 'z.npz'), 'z.npz', /member broken\.npy: truncated \.npy header/);
    expectDatasetError(() => parseNpz(buildStoredZip([{ name: 'readme.txt', data: new Uint8Array(3) }]), 'e.npz'), 'e.npz', /no \.npy arrays/);
  });

  it('encodes deterministically', () => {
    const arrays = { a: { shape: [2], data: new Float32Array([1, 2]) } };
    expect(encodeNpz(arrays)).toEqual(encodeNpz(arrays));
  });

  const hasReference = existsSync(referenceNpz);
  if (!hasReference) console.warn(`skipping reference npz test: ${referenceNpz} is missing`);
  it.skipIf(!hasReference)('reads the archived Comp.VAE CIFAR scores (zip64, deflate, int64 labels)', () => {
    const { scores, labels } = readNpzFile(referenceNpz);
    expect(scores?.shape).toEqual([20000]);
    expect(scores?.dtype).toBe('float64');
    expect(labels?.dtype).toBe('int64');
    expect(labels?.shape).toEqual([20000]);
    expect(scores?.data[0]).toBeCloseTo(1.461497, 6);
    const labelValues = Array.from(labels?.data ?? []);
    expect(labelValues.filter((v) => v === 0)).toHaveLength(10000);
    expect(labelValues.filter((v) => v === 1)).toHaveLength(10000);
  });
});
