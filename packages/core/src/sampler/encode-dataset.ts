import * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset } from '../dataset.js';
import type { VaeModel } from '../model.js';

export interface EncodeDatasetOptions {
  /** Examples per encoder call (default 256). */
  readonly batchSize?: number;
  /** Encode only the first this many examples. */
  readonly limit?: number;
  /** Seed of the batches' own randomness (dynamic binarization). */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * `model.encode` of every example in order, flattened to [examples, codeSize] and copied to the CPU:
 * what post-hoc samplers are fitted on. Batches are read and encoded one at a time, so memory holds one
 * batch of inputs and the growing table of codes.
 */
export async function encodeDataset(model: VaeModel, data: AsyncDataset, options: EncodeDatasetOptions = {}): Promise<{ codes: Float32Array; rows: number; size: number }> {
  const batchSize = options.batchSize ?? 256;
  const rows = Math.min(data.size, options.limit ?? data.size);
  const size = model.latentShape.reduce((a, b) => a * b, 1);
  const codes = new Float32Array(rows * size);
  for (let start = 0; start < rows; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, rows - start) }, (_, i) => start + i);
    const x = await data.batch(indices, options.seed ?? 0);
    try {
      const code = tf.tidy(() => tf.reshape(model.encode(x), [indices.length, size]));
      try {
        codes.set(await code.data(), start * size);
      } finally {
        code.dispose();
      }
    } finally {
      x.dispose();
    }
    options.onProgress?.(start + indices.length, rows);
  }
  return { codes, rows, size };
}
