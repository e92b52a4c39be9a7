import * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset, LatentSampler, SamplerDefinition, SamplerFitOptions } from '@vaekit/core';
import { supportDataset } from '../support-data.js';
import type { VariantFixture } from '../variant-checks/fixture.js';

/** Codes drawn per check: enough to see shapes, ranges and seeds at work, few enough to stay quick. */
export const DRAWS = 6;
/** The seed of the fit; draws use their own. */
export const FIT_SEED = 13;

/** What the checks of one (model, sampler) pair share: the model, its data and one fitted sampler. */
export interface SamplerPairFixture {
  readonly model: VariantFixture;
  readonly sampler: SamplerDefinition;
  /** `variant × sampler`, as the checks name the pair in their messages. */
  readonly label: string;
  /** Why the sampler cannot serve this model, or undefined when the pair is supported. */
  unsupportedReason(): string | undefined;
  /** The fit options: the model's tiny data set, a held-out one beside it, and the sampler's testSettings. */
  fitOptions(): SamplerFitOptions;
  /** The sampler fitted once for every check of the pair (fitted on first use). */
  fitted(): Promise<LatentSampler>;
  /** Live tensors before that fit, or undefined when nothing was fitted yet. */
  tensorsBeforeFit(): number | undefined;
  /** Disposes the shared sampler, once its fit settles; the next `fitted()` fits again. */
  release(): Promise<void>;
}

export function createSamplerPairFixture(model: VariantFixture, sampler: SamplerDefinition): SamplerPairFixture {
  let heldOut: AsyncDataset | undefined;
  let fit: Promise<LatentSampler> | undefined;
  let tensorsBefore: number | undefined;
  const fitOptions = (): SamplerFitOptions => {
    // Examples of the same kind as the training data but drawn from another seed, for samplers that
    // choose their size or their epochs by held-out likelihood.
    heldOut ??= supportDataset(model.likelihood().support, model.model().inputShape, 32, 29);
    return {
      train: model.data(),
      heldOut,
      seed: FIT_SEED,
      batchSize: 16,
      ...(sampler.testSettings ? { settings: sampler.testSettings } : {}),
    };
  };
  return {
    model,
    sampler,
    label: `${model.variant.name} × ${sampler.name}`,
    unsupportedReason: () => sampler.unsupportedReason(model.model()),
    fitOptions,
    fitted: () => {
      if (!fit) {
        tensorsBefore = tf.memory().numTensors;
        fit = sampler.fit(model.model(), fitOptions());
      }
      return fit;
    },
    tensorsBeforeFit: () => tensorsBefore,
    release: async () => {
      const pending = fit;
      fit = undefined;
      // A fit that failed has nothing to dispose; its failure was reported by the checks that awaited it.
      const fitted = await pending?.catch(() => undefined);
      fitted?.dispose();
    },
  };
}
