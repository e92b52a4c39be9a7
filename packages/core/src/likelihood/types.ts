import type * as tf from '@tensorflow/tfjs-core';
import type { ConfigField } from '../config-schema.js';
import type { NamedVariable } from '../model.js';
import type { SeededRandom } from '../random.js';
import type { WeightSpec } from '../serialization/weight-manifest.js';

/**
 * The values a likelihood puts probability on, which is also what data must hold to be modelled by it:
 * - `binary`: exactly 0 or 1;
 * - `unit-interval`: any number in [0, 1];
 * - `eight-bit`: the 256 levels k / 255 of 8-bit pixels scaled to [0, 1] (what the loaders give without binarization);
 * - `real`: any finite number.
 */
export type LikelihoodSupport = 'binary' | 'unit-interval' | 'eight-bit' | 'real';

/**
 * A likelihood's config as models save it: the registered `type` and that likelihood's own fields.
 * `resolveLikelihoodConfig` fills defaults and refuses fields the likelihood does not have.
 */
export interface LikelihoodConfig {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** What a likelihood of a config is, worked out without creating a tensor. */
export interface LikelihoodDescription {
  readonly type: string;
  readonly support: LikelihoodSupport;
  /**
   * Numbers the decoder emits per data value. With 1, `decode` returns [batch, ...inputShape]; with
   * k > 1 it returns [batch, ...inputShape, k], the likelihood's parameters stacked on the last axis.
   */
  readonly paramsPerValue: number;
  /** Weights the likelihood owns itself (a learned global scale), as its `variables()` will list them. */
  readonly weights: readonly WeightSpec[];
}

/**
 * A decoder's output distribution p(x | z), built from a config. `params` is what the decoder emits
 * (`LikelihoodDescription.paramsPerValue` numbers per value). Every method returns a tensor the caller
 * owns and may run inside `tf.tidy` or a gradient tape.
 */
export interface Likelihood extends LikelihoodDescription {
  /** The complete config, defaults filled: what a saved model records. */
  readonly config: LikelihoodConfig;
  /** log p(x | params), summed over each example's values: one number per example. */
  logProb(params: tf.Tensor, x: tf.Tensor): tf.Tensor1D;
  /** The distribution's mean, shaped like the data: what reconstructions and samples show. */
  mean(params: tf.Tensor): tf.Tensor;
  /** One draw per value, shaped like the data, in the likelihood's support. */
  sample(params: tf.Tensor, rng: SeededRandom): tf.Tensor;
  /** Trainable weights of the likelihood itself, named `likelihood/...`; empty for most. */
  variables(): NamedVariable[];
  dispose(): void;
}

/** A likelihood's field declarations: each field's default and check, as a model config's are declared. */
export type LikelihoodFields = Readonly<Record<string, ConfigField<unknown>>>;

/**
 * What `registerLikelihood` takes: a name, its fields, and how to describe and create it from a
 * resolved config (every field present and checked).
 */
export interface LikelihoodDefinition {
  readonly type: string;
  /** One line for listings (`vaekit models`). */
  readonly description: string;
  readonly fields: LikelihoodFields;
  describe(config: LikelihoodConfig): LikelihoodDescription;
  create(config: LikelihoodConfig): Likelihood;
  /**
   * A check of data beyond its support (most likelihoods need none): the first problem, or undefined.
   * The support's own check always runs first.
   */
  checkData?(values: ArrayLike<number>): string | undefined;
  /** The package that registers it; a second copy of that package registering the same type is ignored. */
  readonly source?: string;
}
