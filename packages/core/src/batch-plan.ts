import type { BatchPlan, BatchRequest } from './prefetch.js';
import { epochOrderSeed, mixSeed, shuffledOrder } from './train/order.js';

/**
 * The batches `train` reads in one epoch: the epoch's seeded permutation of the examples cut into runs
 * of `batchSize` (the last may be short), batch b transformed with the seed `mixSeed(seed, epoch, b)`.
 * Derived from (size, batchSize, seed, epoch) alone, which is what makes runs and resumes repeat.
 */
export function trainingEpochPlan(size: number, batchSize: number, seed: number, epoch: number): BatchPlan {
  return slicedPlan(size, batchSize, shuffledOrder(size, epochOrderSeed(seed, epoch)), (b) => mixSeed(seed, epoch, b));
}

/** The examples 0..size-1 in order, cut into runs of `batchSize`, batch b transformed with `seedOf(b)`. */
export function orderedPlan(size: number, batchSize: number, seedOf: (batch: number) => number): BatchPlan {
  return slicedPlan(size, batchSize, null, seedOf);
}

/** Batches cut from `order` (or from 0..size-1 when null); each index list is built when it is read. */
function slicedPlan(size: number, batchSize: number, order: Uint32Array | null, seedOf: (batch: number) => number): BatchPlan {
  const length = Math.ceil(size / batchSize);
  return {
    length,
    at(b: number): BatchRequest | undefined {
      if (!Number.isInteger(b) || b < 0 || b >= length) return undefined;
      const start = b * batchSize;
      const end = Math.min(start + batchSize, size);
      const indices = order ? Array.from(order.subarray(start, end)) : Array.from({ length: end - start }, (_, i) => start + i);
      return { indices, seed: seedOf(b) };
    },
  };
}
