import * as tf from '@tensorflow/tfjs-core';

/**
 * A seeded source of randomness for everything stochastic in vaekit.
 *
 * Noise tensors come from `tf.randomNormal`/`tf.randomUniform` with an explicit per-call seed. tfjs
 * draws those numbers in JavaScript before uploading them, so the same seed gives the same noise on
 * every backend: that is what makes seeded runs repeat and lets the conformance suite compare
 * backends on identical noise.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.state = Math.floor(seed) >>> 0;
  }

  /** The generator's state: restoring it with `SeededRandom.fromState` continues the same stream. */
  getState(): number {
    return this.state;
  }

  static fromState(state: number): SeededRandom {
    return new SeededRandom(state);
  }

  /** Next 32-bit unsigned integer (splitmix32-style mixing of a Weyl sequence). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A fresh seed for a tfjs random op or a child generator. */
  nextSeed(): number {
    return this.nextUint32();
  }

  /** An independent child stream, so a consumer's draws do not shift the parent's sequence. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextSeed());
  }

  /** Standard-normal noise of the given shape (the caller owns the tensor). */
  normal(shape: readonly number[]): tf.Tensor {
    return tf.randomNormal([...shape], 0, 1, 'float32', this.nextSeed());
  }

  /** Uniform noise in [0, 1) of the given shape (the caller owns the tensor). */
  uniform(shape: readonly number[]): tf.Tensor {
    return tf.randomUniform([...shape], 0, 1, 'float32', this.nextSeed());
  }
}
