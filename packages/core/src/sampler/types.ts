import type * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset } from '../dataset.js';
import type { NamedVariable, VaeModel } from '../model.js';
import type { SeededRandom } from '../random.js';

/** Every sampler config names its registered class, so a saved sampler is rebuilt as the right one. */
export interface SamplerConfig {
  readonly className: string;
  /** The latent shape of the model it was fitted to: a sampler draws codes of this shape only. */
  readonly latentShape: readonly number[];
}

/**
 * Draws latent codes for a trained model, in place of (or as) the model's prior: fitted once to the
 * model and its training data, saved and loaded whole, and asked for codes the model then decodes.
 * All tensors returned are owned by the caller.
 */
export interface LatentSampler<C extends SamplerConfig = SamplerConfig> {
  readonly className: string;
  readonly latentShape: readonly number[];
  getConfig(): C;
  /** One line on what was fitted (its size, what it chose), for a person reading a log. */
  summary(): string;
  /**
   * n codes, [n, ...latentShape]. The model is the one the sampler was fitted to; samplers that draw
   * indices into something the model owns (a VQ-VAE's codebook) read it from there.
   */
  sampleLatents(model: VaeModel, n: number, rng: SeededRandom): tf.Tensor;
  /** Every fitted weight, in a stable order with stable names: what a sampler file holds. */
  variables(): NamedVariable[];
  dispose(): void;
}

/** What `fit` reports while it works, so a long fit can show progress. */
export interface SamplerFitEvent {
  /** What it is doing: 'encoding', 'fitting k=4', 'epoch 3' … */
  readonly stage: string;
  /** Work done and to do in this stage, in the stage's own units. */
  readonly done: number;
  readonly total: number;
  /** A figure the stage produced (held-out log-likelihood, loss), if any. */
  readonly value?: number;
}

export interface SamplerFitOptions {
  /** Examples the sampler is fitted on (the model's training data). */
  readonly train: AsyncDataset;
  /** Examples held out from fitting, for choices a sampler makes by held-out likelihood (its size, its epochs). */
  readonly heldOut?: AsyncDataset;
  /** Seed of every random choice the fit makes. */
  readonly seed?: number;
  /** Batch size for encoding and for any training the fit does. */
  readonly batchSize?: number;
  /** Sampler-specific settings, checked by the sampler (e.g. `components` for the Gaussian mixture). */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly onProgress?: (event: SamplerFitEvent) => void;
}

/** A registered kind of sampler: how to fit one to a model, and how to rebuild a saved one. */
export interface SamplerDefinition {
  /** The className its configs carry, e.g. 'GaussianMixtureSampler'. */
  readonly className: string;
  /** The short name users type, e.g. 'gmm' (`vaekit fit-sampler --sampler gmm`). */
  readonly name: string;
  readonly description: string;
  /** Why this sampler cannot serve the model, or undefined when it can. */
  unsupportedReason(model: VaeModel): string | undefined;
  fit(model: VaeModel, options: SamplerFitOptions): Promise<LatentSampler>;
  /**
   * Small fit settings (few components, few epochs) that exercise everything the sampler does on a
   * tiny model and data set: what the conformance suite fits with.
   */
  readonly testSettings?: Readonly<Record<string, unknown>>;
  /** A sampler of this config with every weight allocated, for a saved file's weights to be assigned to. */
  create(config: SamplerConfig & Record<string, unknown>): LatentSampler;
  /** The package that registers it; a second copy of that package registering the same name is ignored. */
  readonly source?: string;
}
