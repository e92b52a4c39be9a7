import type { VaeModel } from '@vaekit/core';
import { LadderBase } from '../ladder-base.js';
import { VqVae } from '../vq-vae.js';

const LADDERS = new Set(['LadderVae', 'LadderIafVae']);

/**
 * Why a Gaussian mixture over `model.encode`'s codes cannot serve the model, or undefined when it can:
 * it needs one continuous code vector per example whose posterior mean `encode` gives (Vae, BetaVae,
 * IafVae, PlanarFlowVae, LearnedPriorVae and models like them).
 */
export function gaussianMixtureUnsupportedReason(model: VaeModel): string | undefined {
  if (model instanceof VqVae || model.className === 'VqVae') {
    return `a ${model.className}'s codes are discrete codebook entries, not continuous vectors a Gaussian mixture can model: its sampler is a learned prior over the codes`;
  }
  if (model instanceof LadderBase || LADDERS.has(model.className)) {
    return `a ${model.className}'s code is a hierarchy of latent layers, each drawn given the layer above, with no single posterior mean to fit a Gaussian mixture to: draw from its own prior instead`;
  }
  if (model.latentShape.length !== 1) {
    return `the Gaussian-mixture sampler fits one code vector per example, and a ${model.className}'s codes have shape [${model.latentShape}]`;
  }
  return undefined;
}
