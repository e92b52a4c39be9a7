// The worker as @vaekit/core's `train` sees it (its `DistributedTraining`, matched by shape, so neither
// package depends on the other).

import type * as tf from '@tensorflow/tfjs-core';

import type { DistributedWorker } from './worker.js';

/** What `train(model, data, { distributed })` needs of a cluster; the same shape as core's `DistributedTraining`. */
export interface TrainingWorker {
  readonly rank: number;
  readonly worldSize: number;
  readonly isChief: boolean;
  allReduceMean(tensors: readonly tf.Tensor[], instanceKey?: number): tf.Tensor[];
  reserveInstanceKey(): number;
  stepFailure(error: unknown): Error;
  broadcast(tensors: readonly tf.Tensor[], fromRank: number): tf.Tensor[];
  abort(reason: string): void;
}

/** A started worker, for `train`'s `distributed` option: rank 0 is the chief, which alone writes the run. */
export function trainingWorker(worker: DistributedWorker): TrainingWorker {
  return {
    rank: worker.rank,
    worldSize: worker.size,
    isChief: worker.rank === 0,
    allReduceMean: (tensors, instanceKey) => worker.allReduce(tensors, 'mean', instanceKey === undefined ? {} : { instanceKey }),
    reserveInstanceKey: () => worker.reserveStepKey(),
    stepFailure: (error) => worker.stepFailure(error),
    broadcast: (tensors, fromRank) => worker.broadcast(tensors, fromRank),
    abort: (reason) => worker.abort(reason),
  };
}
