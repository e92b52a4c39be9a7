import { hasPriorCodes, type NamedVariable, type VaeModel } from '../model.js';
import type { SeededRandom } from '../random.js';
import { checkWholeCount } from '../whole-count.js';
import type { LatentSampler, SamplerConfig, SamplerDefinition } from './types.js';

export interface PriorSamplerConfig extends SamplerConfig {
  readonly className: 'PriorSampler';
}

/** The model's own prior as a sampler: what `model.sample` draws, and the baseline every other sampler is measured against. */
export class PriorSampler implements LatentSampler<PriorSamplerConfig> {
  readonly className = 'PriorSampler';
  readonly latentShape: readonly number[];

  constructor(config: { readonly latentShape: readonly number[] }) {
    this.latentShape = [...config.latentShape];
  }

  getConfig(): PriorSamplerConfig {
    return { className: 'PriorSampler', latentShape: [...this.latentShape] };
  }

  summary(): string {
    return `the model's own prior over codes of shape [${this.latentShape}]`;
  }

  sampleLatents(model: VaeModel, n: number, rng: SeededRandom) {
    checkWholeCount('sample count', n);
    if (!hasPriorCodes(model)) throw new TypeError(priorCodesMissing(model));
    return model.samplePrior(n, rng);
  }

  variables(): NamedVariable[] {
    return [];
  }

  dispose(): void {}
}

function priorCodesMissing(model: VaeModel): string {
  return `${model.className} does not expose its prior's codes (samplePrior), so the prior sampler cannot draw for it`;
}

export const PRIOR_SAMPLER: SamplerDefinition = {
  className: 'PriorSampler',
  name: 'prior',
  description: "the model's own prior (what `sample` draws without a sampler)",
  source: '@vaekit/core',
  unsupportedReason: (model) => (hasPriorCodes(model) ? undefined : priorCodesMissing(model)),
  fit: async (model) => {
    if (!hasPriorCodes(model)) throw new TypeError(priorCodesMissing(model));
    return new PriorSampler({ latentShape: model.latentShape });
  },
  create: (config) => new PriorSampler(config),
};
