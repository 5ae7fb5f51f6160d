/**
 * Adam (Kingma & Ba) with PyTorch's update rule, written out so that the learning rate can change at
 * milestones and the moment estimates travel with each checkpoint (a resumed run continues exactly).
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamUpdate } from './kernels/adam';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamState {
  step: number;
  moments: Map<string, { first: Float32Array; second: Float32Array }>;
}

export class Adam {
  private step = 0;
  private readonly first = new Map<string, tf.Variable>();
  private readonly second = new Map<string, tf.Variable>();

  constructor(
    private readonly parameters: ReadonlyMap<string, tf.Variable>,
    private readonly settings: AdamSettings,
  ) {
    for (const [name, parameter] of parameters) {
      // tidy frees the zeros tensor; the variable keeps its own reference to the data.
      this.first.set(name, tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)));
      this.second.set(name, tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)));
    }
  }

  get stepCount(): number {
    return this.step;
  }

  /** One update of every parameter that has a gradient. */
  apply(gradients: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { beta1, beta2, epsilon } = this.settings;
    const firstCorrection = 1 - beta1 ** this.step;
    const secondCorrection = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, parameter] of this.parameters) {
        const gradient = gradients.get(name);
        if (!gradient) continue;
        const first = this.first.get(name) as tf.Variable;
        const second = this.second.get(name) as tf.Variable;
        // One fused pass on wasm and cpu (kernels/adam.ts); the same rule in stock ops elsewhere.
        const fused = adamUpdate(parameter, gradient, first, second, {
          beta1,
          beta2,
          epsilon,
          stepSize: learningRate / firstCorrection,
          secondCorrection,
        });
        if (fused) {
          first.assign(fused[1]);
          second.assign(fused[2]);
          parameter.assign(fused[0]);
          continue;
        }
        const newFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1));
        const newSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        first.assign(newFirst);
        second.assign(newSecond);
        const denominator = tf.add(tf.sqrt(tf.div(newSecond, secondCorrection)), epsilon);
        const update = tf.div(tf.mul(newFirst, learningRate / firstCorrection), denominator);
        parameter.assign(tf.sub(parameter, update));
      }
    });
  }

  exportState(): AdamState {
    const moments = new Map<string, { first: Float32Array; second: Float32Array }>();
    for (const name of this.parameters.keys()) {
      moments.set(name, {
        first: (this.first.get(name) as tf.Variable).dataSync() as Float32Array,
        second: (this.second.get(name) as tf.Variable).dataSync() as Float32Array,
      });
    }
    return { step: this.step, moments };
  }

  importState(state: AdamState): void {
    this.step = state.step;
    for (const [name, parameter] of this.parameters) {
      const entry = state.moments.get(name);
      if (!entry) throw new Error(`Checkpoint lacks optimizer moments for ${name}`);
      tf.tidy(() => {
        (this.first.get(name) as tf.Variable).assign(tf.tensor(entry.first, parameter.shape));
        (this.second.get(name) as tf.Variable).assign(tf.tensor(entry.second, parameter.shape));
      });
    }
  }

  dispose(): void {
    for (const variable of [...this.first.values(), ...this.second.values()]) variable.dispose();
    this.first.clear();
    this.second.clear();
  }
}
