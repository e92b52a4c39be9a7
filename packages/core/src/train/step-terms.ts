import * as tf from '@tensorflow/tfjs-core';
import type { LossContext, LossTerms, VaeModel } from '../model.js';

export interface StepTerms {
  /** Names of the model's loss terms, in the order of `summary`. */
  readonly names: string[];
  readonly grads: tf.NamedTensorMap;
  /** The loss terms followed by the global gradient norm, as one tensor: one read gets them all. */
  readonly summary: tf.Tensor1D;
}

/** The loss terms, their gradients and a summary of both; nothing is read back and nothing applied. */
export function lossAndGradients(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  x: tf.Tensor,
  context: LossContext,
): StepTerms {
  const names: string[] = [];
  const reported: tf.Scalar[] = [];
  try {
    const computed = optimizer.computeGradients(() => {
      const terms: LossTerms = model.loss(x, context);
      for (const [name, value] of Object.entries(terms)) {
        names.push(name);
        reported.push(tf.keep(value));
      }
      return terms.total;
    }, trainable);
    // The returned value is normally the very `total` tensor kept above; dispose it only if it is not.
    if (!reported.includes(computed.value)) computed.value.dispose();
    const { grads } = computed;
    const summary = tf.tidy(() => {
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0));
      return tf.stack([...reported, norm]) as tf.Tensor1D;
    });
    return { names, grads, summary };
  } finally {
    tf.dispose(reported);
  }
}

export interface StepOutcome {
  readonly finite: boolean;
  readonly terms: Record<string, number>;
  readonly gradientNorm: number;
}

/** Reads a summary made by `lossAndGradients`. */
export function readSummary(names: readonly string[], values: ArrayLike<number>): StepOutcome {
  const terms = Object.fromEntries(names.map((name, i) => [name, values[i]!]));
  const gradientNorm = values[names.length]!;
  let finite = true;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) finite = false;
  return { finite, terms, gradientNorm };
}
