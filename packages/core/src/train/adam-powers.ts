import * as tf from '@tensorflow/tfjs-core';

/** The fields of tfjs's AdamOptimizer that hold β₁ᵗ and β₂ᵗ (private in its typings). */
interface AdamPowers {
  beta1: number;
  beta2: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** β^(t+1) as training builds it: one float32 multiplication per update, starting from β. */
export function powerByRepeatedProduct(beta: number, updates: number): number {
  const b = Math.fround(beta);
  let power = b;
  // A float32 product of two float32 values is the double product rounded once: fround reproduces it.
  for (let i = 0; i < updates; i++) power = Math.fround(power * b);
  return power;
}

/**
 * tfjs's AdamOptimizer.setWeights rebuilds β₁ᵗ and β₂ᵗ as pow(β, t + 1), while training reaches them by
 * repeated multiplication; in float32 the two differ for most t, so a resumed run drifts from the
 * uninterrupted one. This puts back the values training itself would hold after `updates` updates.
 */
export function restoreAdamPowers(optimizer: tf.Optimizer, updates: number): void {
  // By class name: tfjs optimizers answer `instanceof` by duck typing, so every one passes for Adam.
  if (optimizer.getClassName() !== 'Adam') return;
  const adam = optimizer as unknown as AdamPowers;
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(powerByRepeatedProduct(adam.beta1, updates)));
    adam.accBeta2.assign(tf.scalar(powerByRepeatedProduct(adam.beta2, updates)));
  });
}
