/**
 * Every kernel and gradient Polaris registers with TensorFlow.js, installed once the backend is
 * loaded (backend.ts). Each file says what it replaces and why; each is tested against the stock
 * kernels (tests/ml-conv-gradient.test.ts, tests/ml-kernels-*.test.ts).
 */
import { installAdamKernel } from './adam';
import { installBatchNormKernels } from './batch-norm';
import { installConvolutionGradients } from './conv2d-gradient';
import { installIdentityKernel } from './identity';
import { installLayoutKernels } from './layout';
import { installMatMulGradient } from './matmul-gradient';
import { installResampleKernels } from './resample';
import { loadSimdKernels } from './simd';

/** Registers everything (idempotent) and loads the SIMD module for the active wasm backend. */
export async function installKernels(): Promise<void> {
  installConvolutionGradients();
  installMatMulGradient();
  installBatchNormKernels();
  installLayoutKernels();
  installAdamKernel();
  installResampleKernels();
  installIdentityKernel();
  await loadSimdKernels();
}
