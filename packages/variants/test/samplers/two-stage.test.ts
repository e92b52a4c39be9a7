import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  deserializeSampler,
  getRegisteredModel,
  getSampler,
  prototypeDataset,
  SeededRandom,
  serializeSampler,
  type LatentSampler,
  type LossTerms,
  type NamedVariable,
  type SamplerFitEvent,
  type VaeModel,
} from '@vaekit/core';
import { valuesDataset } from '@vaekit/core/internal';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { TWO_STAGE_SAMPLER, TwoStageSampler } from '../../src/index.js';

beforeAll(useCpu);

/**
 * A "first model" whose code for an example is the example itself, so a test chooses the codes the
 * sampler is fitted on. It is never trained or asked for a likelihood.
 */
class IdentityCodes implements VaeModel {
  readonly className = 'IdentityCodes';
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];

  constructor(size: number) {
    this.inputShape = [size];
    this.latentShape = [size];
  }

  getConfig() {
    return { className: this.className };
  }
  encode(x: tf.Tensor): tf.Tensor {
    return x.clone();
  }
  decode(z: tf.Tensor): tf.Tensor {
    return z.clone();
  }
  decodeMean(z: tf.Tensor): tf.Tensor {
    return z.clone();
  }
  reconstruct(x: tf.Tensor): tf.Tensor {
    return x.clone();
  }
  sample(n: number, rng: SeededRandom): tf.Tensor {
    return rng.normal([n, ...this.latentShape]);
  }
  loss(): LossTerms {
    throw new Error('IdentityCodes has no loss: it only hands its inputs to a sampler as codes');
  }
  logWeights(): tf.Tensor2D {
    throw new Error('IdentityCodes has no importance weights: it only hands its inputs to a sampler as codes');
  }
  variables(): NamedVariable[] {
    return [];
  }
  dispose(): void {}
}

const RADIUS = 2;

/** n points on the circle of radius 2 with a little radial noise: codes far from N(0, I). */
function ringCodes(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const values = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const angle = 2 * Math.PI * rng.nextFloat();
    const radius = RADIUS + 0.05 * (rng.nextFloat() - 0.5);
    values[2 * i] = radius * Math.cos(angle);
    values[2 * i + 1] = radius * Math.sin(angle);
  }
  return values;
}

/** The mean distance of 2-D points [n, 2] from the ring. */
async function meanDistanceToRing(points: tf.Tensor): Promise<number> {
  const values = await points.data();
  let sum = 0;
  for (let i = 0; i < values.length; i += 2) sum += Math.abs(Math.hypot(values[i]!, values[i + 1]!) - RADIUS);
  return sum / (values.length / 2);
}

async function draws(sampler: LatentSampler, model: VaeModel, n: number, seed: number): Promise<Float32Array> {
  const z = sampler.sampleLatents(model, n, new SeededRandom(seed));
  try {
    return (await z.data()) as Float32Array;
  } finally {
    z.dispose();
  }
}

const tinyVaeConfig = () => ({ className: 'Vae', ...getRegisteredModel('Vae').testConfig });
const tinyData = prototypeDataset([12], 24);

describe('the two-stage sampler', () => {
  it('is registered as two-stage, and is in the package exports', () => {
    expect(getSampler('two-stage')).toMatchObject({ className: 'TwoStageSampler', name: 'two-stage', source: '@vaekit/variants' });
    expect(getSampler('TwoStageSampler').fit).toBe(TWO_STAGE_SAMPLER.fit);
  });

  it('draws codes nearer a ring of codes than N(0, I) does', async () => {
    const model = new IdentityCodes(2);
    const train = valuesDataset(ringCodes(500, 1), [2], false);
    const sampler = await TWO_STAGE_SAMPLER.fit(model, {
      train,
      seed: 3,
      settings: { hidden: [32, 32], epochs: 60, batchSize: 100, learningRate: 1e-2 },
    });
    try {
      const fitted = sampler.sampleLatents(model, 2000, new SeededRandom(5));
      const prior = model.sample(2000, new SeededRandom(5));
      const [twoStage, gaussian] = [await meanDistanceToRing(fitted), await meanDistanceToRing(prior)];
      tf.dispose([fitted, prior]);
      expect(gaussian).toBeGreaterThan(0.7);
      expect(twoStage).toBeLessThan(gaussian / 2);
    } finally {
      sampler.dispose();
    }
  });

  it('fits a tiny Vae: codes of its latent shape, seeded, renamed weights, and a file that draws the same codes', async () => {
    const start = tf.memory().numTensors;
    const model = createModel(tinyVaeConfig());
    const events: SamplerFitEvent[] = [];
    const fitTiny = () =>
      TWO_STAGE_SAMPLER.fit(model, { train: tinyData, seed: 7, settings: TWO_STAGE_SAMPLER.testSettings, onProgress: (e) => events.push(e) });
    const sampler = await fitTiny();
    const again = await fitTiny();
    try {
      expect(sampler).toBeInstanceOf(TwoStageSampler);
      const z = sampler.sampleLatents(model, 5, new SeededRandom(1));
      expect(z.shape).toEqual([5, ...model.latentShape]);
      z.dispose();
      expect(await draws(sampler, model, 6, 2)).toEqual(await draws(sampler, model, 6, 2));
      expect(await draws(again, model, 6, 2)).toEqual(await draws(sampler, model, 6, 2));
      expect(await draws(sampler, model, 6, 3)).not.toEqual(await draws(sampler, model, 6, 2));
      expect(sampler.variables().every((v) => v.name.startsWith('stage2/'))).toBe(true);
      expect(sampler.variables().map((v) => v.name)).toContain('stage2/likelihood/logScale');
      expect(events.filter((e) => e.stage === 'epoch').map((e) => [e.done, e.total])).toEqual([
        [1, 2],
        [2, 2],
        [1, 2],
        [2, 2],
      ]);
      expect(events.filter((e) => e.stage === 'epoch').every((e) => Number.isFinite(e.value))).toBe(true);
      expect(events.some((e) => e.stage === 'encoding' && e.done === tinyData.size)).toBe(true);

      const loaded = await deserializeSampler(await serializeSampler(sampler));
      try {
        expect(loaded.getConfig()).toEqual(sampler.getConfig());
        expect(await draws(loaded, model, 6, 2)).toEqual(await draws(sampler, model, 6, 2));
      } finally {
        loaded.dispose();
      }
    } finally {
      sampler.dispose();
      again.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops early on held-out codes and reports the held-out loss', async () => {
    const start = tf.memory().numTensors;
    const model = createModel(tinyVaeConfig());
    const values: number[] = [];
    const sampler = await TWO_STAGE_SAMPLER.fit(model, {
      train: tinyData,
      heldOut: prototypeDataset([12], 8, 5),
      settings: { hidden: [8], epochs: 3, batchSize: 8, patience: 1 },
      onProgress: (e) => e.stage === 'epoch' && values.push(e.value!),
    });
    sampler.dispose();
    model.dispose();
    expect(values.length).toBeGreaterThanOrEqual(1);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses a VqVae and the ladder models with one sentence each, before encoding anything', async () => {
    for (const className of ['VqVae', 'LadderVae', 'LadderIafVae']) {
      const model = createModel({ className, ...getRegisteredModel(className).testConfig });
      try {
        const reason = TWO_STAGE_SAMPLER.unsupportedReason(model);
        expect(reason).toMatch(className === 'VqVae' ? /codebook entries/ : /single layer of latents/);
        await expect(TWO_STAGE_SAMPLER.fit(model, { train: tinyData })).rejects.toThrow(reason!);
      } finally {
        model.dispose();
      }
    }
    const vae = createModel(tinyVaeConfig());
    expect(TWO_STAGE_SAMPLER.unsupportedReason(vae)).toBeUndefined();
    vae.dispose();
  });

  it('refuses bad settings by name before encoding', async () => {
    const model = createModel(tinyVaeConfig());
    const fitWith = (settings: Record<string, unknown>) => TWO_STAGE_SAMPLER.fit(model, { train: tinyData, settings });
    try {
      await expect(fitWith({ epoch: 3 })).rejects.toThrow(/no setting 'epoch'; its settings are epochs/);
      await expect(fitWith({ epochs: 0 })).rejects.toThrow(/setting epochs must be a whole number >= 1, got 0/);
      await expect(fitWith({ hidden: [] })).rejects.toThrow(/setting hidden must be an array/);
      await expect(fitWith({ hidden: [8, 2.5] })).rejects.toThrow(/setting hidden\[1\]/);
      await expect(fitWith({ learningRate: -1 })).rejects.toThrow(/setting learningRate must be a finite number > 0/);
      await expect(fitWith({ latentDim: 'two' })).rejects.toThrow(/setting latentDim/);
      await expect(fitWith({ initialSigma: 0 })).rejects.toThrow(/setting initialSigma/);
      await expect(fitWith({ patience: 2 })).rejects.toThrow(/patience needs held-out codes/);
    } finally {
      model.dispose();
    }
  });

  it('refuses a saved config whose second stage does not fit its codes, and draws only for a model of its latent shape', async () => {
    const create = TWO_STAGE_SAMPLER.create;
    expect(() => create({ className: 'TwoStageSampler', latentShape: [3] })).toThrow(/needs stage2/);
    expect(() => create({ className: 'TwoStageSampler', latentShape: [3], stage2: { className: 'VqVae' } })).toThrow(/needs stage2/);
    expect(() => create({ className: 'TwoStageSampler', latentShape: [3], stage2: { className: 'Vae', inputShape: [4] } })).toThrow(
      /inputs of shape \[4\], not codes of shape \[3\]/,
    );
    expect(() =>
      create({ className: 'TwoStageSampler', latentShape: [3], stage2: { className: 'Vae', inputShape: [3], architecture: { type: 'mlp', hiddenUnits: [1 << 20, 1 << 20] } } }),
    ).toThrow(/more than a sampler file may/);
    const sampler = create({ className: 'TwoStageSampler', latentShape: [3], stage2: { className: 'Vae', inputShape: [3], latentDim: 3 } });
    try {
      expect(() => sampler.sampleLatents(new IdentityCodes(2), 4, new SeededRandom(0))).toThrow(/fit the sampler to this model/);
    } finally {
      sampler.dispose();
    }
  });
});
