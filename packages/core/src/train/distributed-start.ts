import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import type { DistributedTraining } from './distributed.js';

/**
 * Makes every worker start from rank 0's weights (each built its own model from its own initializer), and
 * checks that every worker resumes from the same step: the optimizer's state is not sent (rebuilding Adam's
 * powers from sent values would not repeat a single process bit for bit), so each worker must have read the
 * chief's checkpoint itself.
 */
export function startFromChief(model: VaeModel, distributed: DistributedTraining, step: number): void {
  const variables = model.variables().map((v) => v.variable);
  for (const dtype of ['float32', 'int32'] as const) {
    const group = variables.filter((v) => v.dtype === dtype);
    if (!group.length) continue;
    const received = distributed.broadcast(group, 0);
    group.forEach((v, i) => v.assign(received[i]!));
    tf.dispose(received);
  }
  const chiefStep = tf.tidy(() => distributed.broadcast([tf.tensor1d([step], 'int32')], 0)[0]!.dataSync()[0]!);
  if (chiefStep !== step) {
    const reason =
      `distributed: worker ${distributed.rank} starts at step ${step} but the chief at step ${chiefStep}: every worker ` +
      "must resume from the chief's checkpoint (put the run folder on storage every worker reads)";
    distributed.abort(reason);
    throw new RangeError(reason);
  }
}
