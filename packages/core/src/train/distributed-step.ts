import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { SeededRandom } from '../random.js';
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
  dispose(): void;
}

/** What one worker's step is given besides its rows. */
export interface DistributedStepInputs {
  readonly rng: SeededRandom;
  readonly step: number;
  readonly klWeight: number;
  readonly freeBits: number;
  /** 1 when this worker was asked to stop, else 0: reduced with the gradients, so every worker hears it. */
  readonly stopFlag: number;
  /** The all-reduce's key inside a compiled step; eager steps leave it to the worker. */
  readonly instanceKey?: number;
  readonly clipGradientNorm: number | null;
}

export interface DistributedTerms {
  readonly names: string[];
  /** The gradients every worker applies: the global batch's mean, clipped when there is a cap. */
  readonly update: tf.NamedTensorMap;
  /** The global loss terms, the global gradient norm before clipping, then the stop flag's mean. */
  readonly summary: tf.Tensor1D;
}

/**
 * Gradients, loss terms and the stop flag travel as ONE collective; the gradient norm, clipping and the
 * finite check use the reduced values, so every worker decides the same and applies the same update, the
 * one a single process would apply to the whole global batch. Nothing is read back: a compiled step
 * records exactly this.
 */
export function distributedTerms(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  distributed: DistributedTraining,
  x: tf.Tensor,
  where: { readonly shard: Shard; readonly globalSize: number },
  inputs: DistributedStepInputs,
): DistributedTerms {
  const { shard, globalSize } = where;
  const rng = new ShardRandom(inputs.rng, shard, globalSize);
  const context = { rng, step: inputs.step, klWeight: inputs.klWeight, freeBits: inputs.freeBits, training: true };
  const { names, grads, summary } = lossAndGradients(model, optimizer, trainable, x, context, null);
  const gradNames = Object.keys(grads);
  let reduced: tf.Tensor[];
  try {
    reduced = tf.tidy(() => {
      // Each shard's terms are means over its rows: weighted by its share, their mean over workers is the
      // global batch's mean. With equal shards the weight is exactly 1 and nothing is multiplied.
      const weight = ((shard.end - shard.start) * distributed.worldSize) / globalSize;
      const weigh = (t: tf.Tensor): tf.Tensor => (weight === 1 ? t : tf.mul(t, weight));
      const terms = weigh(tf.slice(summary, 0, names.length));
      const flag = tf.tensor1d([inputs.stopFlag]);
      return distributed.allReduceMean([...gradNames.map((name) => weigh(grads[name]!)), terms, flag], inputs.instanceKey);
    });
  } finally {
    tf.dispose([...Object.values(grads), summary]);
  }
  let terms: DistributedTerms | undefined;
  try {
    const made = tf.tidy(() => {
      const meanGrads = gradNames.map((_, i) => reduced[i]!);
      const squares = meanGrads.map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0));
      const read = tf.concat([reduced[gradNames.length] as tf.Tensor1D, tf.reshape(norm, [1]), reduced[gradNames.length + 1] as tf.Tensor1D]);
      const clip = inputs.clipGradientNorm;
      const scale = clip === null ? null : tf.div(clip, tf.maximum(norm, clip));
      const update = Object.fromEntries(gradNames.map((name, i) => [name, scale ? tf.mul(meanGrads[i]!, scale) : meanGrads[i]!]));
      return { update, summary: read as tf.Tensor1D };
    });
    terms = { names, update: made.update, summary: made.summary };
    return terms;
  } finally {
    // Unclipped, the reduced gradients are the update itself.
    const kept = new Set<tf.Tensor>(terms ? Object.values(terms.update) : []);
    tf.dispose(reduced.filter((t) => !kept.has(t)));
  }
}

/** Reads a distributed summary: the step's outcome and whether any worker asked to stop. */
export function readDistributedSummary(names: readonly string[], values: ArrayLike<number>): DistributedOutcome {
  const outcome = readSummary(names, Array.from({ length: names.length + 1 }, (_, i) => values[i]!));
  return { ...outcome, stop: values[names.length + 1]! > 0 };
}

/** Runs steps eagerly (op by op); see `distributedTerms`. */
export function distributedStepRunner(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  distributed: DistributedTraining,
): DistributedStepRunner {
  return {
    async run(x, settings, { shard, globalSize, stop }) {
      // A step's awaits settle as microtasks, which never let Node handle a signal: one turn of the event loop
      // per step lets a SIGTERM's listener set the stop flag this step carries.
      await nextTurn();
      const { names, update, summary } = distributedTerms(model, optimizer, trainable, distributed, x, { shard, globalSize }, {
        ...settings,
        rng: new SeededRandom(settings.noiseSeed),
        stopFlag: stop() ? 1 : 0,
      });
      try {
        const outcome = readDistributedSummary(names, await summary.data());
        if (outcome.finite) {
          setOptimizerLearningRate(optimizer, settings.learningRate);
          optimizer.applyGradients(update);
        }
        return outcome;
      } finally {
        tf.dispose([...Object.values(update), summary]);
      }
    },
    dispose() {},
  };
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
