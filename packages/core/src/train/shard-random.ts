import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random.js';
import type { Shard } from './distributed.js';

/**
 * A worker's noise for its rows of a global batch: a draw whose first axis is the shard's length is made
 * for the whole global batch, from the same seed a single process would use, and the shard's rows kept.
 * So each example gets the noise it would get in one process, and data-parallel training repeats it.
 * Draws of any other shape (not per example) are made whole, the same on every worker.
 */
export class ShardRandom extends SeededRandom {
  constructor(
    seed: number,
    private readonly shard: Shard,
    private readonly globalSize: number,
  ) {
    super(seed);
  }

  override normal(shape: readonly number[]): tf.Tensor {
    return this.rows(shape, (whole) => super.normal(whole));
  }

  override uniform(shape: readonly number[]): tf.Tensor {
    return this.rows(shape, (whole) => super.uniform(whole));
  }

  private rows(shape: readonly number[], draw: (shape: readonly number[]) => tf.Tensor): tf.Tensor {
    const length = this.shard.end - this.shard.start;
    if (shape.length === 0 || shape[0] !== length || length === this.globalSize) return draw(shape);
    const whole = draw([this.globalSize, ...shape.slice(1)]);
    try {
      return tf.slice(whole, this.shard.start, length);
    } finally {
      whole.dispose();
    }
  }
}
