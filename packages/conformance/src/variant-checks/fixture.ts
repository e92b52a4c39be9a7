import type * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type Dataset, type LikelihoodDescription, type LossTerms, type VaeModel } from '@vaekit/core';
import type { BackendName } from '@vaekit/backends';
import type { VariantCase } from '../cases.js';
import { declaredLikelihood } from '../declared-likelihood.js';
import { supportDataset } from '../support-data.js';

export const BATCH = 8;

/** What every check of one model on one backend shares: the model under test, its data and a batch. */
export interface VariantFixture {
  readonly variant: VariantCase;
  readonly backend: BackendName;
  readonly reference: BackendName;
  /** The model built in the suite's `beforeAll`; checks that train build their own fresh copy. */
  model(): VaeModel;
  /** What the model declares it models (the contract's binary default when it declares nothing). */
  likelihood(): LikelihoodDescription;
  /** A small learnable data set in the declared likelihood's support, the same on every backend. */
  data(): Dataset;
  /** The first BATCH examples; the caller disposes it. */
  batch(): tf.Tensor;
}

export function createVariantFixture(
  variant: VariantCase,
  backend: BackendName,
  reference: BackendName,
  model: () => VaeModel,
): VariantFixture {
  // The data's shape and support are known only from the built model, so it is made on first use.
  let cached: Dataset | undefined;
  const likelihood = () => declaredLikelihood(model());
  const data = () => (cached ??= supportDataset(likelihood().support, model().inputShape));
  return {
    variant,
    backend,
    reference,
    model,
    likelihood,
    data,
    batch: () => data().batch(Array.from({ length: BATCH }, (_, i) => i), 0),
  };
}

/** Loss terms outside training, with the noise fixed by `seed`. */
export function evaluationLoss(model: VaeModel, x: tf.Tensor, seed: number): LossTerms {
  return model.loss(x, { rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training: false });
}

export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export const standardError = (values: readonly number[]): number => {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length);
};
