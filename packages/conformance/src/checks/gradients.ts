import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type VaeModel } from '@vaekit/core';

export interface DirectionalCheck {
  readonly analytic: number;
  readonly numeric: number;
}

/**
 * Compares the analytic directional derivative of the training loss (g . d, from tfjs's gradients)
 * with a central finite difference (L(w + h d) - L(w - h d)) / 2h, for a random unit direction d over
 * all trainable weights. The noise is fixed by seed, so L is a deterministic function of the weights.
 */
export async function directionalDerivative(
  model: VaeModel,
  x: tf.Tensor,
  seed: number,
  step = 1e-2,
): Promise<DirectionalCheck> {
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const lossAt = (): tf.Scalar =>
    model.loss(x, { rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0 }).total;
  const directionRng = new SeededRandom(seed ^ 0x5a5a5a5a);
  const raw = trainable.map((v) => directionRng.normal(v.shape));
  const norm = tf.tidy(() => tf.sqrt(tf.addN(raw.map((d) => tf.sum(tf.square(d))))));
  const direction = raw.map((d) => tf.div(d, norm));
  tf.dispose([...raw, norm]);
  const originals = trainable.map((v) => v.clone());
  try {
    const analytic = tf.tidy(() => {
      const { grads } = tf.variableGrads(lossAt, trainable);
      return tf.addN(trainable.map((v, i) => tf.sum(tf.mul(grads[v.name]!, direction[i]!))));
    });
    const shifted = (sign: number): tf.Scalar => {
      trainable.forEach((v, i) => v.assign(tf.tidy(() => tf.add(originals[i]!, tf.mul(sign * step, direction[i]!)))));
      return tf.tidy(lossAt);
    };
    const plus = shifted(1);
    const minus = shifted(-1);
    const numericTensor = tf.tidy(() => tf.div(tf.sub(plus, minus), 2 * step));
    const [analyticValue, numericValue] = await Promise.all([analytic.data(), numericTensor.data()]);
    tf.dispose([analytic, plus, minus, numericTensor]);
    return { analytic: analyticValue[0]!, numeric: numericValue[0]! };
  } finally {
    trainable.forEach((v, i) => v.assign(originals[i]!));
    tf.dispose([...originals, ...direction]);
  }
}
