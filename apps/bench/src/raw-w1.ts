import * as tf from '@tensorflow/tfjs-core';

import { summarizeProfile } from './trainer-steps.js';
import { binaryPool, now, W1, type StepTimes } from './workload.js';

/** W1 written directly against tfjs-core: the floor a vaekit model could reach on the same backend. */
export class RawW1 {
  readonly weights: tf.Variable[] = [];
  private readonly optimizer: tf.Optimizer;
  private readonly lean: boolean;
  private flat?: { m: tf.Variable; v: tf.Variable; sizes: number[]; t: number };

  constructor(options: { lean: boolean; seed?: number }) {
    this.lean = options.lean;
    const dims: Array<[number, number]> = [];
    const enc = [W1.inputDim, ...W1.hidden, 2 * W1.latentDim];
    const dec = [W1.latentDim, ...W1.hidden, W1.inputDim];
    for (const sizes of [enc, dec]) for (let i = 0; i + 1 < sizes.length; i++) dims.push([sizes[i]!, sizes[i + 1]!]);
    let seed = options.seed ?? 7;
    for (const [fanIn, fanOut] of dims) {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      this.weights.push(tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed++)));
      this.weights.push(tf.variable(tf.zeros([fanOut])));
    }
    this.optimizer = tf.train.adam(W1.learningRate, 0.9, 0.999, W1.epsilon);
  }

  private mlp(x: tf.Tensor2D, first: number): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    for (let layer = 0; layer < 3; layer++) {
      const w = this.weights[first + 2 * layer] as tf.Variable<tf.Rank.R2>;
      const b = this.weights[first + 2 * layer + 1]!;
      h = tf.fused.matMul({ a: h, b: w, bias: b, activation: layer < 2 ? 'relu' : 'linear' }) as tf.Tensor2D;
    }
    return h;
  }

  /** Negative ELBO, batch mean. */
  loss(x: tf.Tensor2D, eps: tf.Tensor2D): tf.Scalar {
    const batch = x.shape[0];
    const stats = this.mlp(x, 0);
    const [mean, logVar] = tf.split(stats, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
    const logits = this.mlp(z, 6);
    if (!this.lean) {
      // The same op sequence as @vaekit/core's bernoulliLogProb + klStandardNormal + elbo (batch mean).
      const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
      const rec = tf.sum(ce, 1);
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1));
      return tf.mean(tf.add(rec, kl));
    }
    // Fewer, larger ops: softplus(l) - l*x summed over everything (the batch mean taken once at the end),
    // and the KL as 0.5 * sum(mean^2 + exp(logVar) - logVar) - 0.5 * batch * latentDim.
    const ce = tf.sum(tf.sub(tf.softplus(logits), tf.mul(logits, x)));
    const kl = tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), logVar));
    return tf.sub(tf.div(tf.add(ce, tf.mul(0.5, kl)), batch), 0.5 * W1.latentDim) as tf.Scalar;
  }

  /** One training step; returns the loss already read back. */
  async step(x: tf.Tensor2D, eps: tf.Tensor2D): Promise<number> {
    if (!this.lean) {
      const loss = this.optimizer.minimize(() => this.loss(x, eps), true, this.weights) as tf.Scalar;
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    }
    const { value, grads } = tf.variableGrads(() => this.loss(x, eps), this.weights);
    this.flatAdam(this.weights.map((w) => grads[w.name]!));
    const out = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }

  /**
   * Adam over one flat vector: the moment updates are ~8 large kernels for all weights together instead of
   * ~10 small ones per weight; the update is split back into the weights (one Split + one Sub + Assign each).
   */
  private flatAdam(grads: tf.Tensor[]): void {
    if (!this.flat) {
      const sizes = this.weights.map((w) => w.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      this.flat = { m: tf.variable(tf.zeros([total]), false), v: tf.variable(tf.zeros([total]), false), sizes, t: 0 };
    }
    const state = this.flat;
    state.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const stepSize = (W1.learningRate * Math.sqrt(1 - b2 ** state.t)) / (1 - b1 ** state.t);
    tf.tidy(() => {
      const g = tf.concat(grads.map((gr) => tf.reshape(gr, [-1])));
      const m = tf.add(tf.mul(state.m, b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(state.v, b2), tf.mul(tf.square(g), 1 - b2));
      state.m.assign(m);
      state.v.assign(v);
      const update = tf.mul(tf.div(m, tf.add(tf.sqrt(v), W1.epsilon)), stepSize);
      const parts = tf.split(update, state.sizes);
      this.weights.forEach((w, i) => w.assign(tf.sub(w, tf.reshape(parts[i]!, w.shape))));
    });
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.optimizer.dispose();
    if (this.flat) tf.dispose([this.flat.m, this.flat.v]);
  }
}

function batchTensor(pool: Float32Array, index: number): tf.Tensor2D {
  const per = W1.batchSize * W1.inputDim;
  const batches = Math.floor(pool.length / per);
  const from = (index % batches) * per;
  return tf.tensor2d(pool.subarray(from, from + per), [W1.batchSize, W1.inputDim]);
}

/** Timed raw W1 steps (the batch and noise are made inside each step, as the trainer does). */
export async function rawSteps(
  lean: boolean,
  steps: number,
  warmup: number,
  profile: boolean,
  perKernel = false,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<StepTimes> {
  const model = new RawW1({ lean });
  const pool = binaryPool(8 * W1.batchSize, W1.inputDim);
  let i = 0;
  const one = async (): Promise<void> => {
    const x = batchTensor(pool, i);
    const eps = tf.randomNormal([W1.batchSize, W1.latentDim], 0, 1, 'float32', i++) as tf.Tensor2D;
    await model.step(x, eps);
    tf.dispose([x, eps]);
  };
  const ms: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = now();
    await one();
    if (s >= warmup) ms.push(now() - t0);
    if (ms.length >= 3 && ms.reduce((a, b) => a + b, 0) > budgetMs) break;
  }
  let prof: Omit<StepTimes, 'ms'> = { kernels: null, peakBytes: null };
  if (profile) prof = summarizeProfile(await tf.profile(one), perKernel);
  model.dispose();
  return { ms, ...prof };
}
