import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '@vaekit/core';

import { binaryPool, createW1Model, now, W2 } from './workload.js';

/** Latency of encoding `W2.examples` examples (means only, read back), per repeat. */
export async function encodeLatency(
  model: VaeModel,
  repeats: number,
  warmup: number,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const shape = model.inputShape;
  const dim = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(binaryPool(W2.examples, dim, 3), [W2.examples, ...shape], 'float32');
  const ms: number[] = [];
  try {
    for (let r = 0; r < warmup + repeats; r++) {
      const t0 = now();
      const z = model.encode(x);
      await z.data();
      z.dispose();
      if (r >= warmup) ms.push(now() - t0);
      if (ms.length >= 3 && ms.reduce((a, b) => a + b, 0) > budgetMs) break;
    }
  } finally {
    x.dispose();
  }
  return ms;
}

export async function w2Latency(repeats: number, warmup: number, budgetMs = Number.POSITIVE_INFINITY): Promise<number[]> {
  const model = createW1Model();
  try {
    return await encodeLatency(model, repeats, warmup, budgetMs);
  } finally {
    model.dispose();
  }
}
