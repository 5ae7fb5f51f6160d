import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { angles, cosines, cosinesTensor, fromAngles, radius, radiusTensor, sphere3d } from '../src/ml/coords';
import { Rng } from '../src/ml/rng';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/losses/loss-terms.json', import.meta.url), 'utf8')) as {
  transform: { x: number[]; cos: number[]; r: number }[];
};

function tensorCosines(vectors: number[][], eps?: number): number[][] {
  return tf.tidy(() => cosinesTensor(tf.tensor2d(vectors), eps).arraySync());
}

describe('Cartesian → hyperspherical (method.md §2 and §10 sanity values)', () => {
  beforeAll(useTestBackend);

  it('cos([1,1,1]) with eps 0 and eps 1e-3', () => {
    expect(Array.from(cosines([1, 1, 1], 0))).toEqual([expect.closeTo(0.57735, 5), expect.closeTo(0.707107, 5)]);
    expect(Array.from(cosines([1, 1, 1]))).toEqual([expect.closeTo(0.577254, 5), expect.closeTo(0.70693, 5)]);
    const [row] = tensorCosines([[1, 1, 1]]);
    expect(row?.[0]).toBeCloseTo(0.577254, 5);
    expect(row?.[1]).toBeCloseTo(0.70693, 5);
  });

  it('[3,4] → r = 5, cos 0.6 (0.599988 with eps); [1,2,2] → r = 3, cos [1/3, 0.707107]', () => {
    expect(radius([3, 4])).toBe(5);
    expect(cosines([3, 4], 0)[0]).toBeCloseTo(0.6, 10);
    expect(cosines([3, 4])[0]).toBeCloseTo(0.599988, 6);
    expect(radius([1, 2, 2])).toBe(3);
    expect(Array.from(cosines([1, 2, 2], 0))).toEqual([expect.closeTo(1 / 3, 10), expect.closeTo(0.707107, 6)]);
    const r = tf.tidy(() => radiusTensor(tf.tensor2d([[3, 4], [1, 2]])).arraySync());
    expect(r[0]).toBeCloseTo(5, 5);
  });

  it('2·e_1 has trailing cosines 0, not 1; [1, .1, .01, .001]', () => {
    const [a] = tensorCosines([[2, 0, 0, 0]]);
    expect(a?.[0]).toBeCloseTo(0.999875, 5);
    expect(a?.[1]).toBe(0);
    expect(a?.[2]).toBe(0);
    const [b] = tensorCosines([[1, 0.1, 0.01, 0.001]], 0);
    expect(b).toEqual([expect.closeTo(0.99499, 4), expect.closeTo(0.99499, 4), expect.closeTo(0.99504, 4)]);
  });

  it('cos(ones(128)) runs from 0.088388 to 0.706930', () => {
    const c = cosines(new Array(128).fill(1));
    expect(c[0]).toBeCloseTo(0.088388, 6);
    expect(c[126]).toBeCloseTo(0.70693, 6);
  });

  it('the tensor transform equals a plain loop on random vectors, and numpy values', async () => {
    const rng = new Rng(3);
    const vectors = Array.from({ length: 20 }, () => Array.from({ length: 37 }, () => rng.normal() * 3));
    const fromTensor = await expectNoTensorLeak(() => tensorCosines(vectors));
    vectors.forEach((v, i) => {
      const loop = cosines(v);
      loop.forEach((value, j) => expect(fromTensor[i]?.[j]).toBeCloseTo(value, 5));
    });
    for (const { x, cos, r } of fixtures.transform) {
      expect(radius(x)).toBeCloseTo(r, 12);
      cosines(x).forEach((value, j) => expect(value).toBeCloseTo(cos[j] as number, 12));
    }
  });

  it('round trip through angles is exact for [1,2,3] and [−1,0.5,−2] (φ_2 = 4.9574 > π)', () => {
    for (const x of [[1, 2, 3], [-1, 0.5, -2]]) {
      const phi = angles(x);
      const back = fromAngles(radius(x), phi);
      x.forEach((value, i) => expect(back[i]).toBeCloseTo(value, 12));
    }
    expect(angles([-1, 0.5, -2])[1]).toBeCloseTo(4.9574, 4);
    const rng = new Rng(9);
    for (let t = 0; t < 50; t++) {
      const x = Array.from({ length: 10 }, () => rng.normal());
      const back = fromAngles(radius(x), angles(x));
      x.forEach((value, i) => expect(back[i]).toBeCloseTo(value, 10));
    }
  });

  it('draws from N(0, I_128): ||z|| ≈ 11.29 ± 0.70, cos φ_i mean ≈ 0 with std ≈ 1/sqrt(n − i + 1)', () => {
    const rng = new Rng(11);
    const n = 128;
    const draws = 4000;
    const norms: number[] = [];
    const firstCos: number[] = [];
    const lateCos: number[] = [];
    for (let d = 0; d < draws; d++) {
      const z = Array.from({ length: n }, () => rng.normal());
      norms.push(radius(z));
      const c = cosines(z, 0);
      firstCos.push(c[0] as number);
      lateCos.push(c[119] as number); // i = 120: std ≈ 1/sqrt(9)
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    expect(mean(norms)).toBeCloseTo(Math.sqrt(127.5), 1);
    expect(std(norms)).toBeGreaterThan(0.65);
    expect(std(norms)).toBeLessThan(0.75);
    expect(Math.abs(mean(firstCos))).toBeLessThan(0.01);
    expect(std(firstCos)).toBeCloseTo(1 / Math.sqrt(128), 2);
    expect(std(lateCos)).toBeCloseTo(1 / 3, 1);
  });

  it('sphere3d averages three groups onto the unit sphere', () => {
    const p = sphere3d([1, 1, 0, 0, 0, 0]);
    expect(p).toEqual([1, 0, 0]);
    const q = sphere3d([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.hypot(...q)).toBeCloseTo(1, 12);
  });
});
