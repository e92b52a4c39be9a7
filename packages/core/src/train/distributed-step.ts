import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import type { DistributedTraining, Shard } from './distributed.js';
import { setOptimizerLearningRate } from './optimizer-rate.js';
import { ShardRandom } from './shard-random.js';
import type { StepSettings } from './step-runner.js';
import { lossAndGradients, readSummary, type StepOutcome } from './step-terms.js';

/** Where this worker's rows sit in the step's global batch, and whether it was asked to stop. */
export interface ShardSettings {
  readonly shard: Shard;
  readonly globalSize: number;
  /** Read after the step has let the event loop turn, so a signal received meanwhile counts. */
  readonly stop: () => boolean;
}

export interface DistributedOutcome extends StepOutcome {
  /** Some worker was asked to stop: every worker hears it at the same step and stops after it. */
  readonly stop: boolean;
}

/** A data-parallel step: this worker's shard, one fused all-reduce, the same update on every worker. */
export interface DistributedStepRunner {
  run(x: tf.Tensor, settings: StepSettings, shard: ShardSettings): Promise<DistributedOutcome>;
}

/**
 * Runs steps eagerly (op by op): a compiled step would need the all-reduce inside TensorFlow's function,
 * which is not built yet. Gradients, loss terms and a stop flag travel as ONE collective; the gradient norm,
 * clipping and the finite check are done on the reduced values, so every worker decides the same and applies
 * the same update, the one a single process would apply to the whole global batch.
 */
export function distributedStepRunner(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  distributed: DistributedTraining,
): DistributedStepRunner {
  return {
    async run(x, settings, { shard, globalSize, stop: stopAsked }) {
      // A step's awaits settle as microtasks, which never let Node handle a signal: one turn of the event loop
      // per step lets a SIGTERM's listener set the stop flag this step carries.
      await nextTurn();
      const stop = stopAsked();
      const rng = new ShardRandom(settings.noiseSeed, shard, globalSize);
      const context = { rng, step: settings.step, klWeight: settings.klWeight, freeBits: settings.freeBits, training: true };
      const { names, grads, summary } = lossAndGradients(model, optimizer, trainable, x, context, null);
      const gradNames = Object.keys(grads);
      const reduced = tf.tidy(() => {
        // Each shard's terms are means over its rows: weighted by its share, their mean over workers is the
        // global batch's mean. With equal shards the weight is exactly 1 and nothing is multiplied.
        const weight = ((shard.end - shard.start) * distributed.worldSize) / globalSize;
        const weigh = (t: tf.Tensor): tf.Tensor => (weight === 1 ? t : tf.mul(t, weight));
        const terms = weigh(tf.slice(summary, 0, names.length));
        return distributed.allReduceMean([...gradNames.map((name) => weigh(grads[name]!)), terms, tf.tensor1d([stop ? 1 : 0])]);
      });
      tf.dispose([...Object.values(grads), summary]);
      const meanGrads = Object.fromEntries(gradNames.map((name, i) => [name, reduced[i]!]));
      // The summary read back (terms, norm, stop flag), then the update when clipping rescales the gradients.
      const [global, ...clipped] = tf.tidy(() => {
        const squares = Object.values(meanGrads).map((g) => tf.sum(tf.square(g)));
        const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0));
        const read = tf.concat([reduced[gradNames.length] as tf.Tensor1D, tf.reshape(norm, [1]), reduced[gradNames.length + 1] as tf.Tensor1D]);
        const clip = settings.clipGradientNorm;
        if (clip === null) return [read];
        const scale = tf.div(clip, tf.maximum(norm, clip));
        return [read, ...gradNames.map((name) => tf.mul(meanGrads[name]!, scale))];
      });
      const update = clipped.length ? Object.fromEntries(gradNames.map((name, i) => [name, clipped[i]!])) : meanGrads;
      try {
        const values = await global.data();
        const outcome = readSummary(names, values.subarray(0, names.length + 1));
        if (outcome.finite) {
          setOptimizerLearningRate(optimizer, settings.learningRate);
          optimizer.applyGradients(update);
        }
        return { ...outcome, stop: values[names.length + 1]! > 0 };
      } finally {
        tf.dispose([...reduced, global!, ...clipped]);
      }
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
