import * as tf from '@tensorflow/tfjs-core';
import { createModel, deserializeModel, getRegisteredModel, prototypeDataset, SeededRandom, serializeModel, type LossTerms, type VaeModel } from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { BETA_VAE_SCHEMA, BetaVae, createBetaVae, createVae, DEFAULT_CAPACITY_GAMMA } from '../src/index.js';

const resolveBetaVaeConfig = (partial: object) => resolveConfig(BETA_VAE_SCHEMA, partial);
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const shape = { inputShape: [12], latentDim: 3, architecture: { type: 'mlp' as const, hiddenUnits: [10] }, seed: 2 };
const data = prototypeDataset([12], 16);

function lossValues(model: VaeModel, step = 0, klWeight = 1, freeBits = 0): Record<string, number> {
  const x = data.batch([0, 1, 2, 3, 4, 5, 6, 7], 0);
  try {
    const terms: LossTerms = model.loss(x, { rng: new SeededRandom(17), step, klWeight, freeBits, training: false });
    const values = Object.fromEntries(Object.entries(terms).map(([name, t]) => [name, t.dataSync()[0]!]));
    tf.dispose(Object.values(terms));
    return values;
  } finally {
    x.dispose();
  }
}

async function weights(model: VaeModel): Promise<number[][]> {
  return Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
}

describe('β-VAE', () => {
  it('defaults to β = 4 with the capacity form off, and fills gamma when capacity is given', () => {
    const config = resolveBetaVaeConfig({});
    expect(config.className).toBe('BetaVae');
    expect(config.beta).toBe(4);
    expect(config.capacity).toBeNull();
    const withCapacity = resolveBetaVaeConfig({ capacity: { maxNats: 25, annealSteps: 1000 } });
    expect(withCapacity.capacity).toEqual({ maxNats: 25, annealSteps: 1000, gamma: DEFAULT_CAPACITY_GAMMA });
    expect(DEFAULT_CAPACITY_GAMMA).toBe(1000);
  });

  it('rejects bad capacity settings with a message naming the field', () => {
    expect(() => resolveBetaVaeConfig({ capacity: { maxNats: -1, annealSteps: 10 } })).toThrow(/capacity.maxNats/);
    expect(() => resolveBetaVaeConfig({ capacity: { maxNats: 1, annealSteps: 1.5 } })).toThrow(/capacity.annealSteps/);
    expect(() => resolveBetaVaeConfig({ capacity: { maxNats: 1, annealSteps: 10, gamma: Number.NaN } })).toThrow(/capacity.gamma/);
    expect(() => resolveBetaVaeConfig({ beta: -2 })).toThrow(/beta/);
  });

  it('with β > 1 puts a larger weight on the KL than the plain VAE on the same weights', async () => {
    const plain = createVae(shape);
    const beta = createBetaVae({ ...shape, beta: 4 });
    try {
      expect(await weights(beta)).toEqual(await weights(plain));
      const a = lossValues(plain);
      const b = lossValues(beta);
      expect(b.kl).toBeCloseTo(a.kl!, 6);
      expect(b.reconstruction).toBeCloseTo(a.reconstruction!, 6);
      expect(a.kl).toBeGreaterThan(0);
      // total = reconstruction + β KL: the difference is (4 - 1) KL.
      expect(b.total! - a.total!).toBeCloseTo(3 * a.kl!, 4);
      expect(b.total).toBeGreaterThan(a.total!);
      // The trainer's KL weight multiplies β.
      const half = lossValues(beta, 0, 0.5);
      expect(half.total).toBeCloseTo(a.reconstruction! + 2 * a.kl!, 4);
    } finally {
      plain.dispose();
      beta.dispose();
    }
  });

  it('with capacity, minimizes reconstruction + gamma |KL - C(step)| with C annealed linearly', () => {
    const model = createBetaVae({ ...shape, capacity: { maxNats: 10, annealSteps: 100, gamma: 7 } });
    try {
      expect(model.capacityAtStep(0)).toBe(0);
      expect(model.capacityAtStep(25)).toBeCloseTo(2.5, 12);
      expect(model.capacityAtStep(100)).toBe(10);
      expect(model.capacityAtStep(5000)).toBe(10);
      for (const [step, capacity] of [
        [0, 0],
        [25, 2.5],
        [60, 6],
        [400, 10],
      ] as const) {
        const v = lossValues(model, step);
        expect(v.capacity).toBeCloseTo(capacity, 6);
        expect(v.total).toBeCloseTo(v.reconstruction! + 7 * Math.abs(v.kl! - capacity), 4);
      }
      const weighted = lossValues(model, 25, 0.5);
      expect(weighted.total).toBeCloseTo(weighted.reconstruction! + 0.5 * 7 * Math.abs(weighted.kl! - 2.5), 4);
    } finally {
      model.dispose();
    }
  });

  it('reports no capacity term when the capacity form is off', () => {
    const model = createBetaVae(shape);
    try {
      expect(Object.keys(lossValues(model)).sort()).toEqual(['kl', 'reconstruction', 'total']);
    } finally {
      model.dispose();
    }
  });

  it('is registered as BetaVae and round-trips through save and load, capacity included', async () => {
    const entry = getRegisteredModel('BetaVae');
    const model = createModel({ ...entry.testConfig, className: 'BetaVae' });
    try {
      expect(model).toBeInstanceOf(BetaVae);
      const restored = await deserializeModel(await serializeModel(model));
      try {
        expect(restored.getConfig()).toEqual(model.getConfig());
        expect(lossValues(restored, 10)).toEqual(lossValues(model, 10));
      } finally {
        restored.dispose();
      }
    } finally {
      model.dispose();
    }
  });
});
