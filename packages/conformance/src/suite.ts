import { listSamplers, type SamplerDefinition, type VaeModel } from '@vaekit/core';
import { currentBackendInfo, useBackend, type BackendName } from '@vaekit/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, registeredVariantCases, type VariantCase } from './cases.js';
import { defineSamplerChecks } from './sampler-checks/define-sampler-checks.js';
import { createVariantFixture } from './variant-checks/fixture.js';
import { defineOutputChecks } from './variant-checks/outputs.js';
import { definePersistenceChecks } from './variant-checks/persistence.js';
import { defineTrainingChecks } from './variant-checks/training.js';

export interface ConformanceOptions {
  /** The backend every test in this suite runs on; selecting it must succeed or the suite fails. */
  readonly backend: BackendName;
  /** Models under test. Default: every registered model with its registered test config. */
  readonly variants?: readonly VariantCase[];
  /** The backend results are compared against for cross-backend agreement. Default 'cpu'. */
  readonly reference?: BackendName;
  /** Samplers fitted to every model they support, and refusing the others. Default: every registered sampler. */
  readonly samplers?: readonly SamplerDefinition[];
}

/**
 * Registers the vaekit conformance tests for one backend: one describe block per model, the same
 * checks for every model and backend. Nothing is skipped silently: a check that does not apply is
 * registered as skipped with its reason in the test name.
 */
export function defineConformanceSuite(options: ConformanceOptions): void {
  const reference = options.reference ?? 'cpu';
  describe(`conformance on ${options.backend}`, () => {
    beforeAll(async () => {
      await useBackend(options.backend);
    });

    it('runs on the selected backend', () => {
      expect(currentBackendInfo().name).toBe(options.backend);
    });

    const variants = options.variants ?? registeredVariantCases();
    it('has models to certify', () => {
      expect(variants.length).toBeGreaterThan(0);
    });
    const samplers = options.samplers ?? listSamplers();
    for (const variant of variants) defineVariantChecks(variant, options.backend, reference, samplers);
  });
}

function defineVariantChecks(variant: VariantCase, backend: BackendName, reference: BackendName, samplers: readonly SamplerDefinition[]): void {
  describe(variant.name, () => {
    let model: VaeModel | undefined;
    beforeAll(async () => {
      await useBackend(backend);
      model = build(variant);
    });
    afterAll(() => model?.dispose());

    const fixture = createVariantFixture(variant, backend, reference, () => {
      if (!model) throw new Error(`${variant.name} was not built: its beforeAll failed`);
      return model;
    });
    defineOutputChecks(fixture);
    defineTrainingChecks(fixture);
    definePersistenceChecks(fixture);
    defineSamplerChecks(fixture, samplers);
  });
}
