import { describe, expect, it } from 'vitest';
import { createMatrix } from '../src/ml/matrix';
import {
  applyNormalization,
  fitNormalization,
  fitStretch,
  normalizeValues,
  parseNormalization,
  percentileOfSorted,
  stretch,
  stretchToBytes,
} from '../src/main/data/normalization';
import type { RawImage } from '../src/main/data/raw-image';
import { centreSquare, resizeImage, resizeToSquare } from '../src/main/data/resize';

function image(width: number, height: number, channels: number, value: (x: number, y: number, c: number) => number, bitDepth = 8): RawImage {
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = value(x, y, c);
  return { width, height, channels, bitDepth, data };
}

describe('resize', () => {
  it('keeps a constant image constant when shrinking, enlarging and cropping', () => {
    const constant = image(37, 23, 3, (_x, _y, c) => [54321, 0.1, 7][c] as number, 16);
    for (const size of [1, 5, 16, 23, 40, 64]) {
      const resized = resizeImage(constant, size);
      expect(resized).toMatchObject({ width: size, height: size, channels: 3, bitDepth: 16 });
      for (let i = 0; i < resized.data.length; i += 3) {
        expect([resized.data[i], resized.data[i + 1], resized.data[i + 2]]).toEqual([54321, Math.fround(0.1), 7]);
      }
    }
  });

  it('averages 2×2 blocks when halving', () => {
    const source = image(4, 4, 1, (x, y) => y * 4 + x);
    // Block (0,0) holds 0,1,4,5 → 2.5; (1,0): 2,3,6,7 → 4.5; (0,1): 8,9,12,13 → 10.5; (1,1): 12.5.
    expect(Array.from(resizeToSquare(source, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('area-averages over fractional footprints (3 → 2)', () => {
    const source = image(3, 3, 1, (x) => [0, 3, 6][x] as number);
    // Output column 0 covers source [0, 1.5): (0·1 + 3·0.5) / 1.5 = 1; column 1 covers [1.5, 3): (3·0.5 + 6) / 1.5 = 5.
    expect(Array.from(resizeToSquare(source, 2))).toEqual([1, 5, 1, 5]);
  });

  it('centre-crops non-square images to the shorter side', () => {
    expect(centreSquare(10, 4)).toEqual({ left: 3, top: 0, side: 4 });
    expect(centreSquare(4, 9)).toEqual({ left: 0, top: 2, side: 4 });
    const wide = image(6, 2, 1, (x) => x);
    expect(Array.from(resizeToSquare(wide, 2))).toEqual([2, 3, 2, 3]);
  });

  it('interpolates bilinearly when enlarging, keeping edges and range', () => {
    const source = image(2, 2, 1, (x) => x * 100);
    const enlarged = resizeToSquare(source, 4);
    // Sample centres at 0.25-pixel steps: x = -0.25 → clamp 0, 0.25, 0.75, 1.25 → clamp 1.
    expect(Array.from(enlarged.subarray(0, 4))).toEqual([0, 25, 75, 100]);
  });

  it('writes into a target buffer at an offset', () => {
    const target = new Float32Array(10).fill(-1);
    resizeToSquare(image(2, 2, 1, () => 9), 1, target, 3);
    expect(Array.from(target)).toEqual([-1, -1, -1, 9, -1, -1, -1, -1, -1, -1]);
  });

  it('is fast enough for thousands of 64×64 images', () => {
    const source = image(64, 64, 3, (x, y, c) => x + y + c);
    const started = performance.now();
    for (let i = 0; i < 500; i++) resizeToSquare(source, 32);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('normalization', () => {
  it('uses 0..255 for 8-bit data', () => {
    const pixels = createMatrix(2, 6, Float32Array.of(0, 10, 20, 30, 40, 255, 1, 2, 3, 4, 5, 6));
    const normalization = fitNormalization(pixels, { channels: 3, bitDepth: 8 });
    expect(normalization).toEqual({ kind: 'fixed', low: [0, 0, 0], high: [255, 255, 255] });
    const normalized = applyNormalization(pixels, normalization);
    expect(normalized.data[5]).toBe(1);
    expect(normalized.data[1]).toBeCloseTo(10 / 255, 6);
  });

  it('fits robust percentiles per channel for 16-bit data and clips outliers', () => {
    // Channel 0 ramps 0..999 (plus one hot pixel), channel 1 is 1000 + 2·i.
    const pixelsPerImage = 500;
    const data = new Float32Array(2 * pixelsPerImage * 2);
    for (let i = 0; i < 2 * pixelsPerImage; i++) {
      data[i * 2] = i;
      data[i * 2 + 1] = 1000 + 2 * i;
    }
    data[0] = 65535;
    const pixels = createMatrix(2, pixelsPerImage * 2, data);
    const normalization = fitNormalization(pixels, { channels: 2, bitDepth: 16, percentiles: [1, 99] });
    expect(normalization.kind).toBe('percentile');
    expect(normalization.percentiles).toEqual([1, 99]);
    expect(normalization.low[0]).toBeCloseTo(10.99, 1);
    expect(normalization.high[0]).toBeCloseTo(990.01, 1); // values 1..999 and the hot pixel: rank 989.01
    expect(normalization.low[1]).toBeCloseTo(1000 + 2 * 9.99, 1);
    const normalized = applyNormalization(pixels, normalization);
    expect(Math.min(...normalized.data)).toBe(0);
    expect(Math.max(...normalized.data)).toBe(1);
    expect(normalized.data[0]).toBe(1); // the hot pixel clips instead of squashing the rest
    expect(JSON.parse(JSON.stringify(normalization))).toEqual(normalization); // stored as plain JSON
    expect(parseNormalization(JSON.parse(JSON.stringify(normalization)))).toEqual(normalization);
  });

  it('fits on the training rows only, deterministically when sampling', () => {
    const pixels = createMatrix(3, 4, Float32Array.of(0, 1, 2, 3, 100, 101, 102, 103, 1e6, 1e6, 1e6, 1e6));
    const normalization = fitNormalization(pixels, { channels: 1, bitDepth: -32, rows: [0, 1], percentiles: [0, 100] });
    expect(normalization.low).toEqual([0]);
    expect(normalization.high).toEqual([103]);
    const big = createMatrix(50, 400, Float32Array.from({ length: 20000 }, (_, i) => (i * 7919) % 1000));
    const a = fitNormalization(big, { channels: 4, bitDepth: 16, samplesPerChannel: 500, seed: 3 });
    const b = fitNormalization(big, { channels: 4, bitDepth: 16, samplesPerChannel: 500, seed: 3 });
    expect(a).toEqual(b);
  });

  it('handles flat channels without dividing by zero', () => {
    const pixels = createMatrix(1, 4, Float32Array.of(5, 5, 5, 5));
    const normalization = fitNormalization(pixels, { channels: 1, bitDepth: 16 });
    expect(normalization.high[0]).toBeGreaterThan(normalization.low[0] as number);
    expect(Array.from(normalizeValues(pixels.data, normalization))).toEqual([0, 0, 0, 0]);
  });

  it('rejects malformed stored normalizations', () => {
    expect(() => parseNormalization({ kind: 'fixed', low: [0], high: [0] })).toThrow(/high must exceed low/);
    expect(() => parseNormalization({ kind: 'zscore', low: [0], high: [1] })).toThrow();
    expect(() => parseNormalization({ kind: 'fixed', low: [0, 0], high: [1] })).toThrow(/2 low values but 1 high/);
  });

  it('computes percentiles like NumPy (linear interpolation)', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileOfSorted([10, 20], 99.5)).toBeCloseTo(19.95, 10);
  });
});

describe('display stretches', () => {
  it('maps linear and percentile ranges onto 0..1 with clipping', () => {
    const linear = fitStretch([0, 50, 100], 'linear');
    expect(linear).toEqual({ kind: 'linear', low: 0, high: 100 });
    expect([stretch(-5, linear), stretch(25, linear), stretch(500, linear)]).toEqual([0, 0.25, 1]);
    const percentile = fitStretch(Array.from({ length: 101 }, (_, i) => i), 'percentile', { percentiles: [10, 90] });
    expect(percentile).toMatchObject({ low: 10, high: 90 });
    expect(stretch(50, percentile)).toBe(0.5);
  });

  it('asinh lifts faint values and stays within 0..1', () => {
    const params = { kind: 'asinh', low: 0, high: 100, softening: 0.05 } as const;
    expect(stretch(0, params)).toBe(0);
    expect(stretch(100, params)).toBeCloseTo(1, 12);
    expect(stretch(10, params)).toBeGreaterThan(0.1);
    expect(stretch(10, params)).toBeLessThan(stretch(20, params));
    expect(Array.from(stretchToBytes([0, 100, 1000], params))).toEqual([0, 255, 255]);
  });
});
