import type * as tf from '@tensorflow/tfjs-core';
import { hasStepState, type VaeModel } from '../model.js';

/**
 * What `train` needs of a data-parallel cluster, so core never depends on the package that runs one
 * (`@vaekit/distributed`'s `trainingWorker` gives it). Every collective must be called by every worker,
 * with tensors of the same shapes, in the same order.
 */
export interface DistributedTraining {
  /** 0 for the chief, then the other workers in order. */
  readonly rank: number;
  readonly worldSize: number;
  /** The one worker that writes checkpoints, metrics and pictures (rank 0). */
  readonly isChief: boolean;
  /**
   * The element-wise mean of each tensor over every worker, as new tensors; all travel as one collective.
   * `instanceKey` (from `reserveInstanceKey`) is given inside a compiled step, which is fed a fresh key
   * every run; without it the worker picks the next key itself.
   */
  allReduceMean(tensors: readonly tf.Tensor[], instanceKey?: number): tf.Tensor[];
  /** A collective key no other collective of this process uses; every worker reserves them in the same order. */
  reserveInstanceKey(): number;
  /** The cluster's error for a compiled step that failed while it carried a collective: it names lost peers. */
  stepFailure(error: unknown): Error;
  /** Rank `fromRank`'s values of each tensor, on every worker, as new tensors. */
  broadcast(tensors: readonly tf.Tensor[], fromRank: number): tf.Tensor[];
  /** Fails this worker's pending and later collectives, and so its peers', so no one waits forever. */
  abort(reason: string): void;
}

/** The rows [start, end) of a global batch of `size` examples that `rank` of `worldSize` trains on. */
export interface Shard {
  readonly start: number;
  readonly end: number;
}

/** Contiguous, as even as possible: equal shards when worldSize divides size. */
export function shardOf(size: number, rank: number, worldSize: number): Shard {
  return { start: Math.floor((rank * size) / worldSize), end: Math.floor(((rank + 1) * size) / worldSize) };
}

/**
 * Refuses what data-parallel training cannot repeat a single process on: a global batch that does not
 * split evenly, a last batch too short to give every worker an example, a model whose own state moves
 * with each worker's batch.
 */
export function checkDistributed(distributed: DistributedTraining, model: VaeModel, batchSize: number, dataSize: number): void {
  const { worldSize, rank } = distributed;
  if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`distributed: rank ${rank} of ${worldSize} workers is not a rank of the cluster`);
  }
  if (batchSize % worldSize !== 0) {
    throw new RangeError(
      `distributed: the batch size ${batchSize} is the global batch, split among ${worldSize} workers, and must be ` +
        `a multiple of ${worldSize} (try ${Math.max(worldSize, Math.round(batchSize / worldSize) * worldSize)})`,
    );
  }
  const last = dataSize % batchSize;
  if (last !== 0 && last < worldSize) {
    throw new RangeError(
      `distributed: the epoch's last batch has ${last} example(s), fewer than the ${worldSize} workers; ` +
        'use a data size or batch size that leaves at least one example for each',
    );
  }
  if (hasStepState(model)) {
    throw new RangeError(
      `distributed: the ${model.className} moves its own state with each batch (trainingStep), which data-parallel ` +
        'training would split among workers; train it in one process',
    );
  }
}
