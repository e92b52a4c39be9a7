import * as tf from '@tensorflow/tfjs-core';
import { prototypeDataset, SeededRandom, train } from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVae } from '../src/index.js';

beforeAll(useCpu);

/** The CLI's convolutional body (two stride-2 stages), small enough for a quick test. */
const CONV = { type: 'conv' as const, filters: [4, 8], kernelSize: 3, denseUnits: 16 };

describe('convolutional VAE on colour images', () => {
  it('builds for [32, 32, 3], decodes and samples colour images, and trains on them', async () => {
    const before = tf.memory().numTensors;
    const model = createVae({ inputShape: [32, 32, 3], latentDim: 4, architecture: CONV, seed: 3 });
    const data = prototypeDataset([32, 32, 3], 16);
    try {
      const x = data.batch([0, 1, 2, 3], 0);
      const shapes = tf.tidy(() => [model.encode(x).shape, model.reconstruct(x).shape, model.sample(2, new SeededRandom(1)).shape]);
      x.dispose();
      expect(shapes[1]).toEqual([4, 32, 32, 3]);
      expect(shapes[2]).toEqual([2, 32, 32, 3]);
      // The last transposed convolution has 3 filters: one per colour channel.
      const kernelShapes = model.variables().map((v) => v.variable.shape);
      expect(kernelShapes.some((shape) => shape.length === 4 && shape[2] === 3)).toBe(true);

      const result = await train(model, data, { epochs: 3, batchSize: 8, optimizer: { type: 'adam', learningRate: 3e-3 }, seed: 5 });
      expect(result.status).toBe('completed');
      const losses = result.history.map((epoch) => epoch.train['total']!);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[2]!).toBeLessThan(losses[0]!);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses colour images whose sides do not halve at every level, naming the size', () => {
    expect(() => createVae({ inputShape: [30, 30, 3], latentDim: 4, architecture: CONV })).toThrow(/divisible by 4, got 30x30/);
  });
});
