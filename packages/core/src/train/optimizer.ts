import * as tf from '@tensorflow/tfjs-core';

/** Optimizers as plain configs, so a checkpoint records which one to rebuild on resume. */
export type OptimizerConfig =
  | { type: 'adam'; learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
  | { type: 'sgd'; learningRate: number }
  | { type: 'rmsprop'; learningRate: number; decay?: number; momentum?: number; epsilon?: number };

export const DEFAULT_LEARNING_RATE = 1e-3;

export const DEFAULT_OPTIMIZER: OptimizerConfig = { type: 'adam', learningRate: DEFAULT_LEARNING_RATE };

export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  const lr = config.learningRate ?? DEFAULT_LEARNING_RATE;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate must be a positive number, got ${lr}`);
  switch (config.type) {
    case 'adam':
      return tf.train.adam(lr, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-7);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, config.decay ?? 0.9, config.momentum ?? 0, config.epsilon ?? 1e-7);
    default: {
      const unknown: never = config;
      throw new RangeError(`unknown optimizer ${JSON.stringify(unknown)}: use adam, sgd or rmsprop`);
    }
  }
}
