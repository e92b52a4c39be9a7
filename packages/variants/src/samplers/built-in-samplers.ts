import type { SamplerDefinition } from '@vaekit/core';
import { GAUSSIAN_MIXTURE_SAMPLER } from './gaussian-mixture-definition.js';
import { VQ_CODE_PRIOR_SAMPLER } from './vq-code-prior.js';
import { TWO_STAGE_SAMPLER } from './two-stage.js';

/**
 * Every post-hoc sampler vaekit ships beside the core's prior sampler; adding one adds its line here.
 * register.ts registers them with the package's models.
 */
export const BUILT_IN_SAMPLERS: readonly SamplerDefinition[] = [GAUSSIAN_MIXTURE_SAMPLER, TWO_STAGE_SAMPLER, VQ_CODE_PRIOR_SAMPLER];
