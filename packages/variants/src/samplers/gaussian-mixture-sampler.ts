import * as tf from '@tensorflow/tfjs-core';
import { checkSamplerFits, checkWholeCount, type LatentSampler, type NamedVariable, type SamplerConfig, type SeededRandom, type VaeModel } from '@vaekit/core';
import { MAX_COMPONENTS } from './gaussian-mixture-settings.js';
import type { GaussianMixture } from './gaussian-mixture-types.js';

export interface GaussianMixtureSamplerConfig extends SamplerConfig {
  readonly className: 'GaussianMixtureSampler';
  /** Components k of the fitted mixture. */
  readonly components: number;
}

/** The most numbers (k·d² of the Cholesky factors) a sampler may hold: a loaded config cannot make it allocate more. */
const MAX_FACTOR_NUMBERS = 1 << 26;

/**
 * Draws codes from a Gaussian mixture with full covariances fitted to a model's posterior means
 * (Ghosh et al. 2020's ex-post density estimation, as Pythae's GaussianMixtureSampler does). Its weights:
 * logWeights [k], means [k, d] and the covariances' lower Cholesky factors choleskyFactors [k, d, d].
 */
export class GaussianMixtureSampler implements LatentSampler<GaussianMixtureSamplerConfig> {
  readonly className = 'GaussianMixtureSampler';
  readonly latentShape: readonly number[];
  readonly components: number;
  private readonly logWeights: tf.Variable;
  private readonly means: tf.Variable;
  private readonly choleskyFactors: tf.Variable;

  /** A sampler of the config's size, with the fitted mixture's values or (for a file's weights to be assigned) zeros. */
  constructor(config: { readonly latentShape: readonly number[]; readonly components?: unknown }, mixture?: GaussianMixture) {
    const { d, k } = checkedSize(config);
    if (mixture && (mixture.k !== k || mixture.d !== d)) {
      throw new RangeError(`a mixture of ${mixture.k} components over ${mixture.d} dimensions does not fit a sampler of ${k} over ${d}`);
    }
    this.latentShape = [d];
    this.components = k;
    const logWeights = mixture ? Float32Array.from(mixture.weights, (w) => Math.log(w)) : new Float32Array(k);
    this.logWeights = tf.tidy(() => tf.variable(tf.tensor1d(logWeights), false));
    this.means = tf.tidy(() => tf.variable(tf.tensor2d(mixture ? Float32Array.from(mixture.means) : new Float32Array(k * d), [k, d]), false));
    this.choleskyFactors = tf.tidy(() =>
      tf.variable(tf.tensor3d(mixture ? Float32Array.from(mixture.choleskyFactors) : new Float32Array(k * d * d), [k, d, d]), false),
    );
  }

  getConfig(): GaussianMixtureSamplerConfig {
    return { className: 'GaussianMixtureSampler', latentShape: [...this.latentShape], components: this.components };
  }

  summary(): string {
    const d = this.latentShape.reduce((a, b) => a * b, 1);
    return `a Gaussian mixture of ${this.components} component${this.components === 1 ? '' : 's'} with full covariances over ${d} dimensions`;
  }

  /**
   * n codes [n, d]: each picks its component by the Gumbel-max trick (argmax of log weight + Gumbel
   * noise from rng.uniform), then is mean + L·ε with ε from rng.normal. Only elementwise ops, argMax,
   * range and 2-D matMul, so every tfjs backend draws it.
   */
  sampleLatents(model: VaeModel, n: number, rng: SeededRandom): tf.Tensor {
    checkWholeCount('sample count', n);
    checkSamplerFits(model, this);
    const k = this.components;
    const d = this.latentShape[0]!;
    return tf.tidy(() => {
      // Clipped away from 0 so the Gumbel noise −log(−log u) stays finite.
      const u = tf.clipByValue(rng.uniform([n, k]), 1e-12, 1 - 1e-7);
      const gumbel = tf.neg(tf.log(tf.neg(tf.log(u))));
      const index = tf.expandDims(tf.argMax(tf.add(this.logWeights, gumbel), 1), 1);
      // One-hot [n, k] by comparison with 0..k−1: tf.oneHot refuses a depth of 1, a one-component mixture.
      const chosen = tf.cast(tf.equal(index, tf.range(0, k, 1, 'int32')), 'float32');
      const eps = rng.normal([n, d]);
      // Every component's L_j·ε at once: ε [n, d] times [d, k·d], whose column block j is L_jᵀ.
      const factorsT = tf.reshape(tf.transpose(this.choleskyFactors, [2, 0, 1]), [d, k * d]);
      const scaled = tf.reshape(tf.matMul(eps, factorsT), [n, k, d]);
      const picked = tf.sum(tf.mul(scaled, tf.expandDims(chosen, 2)), 1);
      return tf.add(tf.matMul(chosen, this.means), picked);
    });
  }

  variables(): NamedVariable[] {
    return [
      { name: 'logWeights', variable: this.logWeights, trainable: false },
      { name: 'means', variable: this.means, trainable: false },
      { name: 'choleskyFactors', variable: this.choleskyFactors, trainable: false },
    ];
  }

  dispose(): void {
    tf.dispose([this.logWeights, this.means, this.choleskyFactors]);
  }
}

function checkedSize(config: { readonly latentShape: readonly number[]; readonly components?: unknown }): { d: number; k: number } {
  const shape = config.latentShape;
  if (!Array.isArray(shape) || shape.length !== 1 || !Number.isInteger(shape[0]) || shape[0] < 1) {
    throw new RangeError(`a Gaussian-mixture sampler draws codes of one vector each: latentShape must be [d] with d >= 1, got ${JSON.stringify(shape)}`);
  }
  const k = config.components;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_COMPONENTS) {
    throw new RangeError(`components must be a whole number from 1 to ${MAX_COMPONENTS}, got ${JSON.stringify(k)}`);
  }
  const d = shape[0] as number;
  if (k * d * d > MAX_FACTOR_NUMBERS) {
    throw new RangeError(`a mixture of ${k} components over ${d} dimensions holds ${k * d * d} covariance numbers, more than the limit of ${MAX_FACTOR_NUMBERS}`);
  }
  return { d, k };
}
