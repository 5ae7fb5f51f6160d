import * as tf from '@tensorflow/tfjs-core';
import { type BackendInfo, initBackend } from '../../src/ml/backend';

/** The fastest backend that loads here (POLARIS_BACKEND forces one), as the app would pick it. */
export async function useTestBackend(): Promise<BackendInfo> {
  return initBackend();
}

/** Runs fn and asserts that it leaves no tensor behind. */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`Tensor leak: ${after - before} tensor(s) left behind (${before} → ${after})`);
  return result;
}
