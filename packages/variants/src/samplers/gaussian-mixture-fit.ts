import { encodeDataset, SeededRandom, type AsyncDataset, type SamplerFitOptions, type VaeModel } from '@vaekit/core';
import { GaussianMixtureSampler } from './gaussian-mixture-sampler.js';
import { chooseMixture } from './gaussian-mixture-select.js';
import { resolveGaussianMixtureSettings } from './gaussian-mixture-settings.js';
import { gaussianMixtureUnsupportedReason } from './gaussian-mixture-support.js';
import type { CodeTable } from './gaussian-mixture-types.js';

/**
 * Fits a Gaussian mixture to the model's posterior means of the training examples, its number of
 * components chosen by held-out log-likelihood among `settings.components` (see chooseMixture).
 */
export async function fitGaussianMixtureSampler(model: VaeModel, options: SamplerFitOptions): Promise<GaussianMixtureSampler> {
  const reason = gaussianMixtureUnsupportedReason(model);
  if (reason) throw new TypeError(reason);
  // Settings are checked before the (possibly long) encoding, so a typo fails at once.
  const settings = resolveGaussianMixtureSettings(options.settings);
  const random = new SeededRandom(options.seed ?? 0);
  const train = await encodeCodes(model, options.train, 'training', 'encoding', options);
  const heldOut = options.heldOut ? await encodeCodes(model, options.heldOut, 'held-out', 'encoding held-out', options) : null;
  const choice = chooseMixture(train, heldOut, settings, random, options.onProgress);
  return new GaussianMixtureSampler({ latentShape: model.latentShape, components: choice.components }, choice.mixture);
}

async function encodeCodes(model: VaeModel, data: AsyncDataset, role: string, stage: string, options: SamplerFitOptions): Promise<CodeTable> {
  if (data.size < 1) throw new RangeError(`the ${role} data set is empty: a Gaussian mixture needs codes to fit`);
  const { codes, rows, size } = await encodeDataset(model, data, {
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    onProgress: (done, total) => options.onProgress?.({ stage, done, total }),
  });
  const values = Float64Array.from(codes);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new RangeError(`the ${model.className}'s code of ${role} example ${Math.floor(bad / size)} is ${values[bad]}: a Gaussian mixture needs finite codes`);
  }
  return { values, rows, size };
}
