import { createRng } from './random.js';

/** The indices 0..n-1 in a random order fixed by `seed` (Fisher-Yates). */
export function shuffledIndices(n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  const rng = createRng(seed);
  const indices = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const held = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = held;
  }
  return indices;
}

export interface BatchesOfOptions {
  /** Leave out a last batch smaller than `batchSize` (keeps every step the same shape). Default false. */
  dropRemainder?: boolean;
}

/** Cut `indices` into consecutive batches of `batchSize`; the last one may be shorter. */
export function batchesOf(
  indices: readonly number[],
  batchSize: number,
  options: BatchesOfOptions = {},
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const batches: number[][] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    if (batch.length < batchSize && options.dropRemainder === true) break;
    batches.push(batch);
  }
  return batches;
}
