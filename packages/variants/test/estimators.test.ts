import { measureEstimatorVariance, prototypeDataset, SeededRandom, train } from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVae } from '../src/index.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('reparameterization vs score-function gradients', () => {
  it('reparameterization has far lower variance on the same model and batch', async () => {
    const data = prototypeDataset([64], 64);
    const model = createVae({ inputShape: [64], latentDim: 4, architecture: { type: 'mlp', hiddenUnits: [32] } });
    // A partly trained model: the comparison is about realistic weights, not initialization.
    await train(model, data, { epochs: 5, batchSize: 16, optimizer: { type: 'adam', learningRate: 5e-3 } });
    const x = data.batch(Array.from({ length: 32 }, (_, i) => i), 0);
    const reparam = await measureEstimatorVariance(model, x, 'reparameterization', 200, new SeededRandom(1));
    const score = await measureEstimatorVariance(model, x, 'score-function', 200, new SeededRandom(1));
    x.dispose();
    model.dispose();
    const ratio = score.meanVariance / reparam.meanVariance;
    console.log(
      `gradient variance, mean over encoder parameters (200 draws, batch 32): reparameterization ${reparam.meanVariance.toExponential(3)}, ` +
        `score function ${score.meanVariance.toExponential(3)}, ratio ${ratio.toFixed(0)}x`,
    );
    expect(ratio).toBeGreaterThan(10);
  });
});
