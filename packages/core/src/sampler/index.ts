export type { LatentSampler, SamplerConfig, SamplerDefinition, SamplerFitEvent, SamplerFitOptions } from './types.js';
export { getSampler, listSamplers, registerSampler, UnknownSamplerError } from './registry.js';
export { deserializeSampler, SAMPLER_FORMAT, serializeSampler } from './sampler-file.js';
export { checkSamplerFits, drawSamples } from './draw.js';
export { encodeDataset, type EncodeDatasetOptions } from './encode-dataset.js';
export { PRIOR_SAMPLER, PriorSampler, type PriorSamplerConfig } from './prior-sampler.js';

import { PRIOR_SAMPLER } from './prior-sampler.js';
import { registerSampler } from './registry.js';

registerSampler(PRIOR_SAMPLER);
