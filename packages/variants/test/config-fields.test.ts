import { createModel, listModels } from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_VARIANTS } from '../src/index.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('config fields, for every registered variant', () => {
  const models = listModels();

  it('covers every built-in variant, each registered under its class name', () => {
    const builtIn = BUILT_IN_VARIANTS.map((variant) => variant.entry.className);
    expect(builtIn).toEqual(['Vae', 'BetaVae', 'VqVae', 'LadderVae', 'LadderIafVae', 'IafVae', 'PlanarFlowVae', 'LearnedPriorVae']);
    expect(models.map((m) => m.className)).toEqual(expect.arrayContaining(builtIn));
    for (const variant of BUILT_IN_VARIANTS) {
      const model = variant.create(variant.entry.testConfig);
      expect(model.constructor.name).toBe(variant.entry.className);
      model.dispose();
    }
  });

  for (const { className, testConfig } of models) {
    it(`${className}: a field it does not have is refused, naming the fields it has`, () => {
      expect(() => createModel({ className, ...testConfig, flowStepz: 3 })).toThrow(
        new RegExp(`^${className} has no config field 'flowStepz'; its fields are .*className.*inputShape`),
      );
    });

    it(`${className}: its own getConfig() is accepted back whole`, () => {
      const model = createModel({ className, ...testConfig });
      const again = createModel(model.getConfig());
      expect(again.getConfig()).toEqual(model.getConfig());
      model.dispose();
      again.dispose();
    });
  }
});
