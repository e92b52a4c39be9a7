import * as tf from '@tensorflow/tfjs-core';
import type { LossContext, LossTerms, VaeModel } from '../model.js';

export interface StepTerms {
  /** Names of the model's loss terms, in the order of `summary`. */
  readonly names: string[];
  /** The gradients to apply: clipped to the global norm cap when there is one. */
  readonly grads: tf.NamedTensorMap;
  /**
   * The loss terms followed by the global gradient norm before clipping, as one tensor: one read gets
   * them all.
   */
  readonly summary: tf.Tensor1D;
}

/**
 * The loss terms, their gradients and a summary of both; nothing is read back and nothing applied. With
 * `clipNorm`, gradients whose global L2 norm exceeds it are scaled by clipNorm / norm; below the cap the
 * scale is exactly 1, so clipping that never triggers changes no bit of the run.
 */
export function lossAndGradients(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  x: tf.Tensor,
  context: LossContext,
  clipNorm: number | null = null,
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
    const raw = computed.grads;
    const norm = tf.tidy(() => {
      const squares = Object.values(raw).map((g) => tf.sum(tf.square(g)));
      return tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0));
    });
    try {
      const summary = tf.tidy(() => tf.stack([...reported, norm]) as tf.Tensor1D);
      if (clipNorm === null) return { names, grads: raw, summary };
      const grads = tf.tidy(() => {
        const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
        return Object.fromEntries(Object.entries(raw).map(([name, g]) => [name, tf.mul(g, scale)]));
      });
      tf.dispose(Object.values(raw));
      return { names, grads, summary };
    } finally {
      norm.dispose();
    }
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
