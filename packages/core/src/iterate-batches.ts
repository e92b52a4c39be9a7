import type * as tf from '@tensorflow/tfjs-core';
import { orderedPlan, trainingEpochPlan } from './batch-plan.js';
import type { AsyncDataset } from './dataset.js';
import { prefetchBatches } from './prefetch.js';
import { mixSeed } from './train/order.js';
import { checkWholeCount } from './whole-count.js';

export interface IterateBatchesOptions {
  /** Examples per batch (the last batch may be short). Default 128. */
  batchSize?: number;
  /** Drives the order when shuffling and each batch's transform (dynamic binarization). Default 0. */
  seed?: number;
  /**
   * Read the examples in the seeded order `train` uses for epoch `epoch` (true), or 0, 1, 2, ... (false,
   * the default). Either way batch b is transformed with the seed `train` gives batch b of that epoch.
   */
  shuffle?: boolean;
  /** Which training epoch's order and seeds to follow. Default 0. */
  epoch?: number;
  /** Batches read ahead of the one in use; 0 reads each only when the loop asks. Default 2. */
  prefetch?: number;
}

/** One batch of `iterateBatches`. The loop body owns `x` and must dispose it. */
export interface Batch {
  /** The examples, shape [indices.length, ...exampleShape]. */
  readonly x: tf.Tensor;
  /** Which examples `x` holds, in its row order. */
  readonly indices: readonly number[];
  /** The seed the batch was transformed with. */
  readonly seed: number;
  /** The batch's position, 0-based. */
  readonly index: number;
  /** Batches in the pass. */
  readonly count: number;
}

/**
 * One pass over `data` as an async iterable, for `for await`, reading the next batches while the loop
 * body runs. With `shuffle: true` and the same `seed` and `batchSize` it yields exactly the batches
 * `train` reads in epoch `epoch`. Leaving the loop early (`break`, `return`, a throw) disposes every
 * batch read ahead; the batch in hand stays the body's to dispose.
 *
 * @example
 * for await (const { x } of iterateBatches(data, { batchSize: 256, seed: 1, shuffle: true })) {
 *   try {
 *     // use x
 *   } finally {
 *     x.dispose();
 *   }
 * }
 */
export async function* iterateBatches(data: AsyncDataset, options: IterateBatchesOptions = {}): AsyncGenerator<Batch, void, undefined> {
  const batchSize = options.batchSize ?? 128;
  checkWholeCount('batchSize', batchSize);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be a whole number >= 0, got ${epoch}`);
  const plan = options.shuffle
    ? trainingEpochPlan(data.size, batchSize, seed, epoch)
    : orderedPlan(data.size, batchSize, (b) => mixSeed(seed, epoch, b));
  const reader = prefetchBatches(data, plan, { ...(options.prefetch !== undefined ? { depth: options.prefetch } : {}) });
  try {
    for (let index = 0; index < plan.length; index++) {
      const x = await reader.next();
      if (!x) return;
      const { indices, seed: batchSeed } = plan.at(index)!;
      yield { x, indices, seed: batchSeed, index, count: plan.length };
    }
  } finally {
    await reader.close();
  }
}
