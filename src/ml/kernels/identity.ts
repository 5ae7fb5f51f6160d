/**
 * Identity without a copy on the wasm backend.
 *
 * tfjs-backend-wasm's Identity copies the whole buffer, and tfjs runs Identity for every tensor it
 * saves for the backward pass (engine.clone), so each training step copied every activation that a
 * gradient needs (~250 copies per step at 64×64, 50 ms and the memory of a second set of
 * activations). Tensors are immutable and no wasm kernel writes into its inputs, so the output can
 * share the input's memory, reference-counted, as the wasm backend already does for Reshape and the
 * cpu backend for Identity. Strings keep the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let stock: tf.KernelConfig | undefined;

export function installIdentityKernel(): void {
  if (stock) return;
  stock = tf.getKernel('Identity', 'wasm');
  if (!stock) return; // the wasm backend is not loaded
  const fallback = stock;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...fallback,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return fallback.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  });
}
