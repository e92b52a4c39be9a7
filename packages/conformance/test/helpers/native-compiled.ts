import * as tf from '@tensorflow/tfjs-core';
import { compiledStepSupport, type Dataset } from '@vaekit/core';
import { useBackend } from '@vaekit/backends';

/** Selects native and fails loudly when its addon lacks vaekit's binding patch (CI requires both). */
export async function useNativeWithCompiledSteps(): Promise<void> {
  await useBackend('native');
  const support = compiledStepSupport();
  if (!support.available) throw new Error(`compiled steps are unavailable on native: ${support.reason}`);
}

/** Random binary examples from a fixed, seeded pool (the bench's W1 data is of this kind). */
export function binaryData(size: number, dim: number, seed = 12345): Dataset {
  const values = new Float32Array(size * dim);
  let state = seed;
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state >>> 31;
  }
  return {
    size,
    exampleShape: [dim],
    binary: true,
    batch(indices) {
      const out = new Float32Array(indices.length * dim);
      indices.forEach((index, row) => out.set(values.subarray(index * dim, (index + 1) * dim), row * dim));
      return tf.tensor2d(out, [indices.length, dim]);
    },
  };
}
