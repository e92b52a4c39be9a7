// The benchmark workloads, written once and run unchanged in a Node child process and in the Chromium bench
// page. Nothing here imports a Node built-in or a backend: the caller selects the backend first.
//
// W1: MLP VAE 784-512-512-(32+32) / 32-512-512-784, Bernoulli logits, summed
// sigmoid cross-entropy + closed-form KL, batch mean; Adam lr 1e-3, float32, batch 128. One step = forward,
// backward, update and reading the loss back to the CPU.
// W2: encode 1024 examples (posterior means only), read back.
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, VaeModel } from '@vaekit/core';
import { createVae } from '@vaekit/variants';

import type { CompileRecord } from './compile-info.js';

export const W1 = {
  inputDim: 784,
  hidden: [512, 512] as const,
  latentDim: 32,
  batchSize: 128,
  learningRate: 1e-3,
  /** Adam's epsilon: tfjs's default, also used by the PyTorch and TensorFlow scripts. */
  epsilon: 1e-7,
} as const;

export const W2 = { examples: 1024 } as const;

/** How a W1 step is driven. */
export type W1Path =
  /** vaekit's W1 model (`createVae`) through `@vaekit/core`'s `train()` (grad-norm read, finite check). */
  | 'trainer'
  /** Hand-written tfjs: the same network with `tf.fused.matMul`, tfjs's Adam via `optimizer.minimize`. */
  | 'raw'
  /** As `raw`, with the loss in fewer ops and Adam over one flat parameter vector (the levers under test). */
  | 'raw-lean';

export const W1_PATHS: readonly W1Path[] = ['trainer', 'raw', 'raw-lean'];

/** Per-step wall times (ms) after warm-up, plus what one profiled step allocates and launches. */
export interface StepTimes {
  ms: number[];
  /** Kernels launched by one step (tf.profile), null where profiling failed. */
  kernels: number | null;
  /** Peak tensor bytes during one step (tf.profile's peakBytes, all live tensors counted). */
  peakBytes: number | null;
  /** Milliseconds per kernel name over one profiled step, largest first (only when asked for). */
  kernelTimes?: Array<{ name: string; count: number; ms: number }>;
  /** Trainer path with a compile setting: what tracing cost, or why the step ran eagerly. */
  compile?: CompileRecord | null;
  /** Wall time of the first step (trace and first call included), kept out of `ms`. */
  firstStepMs?: number;
}

export const now = (): number => performance.now();

/** Deterministic pseudo-random binary data: a pool of `examples` x `dim` values in {0, 1}. */
export function binaryPool(examples: number, dim: number, seed = 1): Float32Array {
  const out = new Float32Array(examples * dim);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 31;
  }
  return out;
}

/** A Dataset over a pool of random binary examples, repeated to any size (for throughput, not accuracy). */
export function binaryDataset(exampleShape: readonly number[], size: number, poolExamples = 1024): Dataset {
  const dim = exampleShape.reduce((a, b) => a * b, 1);
  const pool = binaryPool(poolExamples, dim);
  return {
    size,
    exampleShape,
    binary: true,
    batch(indices) {
      const values = new Float32Array(indices.length * dim);
      indices.forEach((index, row) => {
        const from = (index % poolExamples) * dim;
        values.set(pool.subarray(from, from + dim), row * dim);
      });
      return tf.tensor(values, [indices.length, ...exampleShape], 'float32');
    },
  };
}

export function createW1Model(): VaeModel {
  return createVae({
    inputShape: [W1.inputDim],
    latentDim: W1.latentDim,
    architecture: { type: 'mlp', hiddenUnits: [...W1.hidden] },
    likelihood: { type: 'bernoulli' },
  });
}
