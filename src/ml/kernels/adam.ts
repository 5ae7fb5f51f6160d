/**
 * One Adam update of one parameter tensor as a single kernel (PolarisAdam): PyTorch's rule, as
 * src/ml/adam.ts writes it with stock ops (nine kernels per parameter, each a pass over it):
 *   m' = β1·m + (1 − β1)·g,  v' = β2·v + (1 − β2)·g²,  p' = p − (lr/c1)·m' / (sqrt(v'/c2) + ε),
 * c1 = 1 − β1^t, c2 = 1 − β2^t. Outputs new p', m', v' tensors (never in place: the wasm backend
 * caches packed convolution weights by tensor id). WebAssembly SIMD on 'wasm' (simd/kernels.c),
 * a TypeScript loop on 'cpu'; adam.ts keeps the stock ops on every other backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HEAP_BACKENDS, type HeapBackendName, heapAccess } from './heap';
import { simdKernels } from './simd';

export const ADAM_UPDATE = 'PolarisAdam';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr / c1. */
  stepSize: number;
  /** c2 = 1 − β2^t. */
  secondCorrection: number;
}

export function adamLoop(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, attrs: AdamUpdateAttrs): void {
  const b1 = Math.fround(attrs.beta1);
  const b2 = Math.fround(attrs.beta2);
  const a1 = Math.fround(1 - attrs.beta1);
  const a2 = Math.fround(1 - attrs.beta2);
  const step = Math.fround(attrs.stepSize);
  const c2 = Math.fround(attrs.secondCorrection);
  const eps = Math.fround(attrs.epsilon);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] as number;
    const mi = Math.fround(Math.fround((m[i] as number) * b1) + Math.fround(gi * a1));
    const vi = Math.fround(Math.fround((v[i] as number) * b2) + Math.fround(Math.fround(gi * gi) * a2));
    mOut[i] = mi;
    vOut[i] = vi;
    const denominator = Math.fround(Math.fround(Math.sqrt(Math.fround(vi / c2))) + eps);
    pOut[i] = (p[i] as number) - Math.fround(Math.fround(mi * step) / denominator);
  }
}

function kernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { param, grad, m, v } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as AdamUpdateAttrs;
    const heap = heapAccess(backend, backendName);
    const shape = [...param!.shape];
    const pOut = heap.allocate(shape);
    const mOut = heap.allocate(shape);
    const vOut = heap.allocate(shape);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) {
      simd.exports.adam(
        simd.offset(param!), simd.offset(grad!), simd.offset(m!), simd.offset(v!),
        simd.offset(pOut), simd.offset(mOut), simd.offset(vOut), tf.util.sizeFromShape(shape),
        a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, a.stepSize, a.secondCorrection, a.epsilon,
      );
    } else {
      adamLoop(heap.view(param!), heap.view(grad!), heap.view(m!), heap.view(v!), heap.view(pOut), heap.view(mOut), heap.view(vOut), a);
    }
    return [pOut, mOut, vOut];
  };
}

/** [p', m', v'] or null where the active backend has no such kernel. */
export function adamUpdate(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamUpdateAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) === undefined || grad.dtype !== 'float32') return null;
  return tf.engine().runKernel(ADAM_UPDATE, { param, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

let installed = false;

export function installAdamKernel(): void {
  if (installed) return;
  for (const backendName of HEAP_BACKENDS) tf.registerKernel({ kernelName: ADAM_UPDATE, backendName, kernelFunc: kernel(backendName) });
  installed = true;
}
