import { createModel, listModels } from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('config fields, for every registered variant', () => {
  const models = listModels();

  it('covers all six built-in variants', () => {
    expect(models.map((m) => m.className)).toEqual(
      expect.arrayContaining(['VAE', 'BetaVAE', 'VQVAE', 'LadderVAE', 'PlanarFlowVAE', 'IAFVAE']),
    );
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
