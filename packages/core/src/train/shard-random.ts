import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random.js';
import type { Shard } from './distributed.js';

/**
 * A worker's noise for its rows of a global batch. A draw whose first axis is the shard's length is made for
 * the whole global batch, from the generator a single process would use, and the shard's rows are kept with
 * a tensor slice. So each example gets the noise it would get in one process, and data-parallel training
 * repeats it; inside a compiled step the whole draw is the step's input and the slice one of its ops. Draws
 * of any other shape (not per example) are made whole, the same on every worker. Everything else is the
 * wrapped generator's, and forks are sharded the same way.
 */
export class ShardRandom extends SeededRandom {
  constructor(
    private readonly inner: SeededRandom,
    private readonly shard: Shard,
    private readonly globalSize: number,
  ) {
    // The wrapper's own stream is never used: every call goes to `inner`.
    super(0);
  }

  override getState(): number {
    return this.inner.getState();
  }

  override nextUint32(): number {
    return this.inner.nextUint32();
  }

  override nextFloat(): number {
    return this.inner.nextFloat();
  }

  override nextSeed(): number {
    return this.inner.nextSeed();
  }

  override fork(): SeededRandom {
    return new ShardRandom(this.inner.fork(), this.shard, this.globalSize);
  }

  override normal(shape: readonly number[]): tf.Tensor {
    return this.rows(shape, (whole) => this.inner.normal(whole));
  }

  override uniform(shape: readonly number[]): tf.Tensor {
    return this.rows(shape, (whole) => this.inner.uniform(whole));
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
