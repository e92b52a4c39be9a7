import type { SamplerDefinition } from '@vaekit/core';
import { afterAll, describe } from 'vitest';
import type { VariantFixture } from '../variant-checks/fixture.js';
import { defineSamplerDrawChecks } from './draw-checks.js';
import { defineSamplerFileChecks } from './file-checks.js';
import { defineSamplerLifecycleChecks } from './lifecycle-checks.js';
import { createSamplerPairFixture } from './pair-fixture.js';

/**
 * One describe block per sampler under a model's block, named `<model> × <sampler>`, so the test output
 * names every pair and check. Whether a pair is supported is the sampler's answer for the built model,
 * known only when the checks run: the checks of the other kind are then skipped with the reason.
 */
export function defineSamplerChecks(model: VariantFixture, samplers: readonly SamplerDefinition[]): void {
  for (const sampler of samplers) {
    const pair = createSamplerPairFixture(model, sampler);
    describe(`${pair.label} (sampler)`, () => {
      afterAll(() => pair.release());
      defineSamplerDrawChecks(pair);
      defineSamplerFileChecks(pair);
      // Last: the leak check disposes the sampler the checks above share.
      defineSamplerLifecycleChecks(pair);
    });
  }
}
