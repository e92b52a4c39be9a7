import type { SamplerDefinition } from '@vaekit/core';

/**
 * Every post-hoc sampler vaekit ships beside the core's prior sampler; adding one adds its line here.
 * register.ts registers them with the package's models.
 */
export const BUILT_IN_SAMPLERS: readonly SamplerDefinition[] = [];
