import type * as tf from '@tensorflow/tfjs-core';

/** The rate fields of tfjs's built-in optimizers (protected in its typings). */
interface RateFields {
  learningRate: number;
}

/**
 * Sets the learning rate a tfjs optimizer uses from its next update on. Adam and RMSProp read their
 * `learningRate` at every update; SGD keeps it as a tensor, which `setLearningRate` rebuilds.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // By class name: tfjs optimizers answer `instanceof` by duck typing, so every one passes for SGD.
  if (optimizer.getClassName() === 'SGD') {
    if ((optimizer as unknown as RateFields).learningRate !== learningRate) (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
    return;
  }
  (optimizer as unknown as RateFields).learningRate = learningRate;
}

/**
 * The sign with which the optimizer's update puts its rate into a tensor: Adam and SGD multiply by
 * −rate, RMSProp by +rate. A compiled step feeds that tensor's value as an input, so the rate can change
 * from step to step without tracing again.
 */
export function rateTensorSign(optimizer: tf.Optimizer): 1 | -1 {
  return optimizer.getClassName() === 'RMSProp' ? 1 : -1;
}
