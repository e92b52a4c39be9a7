import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import type { SeededRandom } from '../random.js';
import { checkWholeCount } from '../whole-count.js';
import type { LatentSampler } from './types.js';

/** Refuses a sampler fitted to latents of another shape than the model's. */
export function checkSamplerFits(model: VaeModel, sampler: LatentSampler): void {
  if (!tf.util.arraysEqual([...model.latentShape], [...sampler.latentShape])) {
    throw new RangeError(
      `this ${sampler.className} draws latents of shape [${sampler.latentShape}], but the ${model.className} ` +
        `decodes latents of shape [${model.latentShape}]: fit the sampler to this model`,
    );
  }
}

/** n pictures from a sampler's codes: the model's likelihood mean of each, [n, ...inputShape]. */
export function drawSamples(model: VaeModel, sampler: LatentSampler, n: number, rng: SeededRandom): tf.Tensor {
  checkWholeCount('sample count', n);
  checkSamplerFits(model, sampler);
  return tf.tidy(() => model.decodeMean(sampler.sampleLatents(model, n, rng)));
}
