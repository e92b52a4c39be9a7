import * as tf from '@tensorflow/tfjs-core';
import {
  checkWholeCount,
  createLikelihood,
  type Likelihood,
  type LossContext,
  type LossTerms,
  type ModelWithPriorCodes,
  type NamedVariable,
  type SeededRandom,
  type VaeModel,
} from '@vaekit/core';
import type { NetworkConfig } from './network-config.js';

/**
 * What every model shares, whatever its posterior and prior: the config and the shapes it gives, the
 * likelihood p(x | z), the input check, and `decodeMean`, `reconstruct`, `sample` and `logWeights` built
 * from what a variant supplies: `encode`, `decode`, codes from its prior (`priorCodes`) and per-draw
 * importance log-weights (`drawLogWeights`).
 */
export abstract class ModelBase<C extends NetworkConfig> implements VaeModel<C>, ModelWithPriorCodes {
  readonly className: string;
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  protected readonly config: C;
  /** p(x | z): the model's declaration of the data it models (support, parameters per value) and the distribution itself. */
  readonly likelihood: Likelihood;

  protected constructor(config: C, latentShape: readonly number[]) {
    this.config = config;
    this.className = config.className;
    this.inputShape = [...config.inputShape];
    this.latentShape = [...latentShape];
    this.likelihood = createLikelihood(config.likelihood);
  }

  abstract encode(x: tf.Tensor): tf.Tensor;
  abstract decode(z: tf.Tensor): tf.Tensor;
  abstract loss(x: tf.Tensor, context: LossContext): LossTerms;
  /** The model's own weights; `variables()` lists them, then the likelihood's. */
  protected abstract modelVariables(): NamedVariable[];
  protected abstract disposeModel(): void;
  /** n codes drawn from the prior; called inside a tidy. */
  protected abstract priorCodes(n: number, rng: SeededRandom): tf.Tensor;
  /**
   * log p(x, z) - log q(z | x) for k draws per example, rows draw-major [k · batch] (`tileDraws`); called
   * inside a tidy with k checked.
   */
  protected abstract drawLogWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor1D;

  variables(): NamedVariable[] {
    return [...this.modelVariables(), ...this.likelihood.variables()];
  }

  dispose(): void {
    this.disposeModel();
    this.likelihood.dispose();
  }

  getConfig(): C {
    return structuredClone(this.config);
  }

  decodeMean(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.likelihood.mean(this.decode(z)));
  }

  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.decodeMean(this.encode(x)));
  }

  sample(n: number, rng: SeededRandom): tf.Tensor {
    checkWholeCount('sample count', n);
    return tf.tidy(() => this.decodeMean(this.priorCodes(n, rng)));
  }

  samplePrior(n: number, rng: SeededRandom): tf.Tensor {
    checkWholeCount('sample count', n);
    return tf.tidy(() => this.priorCodes(n, rng));
  }

  logWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor2D {
    checkWholeCount('k', k);
    return tf.tidy(() => tf.reshape(this.drawLogWeights(x, k, rng), [k, x.shape[0]!]) as tf.Tensor2D);
  }

  /** log p(x | z) per example. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.likelihood.logProb(this.decode(z), x));
  }

  protected checkInput(x: tf.Tensor): void {
    if (!tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new RangeError(`${this.className} expects inputs of shape [batch, ${this.inputShape}], got [${x.shape}]`);
    }
  }
}
